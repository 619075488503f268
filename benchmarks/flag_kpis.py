"""`dojobot stats --by-flag scheduler` on the 10-million-answer database.

    cp benchmarks/data/big.sqlite3 /tmp/flags.sqlite3      # it writes: use a copy
    .venv/bin/python -m benchmarks.flag_kpis --db /tmp/flags.sqlite3
    .venv/bin/python -m benchmarks.flag_kpis --database-url postgresql://.../dojobig

First it makes the file look like a week of a 50% rollout (once; a second run finds it
done): `migrate up` (0012, 0013), each set of the file's last 7 days gets the arm the
stable hash gives its learner at 50%, and each answer of those days the gap since the
learner's previous answer to the same question (looked for over the 8 days before it: a
gap longer than that is missed, which changes the counts, not the work).

Then kpis_by_arm over the file's last 24 hours and last 7 days, beside compute_kpis over the
last 24 hours (what `dojobot stats` reads): first call after a new connection ("cold" =
with the OS cache dropped when that is allowed, as data_scale.py does), then warm, median.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.data_scale import END_MS, Target, target_of, timed
from dojobot.engine.flags import SCHEDULER, arm_for
from dojobot.storage.arm_kpis import kpis_by_arm
from dojobot.storage.db import Database
from dojobot.storage.kpis import compute_kpis
from dojobot.storage.migrator import migrate_up

DAY_MS = 86_400_000
WEEK_START = END_MS - 7 * DAY_MS


async def prepare(db: Database) -> dict[str, Any]:
    """Arms on the last week's sets and gaps on its answers (skipped when already there)."""
    await migrate_up(db)
    async with db.read() as tx:
        done = await tx.fetchone(
            "SELECT 1 FROM session WHERE start_time >= ? AND scheduler_arm IS NOT NULL LIMIT 1",
            (WEEK_START,),
        )
    if done is not None:
        return {"prepared": "already"}
    t = time.perf_counter()
    async with db.transaction() as tx:
        sets = await tx.fetchall(
            "SELECT session_id, user_id FROM session WHERE start_time >= ?", (WEEK_START,)
        )
        await tx.executemany(
            "UPDATE session SET scheduler_arm = ? WHERE session_id = ?",
            [(arm_for(SCHEDULER, r[1], 50), r[0]) for r in sets],
        )
        answers = await tx.fetchall(
            """SELECT attempt_id, answered_at - LAG(answered_at) OVER (
                      PARTITION BY user_id, topic_id, question ORDER BY answered_at)
               FROM attempt WHERE answered_at >= ?""",
            (WEEK_START - 8 * DAY_MS,),
        )
        gaps = [(r[1], r[0]) for r in answers if r[1] is not None]
        await tx.executemany("UPDATE attempt SET since_last_ms = ? WHERE attempt_id = ?", gaps)
    return {"prepared_s": round(time.perf_counter() - t, 1), "sets": len(sets),
            "answers_with_a_gap": len(gaps)}


async def measure(target: Target, repeats: int) -> dict[str, Any]:
    """Cold (first call on a new connection) and warm figures of each query."""
    out: dict[str, Any] = {}
    calls: dict[str, Callable[[Database], Awaitable[Any]]] = {
        "compute_kpis_24h": lambda db: compute_kpis(db, END_MS - DAY_MS),
        "kpis_by_arm_24h": lambda db: kpis_by_arm(db, SCHEDULER, END_MS - DAY_MS),
        "kpis_by_arm_7d": lambda db: kpis_by_arm(db, SCHEDULER, WEEK_START),
    }
    for name, call in calls.items():
        dropped = await target.go_cold()
        db = await target.open()
        t = time.perf_counter()
        result = await call(db)
        cold = (time.perf_counter() - t) * 1000
        warm = [await timed(partial(call, db)) for _ in range(repeats)]
        await db.close()
        out[name] = {"cold_ms": round(cold), "os_cache_dropped": dropped,
                     "warm_median_ms": round(statistics.median(warm)),
                     "warm_max_ms": round(max(warm))}
        if name.startswith("kpis_by_arm"):
            out[name]["arms"] = {
                k.arm: {"answers": k.answers, "reviews": k.next_day.reviews,
                        "next_day_recall": k.next_day.share}
                for k in result
            }
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default="benchmarks/data/big.sqlite3")
    p.add_argument("--database-url", metavar="POSTGRESQL_URL")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--no-cold", action="store_true",
                   help="never drop caches or restart the server: cold = a new connection")
    p.add_argument("--json", help="also write the report as JSON here")
    args = p.parse_args(argv)
    target = target_of(args)
    if target is None:
        return 2

    async def run() -> dict[str, Any]:
        db = await target.open()
        try:
            prepared = await prepare(db)
        finally:
            await db.close()
        return {"date": time.strftime("%Y-%m-%d"), "prepare": prepared,
                **await measure(target, args.repeats)}

    report = json.dumps(asyncio.run(run()), indent=2)
    print(report)
    if args.json:
        Path(args.json).write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
