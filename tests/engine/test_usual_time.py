"""The learner's usual practice time: the median local time of their days' first sets, the
moment tomorrow fluency is judged at; +24 h for a learner without a habit yet."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from dojobot.engine.memory import DAY_MS
from dojobot.engine.usual_time import next_practice_ms, usual_minutes

HOUR_MS = 3_600_000


def at(day: int, hour: int, minute: int = 0) -> int:
    """December `day`, 2026, at hour:minute UTC, in epoch ms."""
    return int(datetime(2026, 12, day, hour, minute, tzinfo=UTC).timestamp() * 1000)


def test_a_new_learner_is_judged_a_day_ahead() -> None:
    now = at(7, 18, 30)
    assert next_practice_ms([], now, "UTC") == now + DAY_MS
    # Sets on one day only are no habit yet, however many.
    assert next_practice_ms([at(7, 8), at(7, 18)], now, "UTC") == now + DAY_MS


def test_morning_and_evening_sets_are_judged_at_tomorrows_morning() -> None:
    starts = [at(d, h) for d in (4, 5, 6, 7) for h in (8, 18)]
    assert usual_minutes(starts, "UTC") == 8 * 60
    evening = at(7, 18, 20)
    assert next_practice_ms(starts, evening, "UTC") == at(8, 8)  # 13 h 40 min away
    morning = at(7, 8, 15)
    assert next_practice_ms(starts, morning, "UTC") == at(8, 8)


def test_an_odd_late_day_does_not_move_the_habit() -> None:
    starts = [at(3, 7, 30), at(4, 7, 45), at(5, 21, 0), at(6, 7, 40), at(7, 7, 50)]
    assert usual_minutes(starts, "UTC") == 7 * 60 + 45
    # Of an even count the lower middle: a time the learner did start at.
    assert usual_minutes([at(6, 7), at(7, 9)], "UTC") == 7 * 60


def test_the_habit_is_kept_in_the_learners_own_timezone() -> None:
    # 16:00 in Tokyo is 07:00 UTC; the next local day's 16:00 is tomorrow 07:00 UTC.
    starts = [at(d, 7) for d in (5, 6, 7)]
    assert usual_minutes(starts, "Asia/Tokyo") == 16 * 60
    assert next_practice_ms(starts, at(7, 7, 30), "Asia/Tokyo") == at(8, 7)
    # At 23:00 UTC it is already the 8th in Tokyo: the next practice is on the 9th.
    assert next_practice_ms(starts, at(7, 23), "Asia/Tokyo") == at(9, 7)


def test_daylight_saving_keeps_the_local_time() -> None:
    # Berlin leaves summer time on 25 October 2026: 18:00 local is 16:00 UTC before, 17:00
    # UTC after.
    starts = [int(datetime(2026, 10, d, 16, tzinfo=UTC).timestamp() * 1000) for d in (22, 23, 24)]
    now = int(datetime(2026, 10, 24, 16, 30, tzinfo=UTC).timestamp() * 1000)
    assert next_practice_ms(starts, now, "Europe/Berlin") == int(
        datetime(2026, 10, 25, 17, tzinfo=UTC).timestamp() * 1000)


@given(st.lists(st.integers(at(1, 0), at(14, 0)), max_size=40),
       st.integers(at(14, 0), at(15, 0)))
def test_the_next_practice_is_tomorrow_within_two_days(starts: list[int], now: int) -> None:
    moment = next_practice_ms(starts, now, "America/New_York")
    assert now < moment <= now + 2 * DAY_MS
