"""The answer transaction of a long-running bot: the 10M-attempt file against an empty one.

    .venv/bin/python -m benchmarks.long_running            # benchmarks/data/big.sqlite3

data_scale.py times a learner's first sets in a fresh process. A bot runs for weeks: a
learner comes back after everyone else has practised, and whether their pages are still in
memory depends on SQLite's page cache and memory map. Here one connection per file plays
--rounds rounds; in each, every one of --learners learners plays a set of 25 (so between a
learner's two sets all the others play theirs). The first round warms up; the later ones
are timed (open_set + record_answer, the answer path's storage, per answer). The OS page
cache is dropped before each file (root only).

Each file is measured with SQLite's defaults (2 MiB cache, no memory map) and with the
bot's defaults (DOJOBOT_SQLITE_CACHE_MIB, DOJOBOT_SQLITE_MMAP_MIB), in one run, so the
ratio big/empty is compared on the same machine minutes apart.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.data_scale import NOW_MS, _summary, answer_transactions
from benchmarks.pg_server import drop_os_cache
from dojobot.config import Settings
from dojobot.storage import practice as store
from dojobot.storage.db import Database, SqliteDatabase
from dojobot.storage.migrator import migrate_up
from dojobot.storage.tuning import size_memory
from dojobot.storage.users import upsert_user


async def play(db: Database, users: list[int], rounds: int) -> list[float]:
    """Rounds of one set per learner; the times of every round after the first."""
    times: list[float] = []
    for round_ in range(rounds):
        played = await answer_transactions(db, users, 1)
        if round_:
            times += played
    for user_id in users:
        await store.stop_set(db, user_id)
    return times


async def learners(path: Path, count: int) -> list[int]:
    """Learners spread over the activity range, heaviest first (as data_scale.py)."""
    db = await SqliteDatabase.open(path, create=False)
    async with db.read() as tx:
        rows = await tx.fetchall(
            "SELECT user_id FROM user_progress GROUP BY user_id ORDER BY sum(total_reps) DESC"
        )
    await db.close()
    step = max(1, len(rows) // count)
    return [r[0] for r in rows[::step][:count]]


async def measure(path: Path, users: list[int], rounds: int, cache: int, mmap: int,
                  empty: bool) -> dict[str, Any]:
    drop_os_cache()
    db = await SqliteDatabase.open(path)
    await migrate_up(db)  # as the bot does on start (the big file may predate a migration)
    if empty:
        for user_id in users:
            await upsert_user(db, user_id, "Learner", None, "en", NOW_MS)
    await size_memory(db, cache_mib=cache, mmap_mib=mmap)
    times = await play(db, users, rounds)
    await db.close()
    return _summary(times)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    defaults = Settings()
    users = await learners(Path(args.db), args.learners)
    report: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                              "learners": len(users), "rounds": args.rounds}
    for label, cache, mmap in (("sqlite_defaults", 0, 0),
                               ("bot_defaults", defaults.sqlite_cache_mib,
                                defaults.sqlite_mmap_mib)):
        with tempfile.TemporaryDirectory() as tmp:
            empty = await measure(Path(tmp) / "empty.sqlite3", users, args.rounds, cache, mmap,
                                  empty=True)
        big = await measure(Path(args.db), users, args.rounds, cache, mmap, empty=False)
        report[label] = {
            "cache_mib": cache or 2, "mmap_mib": mmap, "big": big, "empty": empty,
            "median_ratio": round(big["median_us"] / empty["median_us"], 2),
            "p95_ratio": round(big["p95_us"] / empty["p95_us"], 2),
            "p99_ratio": round(big["p99_us"] / empty["p99_us"], 2),
        }
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default="benchmarks/data/big.sqlite3")
    p.add_argument("--learners", type=int, default=100)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json")
    args = p.parse_args(argv)
    report = asyncio.run(run(args))
    print(json.dumps(report, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    for label in ("sqlite_defaults", "bot_defaults"):
        r = report[label]
        print(f"{label}: p99 big {r['big']['p99_us']:.0f} µs / empty {r['empty']['p99_us']:.0f}"
              f" µs = {r['p99_ratio']}x (p95 {r['p95_ratio']}x, median {r['median_ratio']}x)",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
