"""A learner's arm: stable, independent per flag, and only moving control -> treatment."""

from __future__ import annotations

import pytest

from dojobot.engine.flags import (
    SCHEDULER,
    FlagInputError,
    arm_for,
    bucket,
    effective_percent,
    known_flag,
    parse_percent,
)

LEARNERS = range(1, 20_001)


def test_the_percentage_only_moves_learners_to_the_treatment() -> None:
    before = {u: SCHEDULER.control for u in LEARNERS}
    for percent in (0, 5, 50, 100):
        now = {u: arm_for(SCHEDULER, u, percent) for u in LEARNERS}
        moved_back = [u for u in LEARNERS if before[u] == "fsrs" and now[u] == "leitner"]
        assert moved_back == []
        share = sum(arm == "fsrs" for arm in now.values()) / len(now)
        assert abs(share - percent / 100) < 0.01, (percent, share)
        before = now


def test_the_arm_is_stable_and_each_flag_splits_on_its_own() -> None:
    assert [bucket("scheduler", 42) for _ in range(3)] == [bucket("scheduler", 42)] * 3
    assert bucket("scheduler", 42) == 3001  # fixed across processes and releases
    same = sum(bucket("scheduler", u) == bucket("other", u) for u in LEARNERS)
    assert same < 20  # about 2 of 20,000 by chance


@pytest.mark.parametrize(("text", "percent"), [("0", 0), ("5", 5), ("100", 100), ("25%", 25)])
def test_good_percentages(text: str, percent: int) -> None:
    assert parse_percent(text) == percent


@pytest.mark.parametrize("text", ["-5", "150", "half", "", "5.5", "\u0661\u0660", "101"])
def test_bad_percentages(text: str) -> None:
    with pytest.raises(FlagInputError, match="whole number from 0 to 100"):
        parse_percent(text)


def test_unknown_flag() -> None:
    with pytest.raises(FlagInputError, match="unknown flag 'schedular'; known flags: scheduler"):
        known_flag("schedular")


def test_off_wins_and_the_lowest_class_percentage_applies() -> None:
    assert effective_percent(50, False, []) == 50
    assert effective_percent(50, True, [100]) == 0
    assert effective_percent(0, False, [100]) == 100
    assert effective_percent(100, False, [100, 0]) == 0
