"""Fact memory (per learner, topic and fact), the learner's pace, test-out bookkeeping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dojobot.engine.answering import FactUpdate
from dojobot.engine.memory import DEFAULT_PACE_MS, FactMemory
from dojobot.storage.db import Database, Tx

_COLUMNS = (
    "answers, correct, last_ms, last_right, prev_ms, prev_right, box, last_seen_at, due_at"
)
_UPDATE_ALL = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS.split(", "))


def _memory(row: Sequence[Any]) -> FactMemory:
    answers, correct, last_ms, last_right, prev_ms, prev_right, box, seen, due = row
    return FactMemory(
        answers, correct, last_ms, bool(last_right), prev_ms, bool(prev_right), box, seen, due
    )


async def fact_memory(tx: Tx, user_id: int, topic_id: int, fact: str) -> FactMemory | None:
    """Inside the answer's transaction: the fact's memory before the answer (None: new)."""
    row = await tx.fetchone(
        f"SELECT {_COLUMNS} FROM fact_memory WHERE user_id = ? AND topic_id = ? AND fact = ?",
        (user_id, topic_id, fact),
    )
    return _memory(tuple(row)) if row else None


async def keep_memory(tx: Tx, user_id: int, topic_id: int, update: FactUpdate) -> None:
    """Inside the answer's transaction: store the fact's memory after the answer."""
    after = update.memory
    await tx.execute(
        f"""INSERT INTO fact_memory (user_id, topic_id, fact, {_COLUMNS})
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (user_id, topic_id, fact) DO UPDATE SET {_UPDATE_ALL}""",
        (user_id, topic_id, update.fact, after.answers, after.correct, after.last_ms,
         int(after.last_right), after.prev_ms, int(after.prev_right), after.box,
         after.last_seen_at, after.due_at),
    )


async def memories(db: Database, user_id: int, topic_id: int) -> dict[str, FactMemory]:
    """Every fact memory of a learner in a topic, by fact key."""
    async with db.read() as tx:
        rows = await tx.fetchall(
            f"SELECT fact, {_COLUMNS} FROM fact_memory WHERE user_id = ? AND topic_id = ?",
            (user_id, topic_id),
        )
    return {r[0]: _memory(tuple(r)[1:]) for r in rows}


@dataclass(frozen=True)
class ClassFact:
    """How many of a class's members have met a fact and are fluent in it."""

    fact: str
    seen: int
    fluent: int


async def pace_ms(db: Database, user_id: int) -> int:
    """The learner's fluency threshold in ms (3 s for someone the bot has not met)."""
    async with db.read() as tx:
        row = await tx.fetchone('SELECT pace_ms FROM "user" WHERE user_id = ?', (user_id,))
    return int(row[0]) if row else DEFAULT_PACE_MS


async def set_pace(db: Database, user_id: int, pace: int) -> None:
    """Store the learner's fluency threshold (ms; checked by engine.memory.check_pace)."""
    async with db.transaction() as tx:
        await tx.execute('UPDATE "user" SET pace_ms = ? WHERE user_id = ?', (pace, user_id))


async def last_test_out(db: Database, user_id: int, topic_id: int, stage_id: int) -> int | None:
    """When the learner last began a test-out of this topic and stage (epoch ms)."""
    async with db.read() as tx:
        row = await tx.fetchone(
            """SELECT max(start_time) FROM session
               WHERE user_id = ? AND topic_id = ? AND stage_id = ? AND test_out IS NOT NULL""",
            (user_id, topic_id, stage_id),
        )
    return row[0] if row else None
