"""Daily reminders: settings, the due-reminder claim, and the practice facts nudges need."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dojobot.engine.nudges import DueReminder, NudgePlan
from dojobot.storage.db import Database

# The due reminders, oldest first; reads reminder_due and session_user_finished. Claimed
# with the dialect's claim_rows (the reminder table is `r` for PostgreSQL's FOR UPDATE OF r).
DUE_SQL = """SELECT r.user_id, r.local_minutes, r.next_due_at,
       coalesce(u.timezone, ?) AS timezone, r.ignored_in_a_row,
                  r.last_sent_at, r.last_sent_on,
                  (SELECT max(s.end_time) FROM session s
                    WHERE s.user_id = r.user_id
                      AND s.end_time IS NOT NULL AND s.total_reps > 0) AS practised,
                  u.blocked_at IS NOT NULL AS blocked
           FROM reminder r JOIN "user" u ON u.user_id = r.user_id
           WHERE r.next_due_at <= ?
           ORDER BY r.next_due_at
           LIMIT ?"""


@dataclass(frozen=True)
class Reminder:
    """A learner's reminder setting and where its schedule stands."""

    user_id: int
    local_minutes: int
    enabled: bool
    paused: bool
    next_due_at: int | None
    ignored_in_a_row: int
    last_sent_on: str | None


@dataclass(frozen=True)
class LastSet:
    """The topic and level of the learner's most recent set."""

    topic_id: int
    level_id: int | None


async def get_reminder(db: Database, user_id: int) -> Reminder | None:
    """The learner's reminder, if they ever set one."""
    async with db.read() as tx:
        row = await tx.fetchone(
            """SELECT user_id, local_minutes, enabled, paused, next_due_at, ignored_in_a_row,
                      last_sent_on
               FROM reminder WHERE user_id = ?""",
            (user_id,),
        )
    if row is None:
        return None
    return Reminder(row[0], row[1], bool(row[2]), bool(row[3]), row[4], row[5], row[6])


async def set_reminder(
    db: Database, user_id: int, local_minutes: int, next_due_at: int, now_ms: int
) -> None:
    """Turn the reminder on at a local time (this also lifts a pause)."""
    async with db.transaction() as tx:
        await tx.execute(
            """INSERT INTO reminder (user_id, local_minutes, enabled, paused, next_due_at,
                                     ignored_in_a_row, updated_at)
               VALUES (?, ?, 1, 0, ?, 0, ?)
               ON CONFLICT (user_id) DO UPDATE SET
                   local_minutes = excluded.local_minutes, enabled = 1, paused = 0,
                   next_due_at = excluded.next_due_at, ignored_in_a_row = 0,
                   updated_at = excluded.updated_at""",
            (user_id, local_minutes, next_due_at, now_ms),
        )


async def turn_off(db: Database, user_id: int, now_ms: int) -> bool:
    """Stop nudges (keeping the chosen time); False if none were on."""
    async with db.transaction() as tx:
        changed = await tx.execute(
            """UPDATE reminder SET enabled = 0, paused = 0, next_due_at = NULL, updated_at = ?
               WHERE user_id = ? AND enabled = 1""",
            (now_ms, user_id),
        )
    return changed == 1


async def reschedule(db: Database, user_id: int, next_due_at: int, now_ms: int) -> None:
    """Move an active reminder's next due time (after a timezone change)."""
    async with db.transaction() as tx:
        await tx.execute(
            """UPDATE reminder SET next_due_at = ?, updated_at = ?
               WHERE user_id = ? AND next_due_at IS NOT NULL""",
            (next_due_at, now_ms, user_id),
        )


async def claim_due(
    db: Database,
    now_ms: int,
    limit: int,
    default_timezone: str,
    decide: Callable[[DueReminder], NudgePlan],
) -> list[NudgePlan]:
    """Claim up to `limit` due reminders and store each one's new state, in one transaction.

    The new next_due_at is committed before anything is sent, so a crash can lose a nudge
    but never send one twice; two claimers at once (two leaders after a network split)
    never claim the same reminder (the dialect's claim_rows).
    """
    async with db.transaction() as tx:
        rows = await tx.fetchall(DUE_SQL + db.dialect.claim_rows,
                                 (default_timezone, now_ms, limit))
        plans = [
            decide(DueReminder(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8])))
            for r in rows
        ]
        await tx.executemany(
            """UPDATE reminder SET next_due_at = ?, ignored_in_a_row = ?, paused = ?,
                   last_sent_at = ?, last_sent_on = ?, updated_at = ?
               WHERE user_id = ?""",
            [
                (p.next_due_at, p.ignored_in_a_row, int(p.paused), p.last_sent_at,
                 p.last_sent_on, now_ms, p.user_id)
                for p in plans
            ],
        )
    return plans


async def finished_set_times(db: Database, user_id: int, since_ms: int) -> list[int]:
    """End times of the learner's finished sets with answers since `since_ms`, newest first."""
    async with db.read() as tx:
        rows = await tx.fetchall(
            """SELECT end_time FROM session
               WHERE user_id = ? AND end_time IS NOT NULL AND total_reps > 0 AND end_time >= ?
               ORDER BY end_time DESC""",
            (user_id, since_ms),
        )
    return [r[0] for r in rows]


async def last_set(db: Database, user_id: int) -> LastSet | None:
    """The learner's most recent set (running or finished)."""
    async with db.read() as tx:
        row = await tx.fetchone(
            """SELECT topic_id, difficulty_level_id FROM session
               WHERE user_id = ? ORDER BY start_time DESC, session_id DESC LIMIT 1""",
            (user_id,),
        )
    return LastSet(row[0], row[1]) if row else None


async def user_timezone(db: Database, user_id: int) -> str | None:
    """The learner's own timezone, None when they never set one."""
    async with db.read() as tx:
        row = await tx.fetchone('SELECT timezone FROM "user" WHERE user_id = ?', (user_id,))
    return row[0] if row else None


async def set_user_timezone(db: Database, user_id: int, name: str) -> None:
    """Store the learner's timezone (an IANA name or 'UTC+05:30')."""
    async with db.transaction() as tx:
        await tx.execute('UPDATE "user" SET timezone = ? WHERE user_id = ?', (name, user_id))
