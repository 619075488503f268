"""Migration 0006: user_topic_total stays equal to the raw attempts; all-time boards use it."""

from __future__ import annotations

import random
import statistics

from dojobot.storage import classes as store
from dojobot.storage.db import Database
from dojobot.storage.migrator import migrate_down, migrate_up
from tests.classes.test_class_storage import CHAT, add_attempts, add_user

ALL_TIME_END = 2**62


async def totals(db: Database) -> dict[tuple[int, int], tuple[int, int]]:
    rows = await db.fetchall("SELECT user_id, topic_id, reps, correct FROM user_topic_total")
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


async def raw(db: Database) -> dict[tuple[int, int], tuple[int, int]]:
    rows = await db.fetchall(
        "SELECT user_id, topic_id, count(*), sum(correct) FROM attempt GROUP BY 1, 2"
    )
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


async def seed_class(db: Database, rng: random.Random, learners: int = 8) -> None:
    await store.activate_class(db, CHAT, "7A", "UTC", 0)
    for uid in range(1, learners + 1):
        await add_user(db, uid, f"L{uid}")
        rows = [
            (rng.choice([1, 2, 3]), rng.random() < 0.7, rng.randint(300, 9000),
             rng.randint(1, 10**6))
            for _ in range(rng.randint(0, 60))
        ]
        await add_attempts(db, uid, rows)
        if uid % 4:  # every 4th practises but never joins
            await store.join_class(db, CHAT, uid, 0)


async def test_totals_follow_inserts_updates_and_deletes(migrated_db: Database) -> None:
    db = migrated_db
    await seed_class(db, random.Random(3))
    assert await totals(db) == await raw(db)
    assert await totals(db)  # not trivially empty
    await db.conn.execute("UPDATE attempt SET correct = 1 - correct WHERE attempt_id % 3 = 0")
    await db.conn.execute("UPDATE attempt SET topic_id = 4 WHERE attempt_id % 5 = 0")
    await db.conn.execute("UPDATE attempt SET user_id = 2 WHERE user_id = 3")
    assert await totals(db) == await raw(db)
    await db.conn.execute("DELETE FROM attempt WHERE attempt_id % 2 = 0")
    assert await totals(db) == await raw(db)
    await db.conn.execute("DELETE FROM attempt")
    assert await totals(db) == {}


async def test_migration_backfills_from_existing_attempts(migrated_db: Database) -> None:
    db = migrated_db
    await seed_class(db, random.Random(4))
    await migrate_down(db, 5)
    assert not await db.fetchall(
        "SELECT name FROM sqlite_master WHERE name IN ('user_topic_total',"
        " 'attempt_user_response', 'attempt_total_insert')"
    )
    await add_user(db, 50, "Late")
    await add_attempts(db, 50, [(2, True, 1234, 99)])  # written while 0006 was rolled back
    await migrate_up(db)
    assert await totals(db) == await raw(db)


async def test_all_time_board_equals_the_windowed_query(migrated_db: Database) -> None:
    db = migrated_db
    await seed_class(db, random.Random(5), learners=12)
    for topic in (None, 1, 2, 4):
        fast = await store.member_stats(db, CHAT, 0, ALL_TIME_END, topic)
        # start 1 takes the general query over the raw attempts (every answered_at >= 1).
        slow = await store.member_stats(db, CHAT, 1, ALL_TIME_END, topic)
        assert sorted(fast, key=lambda e: e.user_id) == sorted(slow, key=lambda e: e.user_id)
        assert {e.user_id for e in fast} == {u for u in range(1, 13) if u % 4}


async def test_all_time_median_is_the_true_median(migrated_db: Database) -> None:
    db = migrated_db
    await store.activate_class(db, CHAT, "7A", "UTC", 0)
    await add_user(db, 1, "Even")
    await add_user(db, 2, "Odd")
    await add_user(db, 3, "Idle")
    await add_attempts(db, 1, [(1, True, ms, 10) for ms in (900, 100, 400, 700)])
    await add_attempts(db, 2, [(1, False, ms, 10) for ms in (900, 100, 400)] + [(2, True, 50, 10)])
    for uid in (1, 2, 3):
        await store.join_class(db, CHAT, uid, 0)
    got = {e.user_id: e for e in await store.member_stats(db, CHAT, 0, ALL_TIME_END, None)}
    assert (got[1].reps, got[1].correct, got[1].median_ms) == (4, 4, statistics.median(
        [900, 100, 400, 700]))
    assert (got[2].reps, got[2].correct, got[2].median_ms) == (4, 1, 250.0)
    assert (got[3].reps, got[3].correct, got[3].median_ms) == (0, 0, None)
    topic_one = {e.user_id: e for e in await store.member_stats(db, CHAT, 0, ALL_TIME_END, 1)}
    assert (topic_one[2].reps, topic_one[2].median_ms) == (3, 400)
