"""The calendar: local times, timezones, streaks and board periods.

Pure date math on instants the caller gives (epoch ms); nothing here reads a clock. A
timezone is stored under the name zone_names.parse_zone gives what people type, and read
back here with `zone`.

Daylight saving: a local time that does not exist on a day (spring forward) falls on the
first valid instant after it; a local time that happens twice (fall back) counts once, at
its first occurrence. So a daily time fires exactly once per local date.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dojobot.engine.zone_names import InvalidZone

MINUTES_PER_DAY = 24 * 60
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*([ap]\.?m\.?)?$", re.IGNORECASE)
_STORED_OFFSET = re.compile(r"^UTC([+-])(\d{2}):(\d{2})$")


class InvalidTime(ValueError):
    """Text that is not a time of day."""


def parse_local_time(text: str) -> int:
    """'18:30', '6:30pm', '7', '07.15' -> minutes after local midnight."""
    match = _TIME.match(text.strip())
    if not match:
        raise InvalidTime(text)
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    meridiem = (match.group(3) or "").lower().replace(".", "")
    if meridiem:
        if not 1 <= hours <= 12:
            raise InvalidTime(text)
        hours = hours % 12 + (12 if meridiem == "pm" else 0)
    if hours > 23 or minutes > 59:
        raise InvalidTime(text)
    return hours * 60 + minutes


def zone(name: str) -> tzinfo:
    """The tzinfo for a stored name: an IANA zone or 'UTC+05:30'."""
    if match := _STORED_OFFSET.match(name):
        sign = 1 if match.group(1) == "+" else -1
        offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        return timezone(sign * offset, name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidZone(name) from exc


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def local_datetime(at_ms: int, tz: tzinfo) -> datetime:
    """The instant as an aware local datetime."""
    return datetime.fromtimestamp(at_ms / 1000, tz=tz)


def local_date(at_ms: int, tz: tzinfo) -> date:
    """The learner's calendar date at an instant."""
    return local_datetime(at_ms, tz).date()


def _exists(wall: datetime, tz: tzinfo) -> int | None:
    """The instant of a wall time (first one if it happens twice), None if it is skipped."""
    aware = wall.replace(tzinfo=tz, fold=0)
    instant = aware.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall:
        return None
    return _ms(instant)


def occurrence_on(day: date, minutes: int, tz: tzinfo) -> int:
    """When `minutes` after local midnight happens on `day` (first valid instant, once)."""
    wall = datetime.combine(day, time(minutes // 60, minutes % 60))
    # A skipped wall time moves to the first whole minute that exists (the end of the gap);
    # gaps are an hour, rarely a day (Samoa 2011), so this loop is short.
    for step in range(2 * MINUTES_PER_DAY):
        instant = _exists(wall + timedelta(minutes=step), tz)
        if instant is not None:
            return instant
    raise ValueError(f"no valid local time near {wall} in {tz}")


def next_occurrence(after_ms: int, minutes: int, tz: tzinfo) -> int:
    """The first instant strictly after `after_ms` whose local time is the daily time."""
    today = local_date(after_ms, tz)
    for delta in (-1, 0, 1, 2, 3):
        candidate = occurrence_on(today + timedelta(days=delta), minutes, tz)
        if candidate > after_ms:
            return candidate
    raise ValueError("no next occurrence")  # unreachable: a day always has one


def tomorrow_at(now_ms: int, minutes: int, tz: tzinfo) -> int:
    """`minutes` after local midnight on the local date after now's (first valid instant)."""
    return occurrence_on(local_date(now_ms, tz) + timedelta(days=1), minutes, tz)


def streak(days: Iterable[date], today: date) -> int:
    """Consecutive practice days ending today, or yesterday if today has none yet."""
    practised = set(days)
    day = today if today in practised else today - timedelta(days=1)
    count = 0
    while day in practised:
        count += 1
        day -= timedelta(days=1)
    return count


def streak_of_times(times_ms: Sequence[int], now_ms: int, tz: str) -> int:
    """streak() of the local days of these times (sorted), walked back a day at a time
    from today: a day's bounds per streak day instead of a local date per time (the
    class dashboard's busiest class has 27,000 sets in its 100-day window)."""

    def practised(day: Bounds) -> bool:
        i = bisect_left(times_ms, day.start_ms)
        return i < len(times_ms) and times_ms[i] < day.end_ms

    day = day_bounds(now_ms, tz)
    if not practised(day):
        day = day_bounds(day.start_ms - 1, tz)
    count = 0
    while practised(day):
        count += 1
        day = day_bounds(day.start_ms - 1, tz)
    return count


# ------------------------------------------------------------------ board periods

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
    return datetime.fromtimestamp(now_ms // 1000, tz=UTC).astimezone(zone(tz))


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


def utc_moment(at_ms: int) -> datetime:
    """An instant in epoch ms as an aware UTC datetime (for libraries that want one)."""
    return datetime.fromtimestamp(at_ms / 1000, tz=UTC)


def moment_ms(moment: datetime) -> int:
    """An aware datetime back to epoch ms (to the millisecond)."""
    return round(moment.timestamp() * 1000)


def day_bounds(now_ms: int, tz: str) -> Bounds:
    """The learner's local day containing now_ms: [midnight, next midnight)."""
    start = _midnight(_local(now_ms, tz))
    return Bounds(_epoch_ms(start), _epoch_ms(_add_days(start, 1)))


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


def weeks_back(now_ms: int, tz: str, count: int) -> list[Bounds]:
    """The `count` weeks up to and including the current one (Monday to Monday in `tz`),
    oldest first."""
    weeks = [period_bounds(Period.WEEK, now_ms, tz)]
    while len(weeks) < count:
        weeks.append(period_bounds(Period.WEEK, weeks[-1].start_ms - 1, tz))
    return weeks[::-1]


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
