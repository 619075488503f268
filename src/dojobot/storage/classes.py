"""Classes (Telegram groups), their members and settings, and the board's queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dojobot.engine.calendar import ALL_TIME_END
from dojobot.engine.leaderboard import Entry
from dojobot.storage.db import Database, Row, Tx


@dataclass(frozen=True)
class ClassGroup:
    """A group run as a class, with its board settings."""

    chat_id: int
    title: str
    timezone: str
    period: str
    topic_id: int | None
    weekly_post: bool
    last_posted_week: int | None
    active: bool


_COLUMNS = "chat_id, title, timezone, period, topic_id, weekly_post, last_posted_week, active"
# The settings an admin may change, mapped to their columns (never user-supplied names).
_SETTINGS = {"period": "period", "topic_id": "topic_id", "weekly_post": "weekly_post",
             "timezone": "timezone"}


def _class(r: Row) -> ClassGroup:
    return ClassGroup(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], bool(r[7]))


async def _get_class(tx: Tx, chat_id: int) -> ClassGroup | None:
    row = await tx.fetchone(f"SELECT {_COLUMNS} FROM class_group WHERE chat_id = ?", (chat_id,))
    return _class(row) if row else None


async def get_class(db: Database, chat_id: int) -> ClassGroup | None:
    """The class of a group, if the bot ever was in it."""
    async with db.read() as tx:
        return await _get_class(tx, chat_id)


async def activate_class(
    db: Database, chat_id: int, title: str, timezone: str, now_ms: int
) -> tuple[ClassGroup, bool]:
    """Create the class or mark it active again; True when it was not active before."""
    async with db.transaction() as tx:
        before = await _get_class(tx, chat_id)
        await tx.execute(
            """INSERT INTO class_group (chat_id, title, timezone, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (chat_id) DO UPDATE SET
                   title = excluded.title, active = 1, updated_at = excluded.updated_at""",
            (chat_id, title, timezone, now_ms, now_ms),
        )
        after = await _get_class(tx, chat_id)
    assert after is not None
    return after, before is None or not before.active


async def deactivate_class(db: Database, chat_id: int, now_ms: int) -> bool:
    """The bot left or was removed: keep the class, stop posting. True if it was active."""
    async with db.transaction() as tx:
        changed = await tx.execute(
            "UPDATE class_group SET active = 0, updated_at = ? WHERE chat_id = ? AND active = 1",
            (now_ms, chat_id),
        )
    return changed == 1


async def delete_class(db: Database, chat_id: int) -> bool:
    """Delete the class, its settings and member list (members cascade). False if none."""
    async with db.transaction() as tx:
        return await tx.execute("DELETE FROM class_group WHERE chat_id = ?", (chat_id,)) == 1


async def delete_abandoned_classes(db: Database, inactive_since_ms: int) -> int:
    """Delete classes the bot has been out of since before the cutoff; how many went.

    An inactive class's updated_at is when the bot left: nothing else writes to it while the
    bot is out (settings need a command in the group), and coming back makes it active.
    """
    async with db.transaction() as tx:
        return await tx.execute(
            "DELETE FROM class_group WHERE active = 0 AND updated_at < ?", (inactive_since_ms,)
        )


async def update_class(db: Database, chat_id: int, now_ms: int, **changes: object) -> None:
    """Change board settings (period, topic_id, weekly_post, timezone)."""
    unknown = set(changes) - set(_SETTINGS)
    if unknown:
        raise ValueError(f"not a class setting: {sorted(unknown)}")
    if not changes:
        return
    assignments = ", ".join(f"{_SETTINGS[name]} = ?" for name in changes)
    async with db.transaction() as tx:
        await tx.execute(
            f"UPDATE class_group SET {assignments}, updated_at = ? WHERE chat_id = ?",
            (*changes.values(), now_ms, chat_id),
        )


async def migrate_class(db: Database, old_chat_id: int, new_chat_id: int, now_ms: int) -> bool:
    """Move a class, its members and settings to a supergroup's new id, in one transaction.

    If the new id already has a class (its updates arrived first), members are merged and
    the old class's settings win. Returns False when there was nothing to move.
    """
    async with db.transaction() as tx:
        if await _get_class(tx, old_chat_id) is None:
            return False
        if await _get_class(tx, new_chat_id) is not None:
            await tx.execute(
                """INSERT INTO class_member (chat_id, user_id, joined_at)
                   SELECT ?, user_id, joined_at FROM class_member WHERE chat_id = ?
                   ON CONFLICT DO NOTHING""",
                (old_chat_id, new_chat_id),
            )
            await tx.execute("DELETE FROM class_group WHERE chat_id = ?", (new_chat_id,))
        # ON UPDATE CASCADE carries the members along.
        await tx.execute(
            "UPDATE class_group SET chat_id = ?, updated_at = ? WHERE chat_id = ?",
            (new_chat_id, now_ms, old_chat_id),
        )
    return True


async def join_class(db: Database, chat_id: int, user_id: int, now_ms: int) -> bool:
    """Add a learner to a class; False if they were already in it."""
    async with db.transaction() as tx:
        changed = await tx.execute(
            """INSERT INTO class_member (chat_id, user_id, joined_at) VALUES (?, ?, ?)
               ON CONFLICT DO NOTHING""",
            (chat_id, user_id, now_ms),
        )
    return changed == 1


async def leave_class(db: Database, chat_id: int, user_id: int) -> bool:
    """Remove a learner from a class (their answers stay); False if they were not in it."""
    async with db.transaction() as tx:
        changed = await tx.execute(
            "DELETE FROM class_member WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
        )
    return changed == 1


async def is_member(db: Database, chat_id: int, user_id: int) -> bool:
    """Whether the learner joined the class."""
    async with db.read() as tx:
        row = await tx.fetchone(
            "SELECT 1 FROM class_member WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
        )
    return row is not None


async def member_count(db: Database, chat_id: int) -> int:
    """How many learners joined the class."""
    async with db.read() as tx:
        row = await tx.fetchone(
            "SELECT count(*) FROM class_member WHERE chat_id = ?", (chat_id,)
        )
    return int(row[0]) if row else 0


# A week or a month: each member's reps and right answers, then each member's true median
# (the middle response time, or the mean of the middle two) as a walk to the middle of
# their answers in the span, sorted. Both read attempt_user_time alone, which carries the
# topic, the outcome and the time (migration 0010): a member's answers in a span are one
# contiguous run of it, so a cold board reads a few pages per member, not one table page
# per answer. (The one window-function query this replaced sorted the whole class's
# answers at once: 31 ms warm for the worst class of the 10M-answer file, against 7 ms.)
# Pinned: with ANALYZE statistics the planner may skip-scan every user in the index.
_SPAN_TOTALS = """
SELECT m.user_id, coalesce(u.nickname, u.first_name), count(a.user_id) AS reps,
       coalesce(sum(a.correct), 0)
FROM class_member m
JOIN "user" u ON u.user_id = m.user_id
LEFT JOIN attempt a INDEXED BY attempt_user_time
       ON a.user_id = m.user_id AND a.answered_at >= ?2 AND a.answered_at < ?3
      AND (CAST(?4 AS INTEGER) IS NULL OR a.topic_id = ?4)
WHERE m.chat_id = ?1
GROUP BY m.user_id, u.nickname, u.first_name
"""
# The middle answers of one member ({user}), as many as {limit} after skipping {offset}:
# the other parameters are the totals' after the chat (span and topic).
_SPAN_MIDDLE = """
SELECT response_ms FROM attempt INDEXED BY attempt_user_time
WHERE user_id = {user} AND answered_at >= ?2 AND answered_at < ?3
  AND (CAST(?4 AS INTEGER) IS NULL OR topic_id = ?4)
ORDER BY response_ms LIMIT {limit} OFFSET {offset}
"""


async def member_stats(
    db: Database, chat_id: int, start_ms: int, end_ms: int, topic_id: int | None,
    only: int | None = None,
) -> list[Entry]:
    """Every member's reps, correct answers and median time in the span (0 reps if none);
    with `only`, that member's alone (the class's totals are one cheap statement; the
    medians, a walk per member, are the cost)."""
    span: tuple[object, ...]
    if start_ms <= 0 and end_ms >= ALL_TIME_END:
        totals, middle, span = _ALL_TIME_TOTALS, _MIDDLE, (topic_id,)
    else:
        totals, middle, span = _SPAN_TOTALS, _SPAN_MIDDLE, (start_ms, end_ms, topic_id)
    async with db.read(heavy=True) as tx:
        if only is None and db.dialect.correlated_limit:
            rows = await tx.fetchall(_in_one_statement(totals, middle), (chat_id, *span))
            return [_entry(r, None if r[4] is None else float(r[4])) for r in rows]
        found = await tx.fetchall(totals, (chat_id, *span))
        return await _with_medians(
            tx, [r for r in found if only in (None, r[0])], middle, span
        )


# All time: reps and correct answers from user_progress (counted in each answer's own
# transaction), and each member's median from attempt_user_response (migration 0006), which
# holds their response times in order: LIMIT/OFFSET walks to the middle entries without
# reading the table or sorting.
_ALL_TIME_TOTALS = """
SELECT m.user_id, coalesce(u.nickname, u.first_name),
       coalesce(sum(p.total_reps), 0) AS reps, coalesce(sum(p.correct_reps), 0)
