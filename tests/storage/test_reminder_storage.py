"""The due-reminder claim reads an index, and transactions from concurrent tasks take turns."""

from __future__ import annotations

import asyncio

from tests.support.db import execute, fetchall

from dojobot.engine.nudges import plan_nudge
from dojobot.storage.connect import open_url
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



async def test_two_claimers_at_once_never_claim_one_reminder(migrated_url: str) -> None:
    """Two leaders (a network split) claiming at the same moment, each from its own
    connection: every due reminder goes to exactly one of them, round after round."""
    first, second = await open_url(migrated_url), await open_url(migrated_url)
    try:
        users = range(1, 21)
        for uid in users:
            await add_user(first, uid)
            await set_reminder(first, uid, 600, NOW, NOW - 10_000)

        def decide(due):  # type: ignore[no-untyped-def]
            return plan_nudge(due, NOW)

        for _ in range(10):
            claims = await asyncio.gather(
                claim_due(first, NOW, 20, "UTC", decide),
                claim_due(second, NOW, 20, "UTC", decide),
            )
            claimed = sorted(p.user_id for plans in claims for p in plans)
            assert claimed == list(users)  # each once: none sent twice, none left behind
            await execute(first, "UPDATE reminder SET next_due_at = ?", (NOW,))  # due again
    finally:
        await first.close()
        await second.close()
