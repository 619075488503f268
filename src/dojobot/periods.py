"""Calendar periods in a group's timezone: pure functions of an instant the caller gives.

Kept outside engine/ only because the engine may not import datetime at all; nothing here
reads a clock.
"""

from __future__ import annotations

import functools
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

ALL_TIME_END = 2**62  # an end bound after any real timestamp (ms)
POST_HOUR = 18  # the weekly final board goes out on Sunday at 18:00 group time


class Period(StrEnum):
    """The span a class board covers."""

    WEEK = "week"
    MONTH = "month"
    ALL = "all"


@dataclass(frozen=True)
class Bounds:
    """A half-open span [start_ms, end_ms) in epoch milliseconds."""

    start_ms: int
    end_ms: int


def _local(now_ms: int, tz: str) -> datetime:
    return datetime.fromtimestamp(now_ms // 1000, tz=UTC).astimezone(zoneinfo.ZoneInfo(tz))


def _epoch_ms(local: datetime) -> int:
    return int(local.astimezone(UTC).timestamp()) * 1000


def _midnight(local: datetime) -> datetime:
    # Rebuild from the date so the UTC offset is the one valid at that midnight (DST).
    return datetime(local.year, local.month, local.day, tzinfo=local.tzinfo)


def _week_start_local(now_ms: int, tz: str) -> datetime:
    local = _local(now_ms, tz)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=local.tzinfo)


def _add_days(local_midnight: datetime, days: int) -> datetime:
    day = local_midnight.date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, tzinfo=local_midnight.tzinfo)


def period_bounds(period: Period, now_ms: int, tz: str) -> Bounds:
    """The period containing now_ms: Monday-Sunday, the calendar month, or all time."""
    if period is Period.ALL:
        return Bounds(0, ALL_TIME_END)
    if period is Period.WEEK:
        start = _week_start_local(now_ms, tz)
        return Bounds(_epoch_ms(start), _epoch_ms(_add_days(start, 7)))
    local = _local(now_ms, tz)
    start = _midnight(local.replace(day=1))
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    end = datetime(year, month, 1, tzinfo=local.tzinfo)
    return Bounds(_epoch_ms(start), _epoch_ms(end))


def week_label(week_start_ms: int, tz: str) -> str:
    """'24-30 Nov 2025' or '28 Apr - 4 May 2025' for the week starting then."""
    start = _local(week_start_ms, tz)
    end = start + timedelta(days=6)
    if start.month == end.month:
        return f"{start.day}–{end.day} {end:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"


def period_label(period: Period, now_ms: int, tz: str) -> str:
    """'this week (24–30 Nov 2025)', 'November 2025' or 'all time'."""
    if period is Period.ALL:
        return "all time"
    bounds = period_bounds(period, now_ms, tz)
    if period is Period.WEEK:
        return f"this week ({week_label(bounds.start_ms, tz)})"
    return f"{_local(bounds.start_ms, tz):%B %Y}"


def weekly_post_due(
    now_ms: int, tz: str, last_posted_week: int | None, post_hour: int = POST_HOUR
) -> int | None:
    """The current week's start if its final board is due (Sunday post_hour until midnight)
    and not posted yet; otherwise None. A week missed while the bot was down is skipped."""
    start = _week_start_local(now_ms, tz)
    sunday = _add_days(start, 6)
    post_at = datetime(sunday.year, sunday.month, sunday.day, post_hour, tzinfo=start.tzinfo)
    week_ms = _epoch_ms(start)
    if now_ms < _epoch_ms(post_at):
        return None
    if last_posted_week is not None and last_posted_week >= week_ms:
        return None
    return week_ms


@functools.lru_cache(maxsize=1)
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def resolve_timezone(name: str) -> str | None:
    """The IANA zone a user meant ('europe/berlin' -> 'Europe/Berlin'), or None."""
    return _zones_by_folded_name().get(name.strip().casefold())
