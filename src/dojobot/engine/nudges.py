"""What to do with a daily reminder that fell due: send, skip, drop or pause. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dojobot.engine.calendar import local_date, next_occurrence, zone

LATE_LIMIT_MS = 60 * 60 * 1000  # a nudge missed by an hour or more is dropped, not sent late
MAX_IGNORED = 7  # nudges in a row without practice before reminders pause


class Action(StrEnum):
    """The outcome for one due reminder."""

    SEND = "send"
    PAUSE = "pause"  # tell the learner once that reminders are paused
    SKIP_PRACTISED = "skip-practised"
    SKIP_STALE = "skip-stale"
    SKIP_BLOCKED = "skip-blocked"
    SKIP_ALREADY_SENT = "skip-already-sent"


@dataclass(frozen=True)
class DueReminder:
    """A reminder whose next_due_at has passed, with what deciding about it needs."""

    user_id: int
    local_minutes: int
    next_due_at: int
    timezone: str
    ignored_in_a_row: int
    last_sent_at: int | None
    last_sent_on: str | None  # ISO local date of the last nudge sent
    last_practised_at: int | None  # end of the learner's last finished set
    blocked: bool


@dataclass(frozen=True)
class NudgePlan:
    """The decision and the reminder's new state (written before anything is sent)."""

    user_id: int
    action: Action
    next_due_at: int | None
    ignored_in_a_row: int
    paused: bool
    last_sent_at: int | None
    last_sent_on: str | None
    due_at: int
    timezone: str


def plan_nudge(due: DueReminder, now_ms: int) -> NudgePlan:
    """Decide about one due reminder and compute its next due time."""
    tz = zone(due.timezone)
    due_day = local_date(due.next_due_at, tz)
    practised_since_nudge = (
        due.last_sent_at is not None
        and due.last_practised_at is not None
        and due.last_practised_at >= due.last_sent_at
    )
    ignored = 0 if practised_since_nudge else due.ignored_in_a_row
    practised_that_day = due.last_practised_at is not None and (
        local_date(due.last_practised_at, tz) == due_day
        or due.last_practised_at >= due.next_due_at
    )
    # Advance from the later of due and now: a late nudge still moves to the next day, and
    # after a long outage we jump straight to the next future time instead of replaying days.
    following = next_occurrence(max(due.next_due_at, now_ms), due.local_minutes, tz)
    action = Action.SEND
    if due.blocked:
        action = Action.SKIP_BLOCKED
    elif now_ms - due.next_due_at >= LATE_LIMIT_MS:
        action = Action.SKIP_STALE
    elif due.last_sent_on == due_day.isoformat():
        action = Action.SKIP_ALREADY_SENT  # e.g. the time or zone changed after today's nudge
    elif practised_that_day:
        action = Action.SKIP_PRACTISED
        ignored = 0
    elif ignored >= MAX_IGNORED:
        action = Action.PAUSE
    if action is Action.PAUSE:
        return NudgePlan(due.user_id, action, None, ignored, True, due.last_sent_at,
                         due.last_sent_on, due.next_due_at, due.timezone)
    if action is Action.SEND:
        return NudgePlan(due.user_id, action, following, ignored + 1, False, now_ms,
                         due_day.isoformat(), due.next_due_at, due.timezone)
    return NudgePlan(due.user_id, action, following, ignored, False, due.last_sent_at,
                     due.last_sent_on, due.next_due_at, due.timezone)


def first_due(now_ms: int, local_minutes: int, zone_name: str, last_sent_on: str | None) -> int:
    """When a newly set (or re-zoned) reminder is next due; never twice on one local date."""
    tz = zone(zone_name)
    due = next_occurrence(now_ms, local_minutes, tz)
    if last_sent_on is not None and local_date(due, tz).isoformat() == last_sent_on:
        due = next_occurrence(due, local_minutes, tz)
    return due
