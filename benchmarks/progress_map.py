"""/progress with the fluency map for the heaviest learner of the 10M-attempt database.

Usage: python benchmarks/progress_map.py [--db benchmarks/data/big.sqlite3] [--repeats 30]

The database (make_big_db.py) is migrated to the latest schema in place, and the heaviest
learner (user 100000000) is given a memory and an FSRS card of every fact of every topic
(804 rows each, random histories over weeks, as after months of practice) and stage Hatsu
in the map's topic, so /progress draws a map. Timed, per call: everything /progress reads
(progress per topic, imported sessions, each topic's stage window, recent sets) plus the
map's reads (stage, FSRS cards, pace, timezone) and the PNG; the Telegram upload is not
included. Reported for the 64-fact multiplication map and the largest one (243 facts,
adding negatives), warm (same connection) and cold (a fresh connection per call).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import time
from pathlib import Path

from benchmarks.common import percentile
from dojobot.display.fluency_map import learner_map
from dojobot.engine.calendar import day_bounds
from dojobot.engine.cards import DAY_MS, card_map, review
from dojobot.engine.facts import map_space
from dojobot.engine.memory import FactMemory, remember
from dojobot.engine.problems import TOPICS
from dojobot.engine.progression import STANDARD
from dojobot.storage import cards as card_store
from dojobot.storage import memory as memory_store
from dojobot.storage import practice as store
from dojobot.storage.db import Database, SqliteDatabase
from dojobot.storage.migrator import migrate_up
from dojobot.storage.practice_times import next_practice
from dojobot.storage.streaks import zone_of

HEAVY_USER = 100_000_000
NOW = 1_764_000_000_000
TOPIC_IDS = {code: i for i, code in enumerate(TOPICS, start=1)}  # 0002_catalogue's ids


def seed_memory(path: Path) -> None:
    """Every fact of every topic remembered by the heaviest learner (random histories)."""
    rng = random.Random(8)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DELETE FROM fact_memory WHERE user_id = ?", (HEAVY_USER,))
        conn.execute("DELETE FROM fact_card WHERE user_id = ?", (HEAVY_USER,))
        for topic in TOPICS:
            facts = map_space(topic, 1)
            assert facts is not None
            for fact in facts:
                memory = FactMemory()
                card = None
                for i in range(rng.randint(1, 6)):
                    right, ms, at = rng.random() < 0.85, rng.randint(800, 7000), NOW - (
                        6 - i) * 3 * DAY_MS
                    memory = remember(memory, right, ms, at, 3000)
                    card = review(card, right, ms, at, 3000)
                assert card is not None
                conn.execute(card_store.UPSERT,
                             card_store.card_row(HEAVY_USER, TOPIC_IDS[topic], fact.key, card))
                conn.execute(
                    "INSERT INTO fact_memory VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (HEAVY_USER, TOPIC_IDS[topic], fact.key, memory.answers, memory.correct,
                     memory.last_ms, int(memory.last_right), memory.prev_ms,
                     int(memory.prev_right), memory.box, memory.last_seen_at, memory.due_at),
                )
        conn.execute(
            "UPDATE user_progress SET stage_id = 1 WHERE user_id = ? AND topic_id IN (?, ?)",
            (HEAVY_USER, TOPIC_IDS["mul"], TOPIC_IDS["add_w_negatives"]),
        )
    conn.close()


async def progress_with_map(db: Database, topic: str) -> int:
    """What /progress reads and draws; returns the PNG's size."""
    progress = await store.progress_by_topic(db, HEAVY_USER)
    await store.imported_by_topic(db, HEAVY_USER)
    for p in progress.values():
        await store.recent_in_stage(db, HEAVY_USER, p.topic_id, p.stage_id, STANDARD.window)
    topic_id = TOPIC_IDS[topic]
    stage = await store.stage_for(db, HEAVY_USER, topic_id)
    facts = map_space(topic, stage)
    assert facts is not None
    cards = await card_store.cards(db, HEAVY_USER, topic_id)
    await memory_store.pace_ms(db, HEAVY_USER)
    zone = await zone_of(db, HEAVY_USER, "UTC")
    summary = card_map([f.key for f in facts], cards, NOW, day_bounds(NOW, zone).end_ms,
                       await next_practice(db, HEAVY_USER, NOW, "UTC"))
    png = await asyncio.to_thread(learner_map, f"{topic} · Hatsu", facts, summary.bands,
                                  summary.due)
    return len(png)


async def measure(path: Path, topic: str, repeats: int) -> dict[str, float]:
    """Warm and cold timings in ms."""
    db = await SqliteDatabase.open(path)
    await progress_with_map(db, topic)
    warm = []
    for _ in range(repeats):
        start = time.perf_counter()
        await progress_with_map(db, topic)
        warm.append((time.perf_counter() - start) * 1000)
    await db.close()
    cold = []
    for _ in range(max(3, repeats // 5)):
        start = time.perf_counter()
        fresh = await SqliteDatabase.open(path)
        await progress_with_map(fresh, topic)
        cold.append((time.perf_counter() - start) * 1000)
        await fresh.close()
    return {
        "warm_median": statistics.median(warm), "warm_p95": percentile(warm, 95),
        "cold_median": statistics.median(cold), "cold_max": max(cold),
    }


async def main_async(path: Path, repeats: int) -> None:
    db = await SqliteDatabase.open(path)
    await migrate_up(db)
    await db.close()
    seed_memory(path)
    print("| map | warm median | warm p95 | cold median | cold max |")
    print("| --- | --- | --- | --- | --- |")
    for topic in ("mul", "add_w_negatives"):
        r = await measure(path, topic, repeats)
        facts = map_space(topic, 1)
        assert facts is not None
        print(f"| {topic} ({len(facts)} facts) | {r['warm_median']:.1f} ms | "
              f"{r['warm_p95']:.1f} ms | {r['cold_median']:.1f} ms | {r['cold_max']:.1f} ms |")


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="benchmarks/data/big.sqlite3")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(main_async(Path(args.db), args.repeats))


if __name__ == "__main__":
    main()
