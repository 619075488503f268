"""All-time boards: counts from user_progress, medians from migration 0006's index."""

from __future__ import annotations

import random
import statistics

from dojobot.engine import practice_set
from dojobot.engine.answering import GivenAnswer
from dojobot.engine.progression import Progression
from dojobot.storage import classes as store
from dojobot.storage import practice
from dojobot.storage.db import Database
from dojobot.storage.migrator import migrate_down, migrate_up
from tests.support.classes import CHAT, add_attempts, add_user
from tests.support.db import fetchall

ALL_TIME_END = 2**62


async def totals(db: Database) -> dict[tuple[int, int], tuple[int, int]]:
    rows = await fetchall(
        db,
        "SELECT user_id, topic_id, total_reps, correct_reps FROM user_progress"
        " WHERE total_reps > 0"
    )
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


async def raw(db: Database) -> dict[tuple[int, int], tuple[int, int]]:
    rows = await fetchall(
        db,
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


async def test_the_answer_path_keeps_progress_equal_to_the_attempts(
    migrated_db: Database,
) -> None:
    """All-time boards trust user_progress's counts: the answer path must keep them exact."""
    db = migrated_db
    rng = random.Random(6)
    progression = Progression({s: 5 for s in range(1, 7)})  # advancements happen too
    message_id = 0
    for uid in (1, 2):
        await add_user(db, uid, f"L{uid}")
        for topic_id, topic in ((1, "add"), (3, "mul"), (1, "add")):
            state = practice_set.start_set(topic, 1, 101, rng.randrange(2**31))
            await practice.start_set(db, uid, topic_id, 101, state, 0)
            for _ in range(rng.randint(3, 12)):
                current = await practice.open_set(db, uid)
                if current is None or current.state.current is None:
                    break
                correct = rng.random() < 0.8
                message_id += 1
                right = current.state.current.answer
                answer = GivenAnswer(current.state, right if correct else right + 1,
                                     rng.randint(300, 5000), message_id, current.pace_ms,
                                     progression)
                await practice.record_answer(db, current, answer, message_id)
            await practice.stop_set(db, uid)
    assert await totals(db) == await raw(db)
    assert len(await totals(db)) == 4


async def test_migration_0006_moves_only_its_index(sqlite_db: Database) -> None:
    db = sqlite_db
    await seed_class(db, random.Random(4))
    before = await store.member_stats(db, CHAT, 0, ALL_TIME_END, None)
    await migrate_down(db, 5)
    assert not await fetchall(
        db,
        "SELECT name FROM sqlite_master WHERE name = 'attempt_user_response'"
    )
    await migrate_up(db)
    assert await store.member_stats(db, CHAT, 0, ALL_TIME_END, None) == before


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
