"""When a learner usually comes back to practise: the moment tomorrow a fact must still be
known at to count as fluent (engine.cards.is_fluent).

The usual time is the local time of day of the learner's first set on each of their recent
days of practice, the median of those (the lower one of an even count, so always a time they
did practise at). Why the day's first set: a fact learnt today is next asked when the
learner comes back, and that is the first set of the next day; a learner who practises at
08:00 and 18:00 is judged at 08:00 tomorrow, 14 hours after the evening set, not 24. Why the
median: a day's odd late start moves it no more than one place. Why local time: a learner
keeps their habit in their own timezone across daylight saving changes.

A learner with fewer than MIN_DAYS days of practice (a new learner) has no habit yet: their
next practice is taken as 24 hours from now.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable

from dojobot.engine.calendar import local_datetime, tomorrow_at, zone
from dojobot.engine.memory import DAY_MS

HISTORY_DAYS = 14  # the recent days whose first sets make the habit
MIN_DAYS = 2  # days with practice before a habit counts


def usual_minutes(set_starts_ms: Iterable[int], tz_name: str) -> int | None:
    """Minutes after local midnight the learner usually starts their day's practice, from
    their sets' start times; None with fewer than MIN_DAYS days of practice."""
    tz = zone(tz_name)
    first: dict[int, int] = {}  # local date (its ordinal): minutes of the day's first set
    for at in sorted(set_starts_ms):
        local = local_datetime(at, tz)
        first.setdefault(local.toordinal(), local.hour * 60 + local.minute)
    if len(first) < MIN_DAYS:
        return None
    return statistics.median_low(first.values())


def next_practice_ms(set_starts_ms: Iterable[int], now_ms: int, tz_name: str) -> int:
    """The learner's next usual practice time: tomorrow (their local date) at their usual
    time of day, or now + 24 h for a learner without a habit yet. `set_starts_ms`: the
    starts of their sets of the last HISTORY_DAYS days."""
    minutes = usual_minutes(set_starts_ms, tz_name)
    if minutes is None:
        return now_ms + DAY_MS
    return tomorrow_at(now_ms, minutes, zone(tz_name))
