"""Daily times across timezones and DST, parsing, streaks and the nudge policy: pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dojobot.engine.calendar import (
    InvalidTime,
    local_date,
    next_occurrence,
    occurrence_on,
    parse_local_time,
    streak,
    streak_of_times,
    zone,
)
from dojobot.engine.nudges import (
    LATE_LIMIT_MS,
    MAX_IGNORED,
    Action,
    DueReminder,
    first_due,
    plan_nudge,
)
from dojobot.engine.zone_names import parse_zone

BERLIN = zone("Europe/Berlin")


def ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def utc(at_ms: int) -> datetime:
    return datetime.fromtimestamp(at_ms / 1000, tz=UTC)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("18:30", 1110), ("7:05", 425), ("07.15", 435), ("0:00", 0), ("23:59", 1439), ("7", 420),
     ("6pm", 1080), ("6:30 PM", 1110), ("12am", 0), ("12pm", 720), ("18h30", 1110)],
)
def test_parse_local_time(text: str, minutes: int) -> None:
    assert parse_local_time(text) == minutes


@pytest.mark.parametrize("text", ["24:00", "18:60", "noon", "", "13pm", "0am", "18:3", "-1"])
def test_parse_local_time_rejects(text: str) -> None:
    with pytest.raises(InvalidTime):
        parse_local_time(text)


def test_fixed_offset_zone_has_the_right_sign() -> None:
    plus = zone("UTC+05:30")
    assert next_occurrence(ms(2026, 1, 1, 0, 0), 9 * 60, plus) == ms(2026, 1, 1, 3, 30)
    minus = zone(parse_zone("Etc/GMT+5"))
    assert next_occurrence(ms(2026, 1, 1, 0, 0), 9 * 60, minus) == ms(2026, 1, 1, 14, 0)


def test_same_local_time_in_three_zones() -> None:
    start = ms(2026, 6, 1, 0, 0)
    assert utc(next_occurrence(start, 18 * 60, zone("Asia/Tokyo"))) == utc(ms(2026, 6, 1, 9))
    assert utc(next_occurrence(start, 18 * 60, BERLIN)) == utc(ms(2026, 6, 1, 16))
    assert utc(next_occurrence(start, 18 * 60, zone("America/New_York"))) == utc(
        ms(2026, 6, 1, 22)
    )


def test_spring_forward_nonexistent_time_fires_at_the_first_valid_instant() -> None:
    # Berlin 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC); 02:30 does not exist.
    assert occurrence_on(date(2026, 3, 28), 150, BERLIN) == ms(2026, 3, 28, 1, 30)
    assert occurrence_on(date(2026, 3, 29), 150, BERLIN) == ms(2026, 3, 29, 1, 0)
    assert occurrence_on(date(2026, 3, 30), 150, BERLIN) == ms(2026, 3, 30, 0, 30)
    days = []
    at = ms(2026, 3, 27, 12)
    for _ in range(4):
        at = next_occurrence(at, 150, BERLIN)
        days.append(local_date(at, BERLIN))
    assert days == [date(2026, 3, d) for d in (28, 29, 30, 31)]


def test_fall_back_ambiguous_time_fires_once() -> None:
    # Berlin 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
    first = next_occurrence(ms(2026, 10, 24, 12), 150, BERLIN)
    assert first == ms(2026, 10, 25, 0, 30)  # 02:30 CEST, the first of the two
    # From either 02:30 (or in between), the next one is the following day, not 02:30 CET.
    assert next_occurrence(first, 150, BERLIN) == ms(2026, 10, 26, 1, 30)
    assert next_occurrence(ms(2026, 10, 25, 1, 0), 150, BERLIN) == ms(2026, 10, 26, 1, 30)


def test_evening_time_across_both_transitions_keeps_local_time() -> None:
    at = ms(2026, 3, 27, 20)
    for expected in (ms(2026, 3, 28, 17), ms(2026, 3, 29, 16), ms(2026, 3, 30, 16)):
        at = next_occurrence(at, 18 * 60, BERLIN)
        assert at == expected
    at = ms(2026, 10, 24, 20)
    for expected in (ms(2026, 10, 25, 17), ms(2026, 10, 26, 17)):
        at = next_occurrence(at, 18 * 60, BERLIN)
        assert at == expected


@given(
    st.integers(min_value=ms(2025, 1, 1), max_value=ms(2028, 1, 1)),
    st.integers(min_value=0, max_value=1439),
    st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC+05:30",
                     "Asia/Kathmandu", "America/Havana"]),
)
def test_next_occurrence_is_once_per_local_day(after: int, minutes: int, name: str) -> None:
    tz = zone(name)
    first = next_occurrence(after, minutes, tz)
    second = next_occurrence(first, minutes, tz)
    assert after < first < second
    assert (local_date(second, tz) - local_date(first, tz)).days == 1
    assert first - after <= 26 * 3600 * 1000


def test_streak() -> None:
    today = date(2026, 5, 10)
    assert streak([], today) == 0
    assert streak([date(2026, 5, 10)], today) == 1
    assert streak([date(2026, 5, 9), date(2026, 5, 8)], today) == 2  # today not yet: still on
    assert streak([date(2026, 5, 10), date(2026, 5, 9), date(2026, 5, 7)], today) == 2
    assert streak([date(2026, 5, 8)], today) == 0  # yesterday missed: broken


@given(
    st.lists(st.integers(0, 12 * 86_400_000), max_size=60),
    st.integers(0, 12 * 86_400_000),
    st.sampled_from(["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu",
                     "Pacific/Chatham", "Australia/Lord_Howe"]),
)
def test_a_streak_walked_from_today_is_the_streak_of_the_days(
    offsets: list[int], now_offset: int, tz: str
) -> None:
    """streak_of_times (day bounds walked back from today) counts what streak() counts
    over each time's local date, across daylight-saving changes and odd offsets."""
    start = ms(2026, 3, 25, 0)  # spans the clock changes of late March and early April
    now = start + now_offset
    times = sorted(start + o for o in offsets if o <= now_offset)
    expected = streak({local_date(t, zone(tz)) for t in times}, local_date(now, zone(tz)))
    assert streak_of_times(times, now, tz) == expected