FROM class_member m
JOIN "user" u ON u.user_id = m.user_id
LEFT JOIN user_progress p
       ON p.user_id = m.user_id AND (CAST(?2 AS INTEGER) IS NULL OR p.topic_id = ?2)
WHERE m.chat_id = ?1
GROUP BY m.user_id, u.nickname, u.first_name
"""
_MIDDLE = """
SELECT response_ms FROM attempt INDEXED BY attempt_user_response
WHERE user_id = {user} AND (CAST(?2 AS INTEGER) IS NULL OR topic_id = ?2)
ORDER BY response_ms LIMIT {limit} OFFSET {offset}
"""


def _in_one_statement(totals: str, middle: str) -> str:
    """The totals with each member's median as a fifth column, the walk to their middle
    answers as a subquery whose LIMIT and OFFSET read the member's row: one round trip for
    the class (on PostgreSQL, 40 round trips cost more than the walks on a busy server;
    BENCHMARKS.md #dashboard). The mean of the middle one or two, as _with_medians takes."""
    reps = "CAST(t.reps AS INTEGER)"  # PostgreSQL's sum() is a numeric: 7 / 2 is 3.5
    walk = middle.format(user="t.user_id", limit=f"2 - {reps} % 2",
                         offset=f"({reps} - 1) / 2")
    return f"""SELECT t.*, CASE WHEN t.reps > 0 THEN
    (SELECT avg(x.response_ms) FROM ({walk}) x) END
FROM ({totals}) t"""


def _entry(row: Row, median: float | None) -> Entry:
    # int(): PostgreSQL's sum() over BIGINT is a numeric (a Python Decimal).
    return Entry(row[0], row[1], int(row[2]), int(row[3]), median)


def walk_of_one(middle: str, span_parameters: int) -> str:
    """`middle` for one member, taking (user, *span, how many, how many to skip)."""
    n = span_parameters + 1
    return middle.format(user="?1", limit=f"?{n + 1}", offset=f"?{n + 2}")


async def _with_medians(
    tx: Tx, totals: Sequence[Row], middle: str, span: tuple[object, ...]
) -> list[Entry]:
    """Entries from (user, name, reps, correct) rows, each member's median walked to in a
    statement of its own: `middle` takes (user, *span, how many middle answers, how many
    to skip)."""
    walk = walk_of_one(middle, len(span))
    entries = []
    for row in totals:
        reps = int(row[2])
        median = None
        if reps:
            # The middle answer, or the mean of the middle two when reps is even.
            found = await tx.fetchall(walk, (row[0], *span, 2 - reps % 2, (reps - 1) // 2))
            median = sum(r[0] for r in found) / len(found)
        entries.append(_entry(row, median))
    return entries


async def member_stages(db: Database, chat_id: int) -> dict[int, dict[int, int]]:
    """user id -> {topic id: current stage} for the topics each member has practised."""
    async with db.read(heavy=True) as tx:
        rows = await tx.fetchall(
            """SELECT p.user_id, p.topic_id, p.stage_id
               FROM class_member m JOIN user_progress p ON p.user_id = m.user_id
               WHERE m.chat_id = ? AND p.total_reps > 0""",
            (chat_id,),
        )
    stages: dict[int, dict[int, int]] = {}
    for r in rows:
        stages.setdefault(r[0], {})[r[1]] = r[2]
    return stages


async def weekly_candidates(db: Database) -> list[ClassGroup]:
    """Active classes with the weekly post on."""
    async with db.read() as tx:
        rows = await tx.fetchall(
            f"SELECT {_COLUMNS} FROM class_group WHERE weekly_post = 1 AND active = 1"
        )
    return [_class(r) for r in rows]


async def claim_weekly_post(db: Database, chat_id: int, week_start_ms: int) -> bool:
    """Record the week as posted before posting; False if it already was (no double post)."""
    async with db.transaction() as tx:
        changed = await tx.execute(
            """UPDATE class_group SET last_posted_week = ?1
               WHERE chat_id = ?2 AND (last_posted_week IS NULL OR last_posted_week < ?1)""",
            (week_start_ms, chat_id),
        )
    return changed == 1


async def release_weekly_post(
    db: Database, chat_id: int, week_start_ms: int, previous: int | None
) -> None:
    """Undo a claim after a send that failed for a passing reason, so the job retries."""
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE class_group SET last_posted_week = ? WHERE chat_id = ? "
            "AND last_posted_week = ?",
            (previous, chat_id, week_start_ms),
        )


# Nicknames live on the user row; they exist for class boards, so their storage lives here.
async def set_nickname(db: Database, user_id: int, nickname: str | None) -> None:
    """Set (or clear, with None) the name the learner shows on class boards."""
    async with db.transaction() as tx:
        await tx.execute('UPDATE "user" SET nickname = ? WHERE user_id = ?', (nickname, user_id))


async def get_nickname(db: Database, user_id: int) -> str | None:
    """The learner's nickname, if they set one."""
    async with db.read() as tx:
        row = await tx.fetchone('SELECT nickname FROM "user" WHERE user_id = ?', (user_id,))
    return row[0] if row else None
