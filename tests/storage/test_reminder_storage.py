"""The due-reminder claim reads an index, and transactions from concurrent tasks take turns."""

from __future__ import annotations

from tests.support.db import fetchall

from dojobot.engine.nudges import plan_nudge
from dojobot.storage.db import Database
from dojobot.storage.reminders import DUE_SQL, claim_due, get_reminder, set_reminder

NOW = 1_780_000_000_000


async def add_user(db: Database, user_id: int) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            'INSERT INTO "user" (user_id, first_name, created_at, last_seen_at) '
            'VALUES (?, ?, ?, ?)',
            (user_id, f"u{user_id}", NOW, NOW),
        )


async def test_due_query_uses_the_partial_index(sqlite_db: Database) -> None:
    rows = await fetchall(sqlite_db, f"EXPLAIN QUERY PLAN {DUE_SQL}", ("UTC", NOW, 100))
    details = [r["detail"] for r in rows]
    assert any("INDEX reminder_due (next_due_at<?)" in d for d in details), details
    assert not any(d.startswith("SCAN r") or "TEMP B-TREE" in d for d in details), details
    rows = await fetchall(
        sqlite_db,
        "EXPLAIN QUERY PLAN SELECT max(end_time) FROM session "
        "WHERE user_id = ? AND end_time IS NOT NULL AND total_reps > 0",
        (1,),
    )
    assert any("session_user_finished" in r["detail"] for r in rows), [tuple(r) for r in rows]


async def test_claim_takes_a_bounded_batch_once(migrated_db: Database) -> None:
    for uid in range(1, 8):
        await add_user(migrated_db, uid)
        await set_reminder(migrated_db, uid, 600, NOW - uid * 1000, NOW - 10_000)

    def decide(due):  # type: ignore[no-untyped-def]
        return plan_nudge(due, NOW)

    first = await claim_due(migrated_db, NOW, 5, "UTC", decide)
    second = await claim_due(migrated_db, NOW, 5, "UTC", decide)
    third = await claim_due(migrated_db, NOW, 5, "UTC", decide)
    assert [p.user_id for p in first] == [7, 6, 5, 4, 3]  # oldest due first
    assert [p.user_id for p in second] == [2, 1]
    assert third == []
    reminder = await get_reminder(migrated_db, 7)
    assert reminder is not None
    assert reminder.next_due_at is not None
    assert reminder.next_due_at > NOW

