"""A tapped fact's recent answers on the Mini App's progress page, for the heaviest learner
of the 10M-attempt database.

    .venv/bin/python -m benchmarks.fact_answers --db benchmarks/data/big.sqlite3

The database (make_big_db.py) is migrated to the latest schema in place. Timed, per call:
storage.practice.answers_to, the one read a tap adds to the map's (benchmarks/progress_map
times those), for three facts of each topic the learner practised: the one answered most,
one answered a median number of times, and one never answered (the worst case: the walk
through the learner's answers finds nothing to stop at). Warm (same connection) and cold
(a fresh connection per call: the file's pages still in the OS cache).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import time
from pathlib import Path

from benchmarks.common import percentile
from dojobot.engine.facts import map_space
from dojobot.engine.problems import TOPICS
from dojobot.storage.db import SqliteDatabase
from dojobot.storage.migrator import migrate_up
from dojobot.storage.practice import answers_to
from dojobot.web.progress_map import RECENT_ANSWERS

TOPIC_IDS = {code: i for i, code in enumerate(TOPICS, start=1)}  # 0002_catalogue's ids


def heaviest(path: Path) -> tuple[int, int]:
    """The learner with the most answers, and how many."""
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT user_id, count(*) AS n FROM attempt GROUP BY user_id"
                           " ORDER BY n DESC LIMIT 1").fetchone()
    return int(row[0]), int(row[1])


def facts_to_tap(path: Path, user_id: int) -> list[tuple[str, int, str, int]]:
    """(topic, topic id, question, answers) of the most, a median and a never answered fact
    of each topic the learner answered in."""
    chosen = []
    with sqlite3.connect(path) as conn:
        for code, topic_id in TOPIC_IDS.items():
            counts = dict(conn.execute(
                "SELECT question, count(*) FROM attempt WHERE user_id = ? AND topic_id = ?"
                " GROUP BY question", (user_id, topic_id)).fetchall())
            facts = map_space(code, 1)
            if not counts or facts is None:
                continue
            on_map = sorted((counts.get(f.problem.question, 0), f.problem.question)
                            for f in facts)
            answered = [q for q in on_map if q[0]]
            picks = [answered[-1], answered[len(answered) // 2]] if answered else []
            picks += [q for q in on_map if not q[0]][:1]
            chosen += [(code, topic_id, question, n) for n, question in picks]
    return chosen


async def timed(db: SqliteDatabase, user_id: int, topic_id: int, question: str) -> float:
    start = time.perf_counter()
    await answers_to(db, user_id, topic_id, question, RECENT_ANSWERS)
    return (time.perf_counter() - start) * 1000


async def main_async(path: Path, repeats: int) -> None:
    db = await SqliteDatabase.open(path)
    await migrate_up(db)
    await db.close()
    user_id, total = heaviest(path)
    print(f"heaviest learner {user_id}: {total} answers")
    print("| topic | fact | its answers | warm median | warm p95 | cold median | cold max |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    db = await SqliteDatabase.open(path)
    try:
        for code, topic_id, question, n in facts_to_tap(path, user_id):
            await timed(db, user_id, topic_id, question)
            warm = [await timed(db, user_id, topic_id, question) for _ in range(repeats)]
            cold = []
            for _ in range(max(3, repeats // 5)):
                fresh = await SqliteDatabase.open(path)
                cold.append(await timed(fresh, user_id, topic_id, question))
                await fresh.close()
            print(f"| {code} | {question} | {n} | {statistics.median(warm):.2f} ms "
                  f"| {percentile(warm, 95):.2f} ms | {statistics.median(cold):.2f} ms "
                  f"| {max(cold):.2f} ms |")
    finally:
        await db.close()


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="benchmarks/data/big.sqlite3")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main_async(Path(args.db), args.repeats))


if __name__ == "__main__":
    main()