def due(**changes: object) -> DueReminder:
    base: dict[str, object] = {
        "user_id": 1, "local_minutes": 18 * 60, "next_due_at": ms(2026, 6, 1, 16),
        "timezone": "Europe/Berlin", "ignored_in_a_row": 0, "last_sent_at": None,
        "last_sent_on": None, "last_practised_at": None, "blocked": False,
    }
    base.update(changes)
    return DueReminder(**base)  # type: ignore[arg-type]


def test_plan_sends_and_advances_a_day() -> None:
    plan = plan_nudge(due(), ms(2026, 6, 1, 16, 0, 30))
    assert plan.action is Action.SEND
    assert plan.next_due_at == ms(2026, 6, 2, 16)
    assert (plan.ignored_in_a_row, plan.last_sent_on) == (1, "2026-06-01")


def test_plan_late_by_less_than_an_hour_sends_older_is_dropped() -> None:
    late = plan_nudge(due(), ms(2026, 6, 1, 16) + LATE_LIMIT_MS - 1)
    assert late.action is Action.SEND
    stale = plan_nudge(due(), ms(2026, 6, 1, 16) + LATE_LIMIT_MS)
    assert stale.action is Action.SKIP_STALE
    # Down for three days: the next due time is the next one in the future, not a replay.
    gone = plan_nudge(due(), ms(2026, 6, 4, 10))
    assert (gone.action, gone.next_due_at) == (Action.SKIP_STALE, ms(2026, 6, 4, 16))


def test_plan_skips_a_day_already_practised_and_resets_ignored() -> None:
    plan = plan_nudge(
        due(ignored_in_a_row=3, last_practised_at=ms(2026, 6, 1, 5)), ms(2026, 6, 1, 16)
    )
    assert (plan.action, plan.ignored_in_a_row) == (Action.SKIP_PRACTISED, 0)
    # Practice late yesterday (local) does not count for today.
    plan = plan_nudge(due(last_practised_at=ms(2026, 5, 31, 21, 30)), ms(2026, 6, 1, 16))
    assert plan.action is Action.SEND


def test_plan_pauses_after_max_ignored_and_practice_resets() -> None:
    ignored = due(ignored_in_a_row=MAX_IGNORED, last_sent_at=ms(2026, 5, 31, 16))
    plan = plan_nudge(ignored, ms(2026, 6, 1, 16))
    assert (plan.action, plan.next_due_at, plan.paused) == (Action.PAUSE, None, True)
    practised = plan_nudge(
        due(ignored_in_a_row=MAX_IGNORED, last_sent_at=ms(2026, 5, 30, 16),
            last_practised_at=ms(2026, 5, 30, 17)),
        ms(2026, 6, 1, 16),
    )
    assert (practised.action, practised.ignored_in_a_row) == (Action.SEND, 1)


def test_plan_blocked_and_already_sent_today() -> None:
    assert plan_nudge(due(blocked=True), ms(2026, 6, 1, 16)).action is Action.SKIP_BLOCKED
    again = plan_nudge(due(last_sent_on="2026-06-01"), ms(2026, 6, 1, 16))
    assert again.action is Action.SKIP_ALREADY_SENT


def test_first_due_never_twice_on_one_local_date() -> None:
    now = ms(2026, 6, 1, 8)  # 10:00 in Berlin
    assert first_due(now, 18 * 60, "Europe/Berlin", None) == ms(2026, 6, 1, 16)
    assert first_due(now, 18 * 60, "Europe/Berlin", "2026-06-01") == ms(2026, 6, 2, 16)
