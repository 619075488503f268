"""A learner's streak: consecutive local days (in their timezone) with a finished set."""

from __future__ import annotations

from dataclasses import dataclass

from dojobot.engine.calendar import local_date, streak, zone
from dojobot.storage.db import Database
from dojobot.storage.reminders import finished_set_times, user_timezone

DAY_MS = 24 * 60 * 60 * 1000
# Read recent sets first; only a streak that fills the window needs an older look.
WINDOWS_DAYS = (64, 512, 40_000)


@dataclass(frozen=True)
class Streak:
    """The streak's length and whether today already counts."""

    days: int
    practised_today: bool


async def zone_of(db: Database, user_id: int, default: str) -> str:
    """The learner's timezone name, or the default when they never set one."""
    return await user_timezone(db, user_id) or default


async def current_streak(db: Database, user_id: int, zone_name: str, now_ms: int) -> Streak:
    """The learner's streak as of now in their timezone."""
    tz = zone(zone_name)
    today = local_date(now_ms, tz)
    days = 0
    practised_today = False
    for window in WINDOWS_DAYS:
        times = await finished_set_times(db, user_id, now_ms - window * DAY_MS)
        dates = {local_date(t, tz) for t in times}
        days = streak(dates, today)
        practised_today = today in dates
        if days < window - 2:
            break
    return Streak(days, practised_today)


async def streak_for(db: Database, user_id: int, default_zone: str, now_ms: int) -> Streak:
    """The learner's streak in their own (or the default) timezone."""
    return await current_streak(db, user_id, await zone_of(db, user_id, default_zone), now_ms)
