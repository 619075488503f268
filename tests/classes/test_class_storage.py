"""Class storage against a real SQLite file: board numbers, indexes, moves, claims."""

from __future__ import annotations

import random
import statistics

from dojobot.storage import classes as store
from dojobot.storage.db import Database
from tests.support.classes import CHAT, add_attempts, add_user
from tests.support.db import execute, fetchall


async def test_member_stats_match_the_attempts(migrated_db: Database) -> None:
    db = migrated_db
    rng = random.Random(7)
    await store.activate_class(db, CHAT, "7A", "UTC", 0)
    expected = {}
    for uid in range(1, 7):
        await add_user(db, uid, f"L{uid}", nickname="Ninja" if uid == 2 else None)
        rows = [
            (rng.choice([1, 2]), rng.random() < 0.7, rng.randint(300, 9000), rng.randint(0, 2000))
            for _ in range(rng.randint(0, 40))
        ]
        await add_attempts(db, uid, rows)
        if uid != 6:  # user 6 practises but never joins
            await store.join_class(db, CHAT, uid, 0)
        window = [r for r in rows if 500 <= r[3] < 1500 and r[0] == 1]
        expected[uid] = (
            len(window), sum(r[1] for r in window),
            statistics.median([r[2] for r in window]) if window else None,
        )
    got = await store.member_stats(db, CHAT, 500, 1500, 1)
    assert {e.user_id for e in got} == {1, 2, 3, 4, 5}
    for e in got:
        assert (e.reps, e.correct, e.median_ms) == expected[e.user_id]
    assert next(e.name for e in got if e.user_id == 2) == "Ninja"
    assert next(e.name for e in got if e.user_id == 3) == "L3"
    # One member's alone (the dashboard's member × topic detail): the same figures.
    [one] = await store.member_stats(db, CHAT, 500, 1500, 1, only=3)
    assert (one.user_id, one.reps, one.correct, one.median_ms) == (3, *expected[3])
    assert await store.member_stats(db, CHAT, 500, 1500, 1, only=6) == []  # not a member


async def test_even_counts_take_the_mean_of_the_middle_two(migrated_db: Database) -> None:
    db = migrated_db
    await store.activate_class(db, CHAT, "7A", "UTC", 0)
    await add_user(db, 1, "A")
    await add_attempts(db, 1, [(1, True, ms, 10) for ms in (4000, 1000, 3000, 2000)])
    await store.join_class(db, CHAT, 1, 0)
    [entry] = await store.member_stats(db, CHAT, 0, 100, None)
    assert (entry.reps, entry.correct, entry.median_ms) == (4, 4, 2500)


async def test_board_query_reads_attempts_through_the_user_time_index(
    sqlite_db: Database,
) -> None:
    # With statistics from ANALYZE, a plain join let SQLite skip-scan every user instead.
    db = sqlite_db
    await store.activate_class(db, CHAT, "7A", "UTC", 0)
    for uid in range(1, 41):
        await add_user(db, uid, f"L{uid}")
        await add_attempts(db, uid, [(1, True, 1000, t) for t in range(0, 5000, 50)])
        if uid % 8 == 0:
            await store.join_class(db, CHAT, uid, 0)
    await execute(db, "ANALYZE")
    # ...and statistics as a year of a few hundred learners leaves them (400k answers).
    await execute(
        db,
        "UPDATE sqlite_stat1 SET stat = '400000 1000 1' WHERE idx = 'attempt_user_time'"
    )
    await execute(db, "ANALYZE sqlite_schema")
    for sql, args in (
        (store._SPAN_TOTALS, (CHAT, 0, 1, None)),
        (store.walk_of_one(store._SPAN_MIDDLE, 3), (8, 0, 1, None, 1, 0)),
    ):
        plan = await fetchall(db, "EXPLAIN QUERY PLAN " + sql, args)
        details = " | ".join(row["detail"] for row in plan)
        # Covering (migration 0010): a member's answers in the span never touch the table.
        assert (
            "COVERING INDEX attempt_user_time (user_id=? AND answered_at>? AND answered_at<?)"
            in details
        )
        assert "ANY(user_id)" not in details
        assert "SCAN a " not in details
        assert not details.endswith("SCAN a")


async def test_activation_is_reported_once_per_arrival(migrated_db: Database) -> None:
    db = migrated_db
    _, first = await store.activate_class(db, CHAT, "7A", "Europe/Berlin", 0)
    _, again = await store.activate_class(db, CHAT, "7A renamed", "UTC", 1)
    assert (first, again) == (True, False)
    assert await store.deactivate_class(db, CHAT, 2)
    assert not await store.deactivate_class(db, CHAT, 3)
    cls, back = await store.activate_class(db, CHAT, "7A", "UTC", 4)
    assert back
    assert (cls.title, cls.timezone, cls.active) == ("7A", "Europe/Berlin", True)


async def test_migration_moves_members_and_settings_and_merges(migrated_db: Database) -> None:
    db = migrated_db
    for uid in (1, 2, 3):
        await add_user(db, uid, f"L{uid}")
    await store.activate_class(db, CHAT, "7A", "UTC", 0)
    await store.update_class(db, CHAT, 1, period="month", topic_id=3, timezone="Asia/Tokyo")
    await store.join_class(db, CHAT, 1, 0)
    await store.join_class(db, CHAT, 2, 0)
    new = -1004001
    # The supergroup's own updates arrived first and someone joined there already.
    await store.activate_class(db, new, "7A", "UTC", 5)
    await store.join_class(db, new, 3, 5)
    await store.join_class(db, new, 1, 5)
    assert await store.migrate_class(db, CHAT, new, 10)
    assert await store.get_class(db, CHAT) is None
    moved = await store.get_class(db, new)
    assert moved is not None
    assert (moved.period, moved.topic_id, moved.timezone) == ("month", 3, "Asia/Tokyo")
    assert await store.member_count(db, new) == 3
    assert not await store.migrate_class(db, CHAT, new, 11)  # the second message: nothing


async def test_a_week_is_claimed_once(migrated_db: Database) -> None:
    db = migrated_db
    await store.activate_class(db, CHAT, "7A", "UTC", 0)
    assert await store.claim_weekly_post(db, CHAT, 1000)
    assert not await store.claim_weekly_post(db, CHAT, 1000)
    await store.release_weekly_post(db, CHAT, 1000, None)
    assert await store.claim_weekly_post(db, CHAT, 1000)
    assert not await store.claim_weekly_post(db, CHAT, 500)
