"""A class's weekly focus (migration 0012): set, cleared, read, and who has met it.

A focus row belongs to one week of its class ([week_start, week_end), the board's week in
the class's timezone), so reading "the focus now" is a keyed range read, and a new week
starts without one. Who met it is counted from the members' sets (engine/focus.py says
which sets count), for current members only: someone who left the class is not listed.
"""

from __future__ import annotations

from dataclasses import dataclass

from dojobot.engine.calendar import Bounds
from dojobot.engine.focus import check_target
from dojobot.storage.db import Database, Row, Tx


@dataclass(frozen=True)
class Focus:
    """A class's focus for one week."""

    chat_id: int
    week_start: int
    week_end: int
    topic_id: int
    level_id: int
    target_sets: int | None
    set_by: int | None
    set_at: int


@dataclass(frozen=True)
class MemberFocus:
    """A focus of a class the learner is in, and how many of its sets they have done."""

    focus: Focus
    title: str
    sets_done: int


@dataclass(frozen=True)
class FocusSets:
    """A current member and their sets toward the focus."""

    user_id: int
    name: str
    sets_done: int


_COLUMNS = (
    "f.chat_id, f.week_start, f.week_end, f.topic_id, f.difficulty_level_id, f.target_sets, "
    "f.set_by, f.set_at"
)
# The member's sets toward the focus f: started in its week, of its topic and level,
# finished with answers (session_user_topic leads with user and topic, then start time).
_SETS_DONE = """(SELECT count(*) FROM session s
    WHERE s.user_id = m.user_id AND s.topic_id = f.topic_id
      AND s.start_time >= f.week_start AND s.start_time < f.week_end
      AND s.difficulty_level_id = f.difficulty_level_id
      AND s.end_time IS NOT NULL AND s.total_reps > 0 AND s.test_out IS NULL)"""


def _focus(r: Row) -> Focus:
    return Focus(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])


async def _focus_at(tx: Tx, chat_id: int, at_ms: int) -> Focus | None:
    row = await tx.fetchone(
        f"""SELECT {_COLUMNS} FROM class_focus f
            WHERE f.chat_id = ?1 AND f.week_start <= ?2 AND f.week_end > ?2
            ORDER BY f.week_start DESC LIMIT 1""",
        (chat_id, at_ms),
    )
    return _focus(row) if row else None


async def set_focus(
    db: Database, chat_id: int, week: Bounds, topic_id: int, level_id: int,
    target_sets: int | None, set_by: int | None, now_ms: int,
) -> Focus:
    """Set (or replace) the class's focus for the week; the caller checked the topic and
    level against the catalogue. ValueError for a target out of range."""
    check_target(target_sets)
    async with db.transaction() as tx:
        await tx.execute(
            """INSERT INTO class_focus (chat_id, week_start, week_end, topic_id,
                   difficulty_level_id, target_sets, set_by, set_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (chat_id, week_start) DO UPDATE SET
                   week_end = excluded.week_end, topic_id = excluded.topic_id,
                   difficulty_level_id = excluded.difficulty_level_id,
                   target_sets = excluded.target_sets, set_by = excluded.set_by,
                   set_at = excluded.set_at""",
            (chat_id, week.start_ms, week.end_ms, topic_id, level_id, target_sets, set_by,
             now_ms),
        )
        focus = await _focus_at(tx, chat_id, week.start_ms)
    assert focus is not None
    return focus


async def clear_focus(db: Database, chat_id: int, week_start: int) -> bool:
    """Remove the class's focus of that week; False if it had none."""
    async with db.transaction() as tx:
        changed = await tx.execute(
            "DELETE FROM class_focus WHERE chat_id = ? AND week_start = ?", (chat_id, week_start)
        )
    return changed == 1


async def focus_at(db: Database, chat_id: int, at_ms: int) -> Focus | None:
    """The class's focus for the week holding `at_ms`, if it has one."""
    async with db.read() as tx:
        return await _focus_at(tx, chat_id, at_ms)


async def member_focuses(db: Database, user_id: int, at_ms: int) -> list[MemberFocus]:
    """This week's focus of each active class the learner is in, with their sets so far."""
    async with db.read() as tx:
        rows = await tx.fetchall(
            f"""SELECT {_COLUMNS}, g.title, {_SETS_DONE}
                FROM class_member m
                JOIN class_group g ON g.chat_id = m.chat_id AND g.active = 1
                JOIN class_focus f ON f.chat_id = m.chat_id
                     AND f.week_start <= ?2 AND f.week_end > ?2
                WHERE m.user_id = ?1
                ORDER BY m.joined_at, m.chat_id""",
            (user_id, at_ms),
        )
    return [MemberFocus(_focus(r), r[8], int(r[9])) for r in rows]


async def focus_progress(db: Database, focus: Focus) -> list[FocusSets]:
    """Every current member of the focus's class and their sets toward it, by name."""
    async with db.read(heavy=True) as tx:
        rows = await tx.fetchall(
            f"""SELECT m.user_id, coalesce(u.nickname, u.first_name), {_SETS_DONE}
                FROM class_member m
                JOIN "user" u ON u.user_id = m.user_id
                JOIN class_focus f ON f.chat_id = m.chat_id AND f.week_start = ?2
                WHERE m.chat_id = ?1""",
            (focus.chat_id, focus.week_start),
        )
    members = [FocusSets(r[0], r[1], int(r[2])) for r in rows]
    return sorted(members, key=lambda m: (-m.sets_done, m.name.casefold(), m.user_id))
