"""Fact memory: fluency over the last two answers, Leitner boxes with doubling intervals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dojobot.engine.memory import (
    DAY_MS,
    FactMemory,
    Standing,
    check_pace,
    interval_ms,
    is_fluent,
    remember,
    standing,
)

PACE = 3000


def answered(*answers: tuple[bool, int]) -> FactMemory:
    memory = FactMemory()
    for i, (right, ms) in enumerate(answers):
        memory = remember(memory, right, ms, 1000 * i, PACE)
    return memory


def test_fluent_means_right_within_the_threshold_the_last_two_times() -> None:
    assert standing(None, PACE) is Standing.UNSEEN
    assert standing(answered((True, 1000)), PACE) is Standing.SLOW  # once is not enough
    assert standing(answered((True, 1000), (True, 2900)), PACE) is Standing.FLUENT
    assert standing(answered((True, 1000), (True, 3100)), PACE) is Standing.SLOW
    assert standing(answered((True, 1000), (True, 3100)), 6000) is Standing.FLUENT
    assert standing(answered((True, 1000), (True, 1000), (False, 900)), PACE) is Standing.MISSED
    assert standing(answered((False, 1000), (True, 1000)), PACE) is Standing.SLOW


def test_leitner_intervals_double_from_one_day() -> None:
    assert [interval_ms(b) for b in range(8)] == [
        0, 0, DAY_MS, 2 * DAY_MS, 4 * DAY_MS, 8 * DAY_MS, 16 * DAY_MS, 16 * DAY_MS
    ]
    memory = answered(*[(True, 1000)] * 4)
    assert memory.box == 4
    assert memory.due_at == 3000 + 4 * DAY_MS
    missed = remember(memory, False, 1000, 10_000, PACE)
    assert (missed.box, missed.due_at, missed.answers, missed.correct) == (0, 10_000, 5, 4)


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 20_000)), max_size=30))
def test_memory_counts_and_due_dates_follow_the_answers(answers: list[tuple[bool, int]]) -> None:
    memory = answered(*answers)
    assert memory.answers == len(answers)
    assert memory.correct == sum(right for right, _ms in answers)
    assert memory.due_at >= (memory.last_seen_at or 0)
    if len(answers) >= 2:
        (r1, t1), (r2, t2) = answers[-2:]
        assert is_fluent(memory, PACE) == (r1 and r2 and t1 <= PACE and t2 <= PACE)
    if is_fluent(memory, PACE):
        assert memory.box >= 2


@pytest.mark.parametrize("bad", [0, -3, 4, 100])
def test_only_three_paces(bad: int) -> None:
    assert [check_pace(s) for s in (3, 6, 12)] == [3000, 6000, 12000]
    with pytest.raises(ValueError, match="pace"):
        check_pace(bad)
