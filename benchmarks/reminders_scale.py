"""Reminders at scale: start-up time and memory with N reminder rows (default 100,000).

    .venv/bin/python -m benchmarks.reminders_scale [--rows 100000] [--same-minute 50000]
        [--per-learner-rows 20000]

Seeds a database with N learners who all have a daily reminder (--same-minute of them at
18:00 UTC, the rest spread over the day, in a mix of timezones), then measures, each in a
fresh process so resident memory is comparable:

  startup-empty   the real Application started against the Bot API stand-in, empty database
  startup-full    the same with N reminder rows (DojoBot's design: one job for all rows)
  per-learner     for comparison: the same, plus one APScheduler job per reminder row (for
                  the first --per-learner-rows rows: adding jobs one by one grows worse than
                  linearly, so the full N would take very long)
  claim           the nudge job's database side for the --same-minute crowd: claim and plan
                  every due row in batches of 100 (sending is paced by Telegram, not timed)

Prints one JSON line per scenario and a summary table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from tests.support.db import fetchall

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC+05:30", None)
DUE_AT = int(datetime(2026, 11, 25, 18, 0, tzinfo=UTC).timestamp() * 1000)
DAY_MS = 86_400_000


def rss_mib() -> float:
    """Resident memory of this process now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def seed(path: Path, rows: int, same_minute: int, due_at: int = DUE_AT) -> dict[str, Any]:
    """A migrated database with `rows` learners, each with a reminder (due_at: the crowd's)."""
    from dojobot.storage.db import SqliteDatabase
    from dojobot.storage.migrator import migrate_up

    started = time.perf_counter()
    db = await SqliteDatabase.open(path)
    await migrate_up(db)
    users = []
    reminders = []
    for uid in range(1, rows + 1):
        zone = ZONES[uid % len(ZONES)]
        users.append((uid, f"learner{uid}", zone, 0, 0))
        if uid <= same_minute:
            minutes, due = 18 * 60, due_at
        else:
            minutes = uid % 1440
            due = due_at + 60_000 + (minutes * 60_000) % (DAY_MS - 60_000)
        reminders.append((uid, minutes, due, 0))
    async with db.transaction() as tx:
        await tx.executemany(
            'INSERT INTO "user" (user_id, first_name, timezone, created_at, last_seen_at)'
            " VALUES (?, ?, ?, ?, ?)",
            users,
        )
        await tx.executemany(
            "INSERT INTO reminder (user_id, local_minutes, next_due_at, updated_at)"
            " VALUES (?, ?, ?, ?)",
            reminders,
        )
    await db.close()
    return {"seconds": round(time.perf_counter() - started, 2)}


async def startup(path: Path, per_learner_jobs: int) -> dict[str, Any]:
    """Start the real bot against the stand-in; time and memory of start-up."""
    from zoneinfo import ZoneInfo

    from dojobot.app import build_application
    from dojobot.config import load_settings
    from dojobot.engine.calendar import zone
    from dojobot.transport.lifecycle import running
    from telegram_standin import BotApiStandIn

    async with BotApiStandIn() as standin:
        settings = load_settings(bot_token=standin.token, api_base_url=standin.base_url,
                                 database_url=f"sqlite:///{path}")
        before = rss_mib()
        started = time.perf_counter()
        app = build_application(settings)
        async with running(app):
            ready = time.perf_counter() - started
            assert app.job_queue is not None
            jobs_started = time.perf_counter()
            if per_learner_jobs:
                db = app.bot_data.db
                rows = await fetchall(
                    db,
                    "SELECT r.user_id, r.local_minutes, coalesce(u.timezone, 'UTC')"
                    ' FROM reminder r JOIN "user" u USING (user_id) LIMIT ?',
                    (per_learner_jobs,),
                )

                async def noop(context: object) -> None:
                    return None

                zones: dict[str, Any] = {}
                for uid, minutes, name in rows:
                    tz = zones.setdefault(name, zone(name) if "+" in name else ZoneInfo(name))
                    app.job_queue.run_daily(
                        noop, clock_time(minutes // 60, minutes % 60, tzinfo=tz),
                        name=f"nudge:{uid}",
                    )
            jobs_seconds = time.perf_counter() - jobs_started
            after = rss_mib()
            job_count = len(app.job_queue.jobs())
    return {
        "startup_seconds": round(ready, 3),
        "extra_job_seconds": round(jobs_seconds, 2),
        "rss_before_mib": round(before, 1),
        "rss_after_mib": round(after, 1),
        "rss_growth_mib": round(after - before, 1),
        "scheduler_jobs": job_count,
    }


async def claim(path: Path) -> dict[str, Any]:
    """Claim and plan every reminder due at the crowded minute, in batches of 100."""
    from dojobot.engine.nudges import plan_nudge
    from dojobot.jobs.nudges import BATCH
    from dojobot.storage.db import SqliteDatabase
    from dojobot.storage.reminders import claim_due

    db = await SqliteDatabase.open(path, create=False)
    now = DUE_AT + 30_000
    claimed = 0
    batches = 0
    slowest = 0.0
    started = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        plans = await claim_due(db, now, BATCH, "UTC", lambda due: plan_nudge(due, now))
        slowest = max(slowest, time.perf_counter() - t0)
        claimed += len(plans)
        batches += 1
        if len(plans) < BATCH:
            break
    total = time.perf_counter() - started
    await db.close()
    return {
        "claimed": claimed,
        "seconds": round(total, 2),
        "rows_per_second": round(claimed / total),
        "slowest_batch_ms": round(slowest * 1000, 1),
        "rss_mib": round(rss_mib(), 1),
    }


def child(scenario: str, path: Path, per_learner_rows: int) -> dict[str, Any]:
    """Run one scenario in this process."""
    if scenario == "claim":
        return asyncio.run(claim(path))
    jobs = per_learner_rows if scenario == "per-learner" else 0
    return asyncio.run(startup(path, per_learner_jobs=jobs))


def run_child(scenario: str, path: Path, per_learner_rows: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--scenario", scenario, "--db", str(path),
         "--per-learner-rows", str(per_learner_rows)],
        capture_output=True, text=True, check=True, timeout=1800,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--same-minute", type=int, default=50_000)
    parser.add_argument("--per-learner-rows", type=int, default=20_000)
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scenario:
        print(json.dumps(child(args.scenario, args.db, args.per_learner_rows)))
        return
    with tempfile.TemporaryDirectory(prefix="dojobot-bench-") as scratch:
        empty = Path(scratch) / "empty.sqlite3"
        full = Path(scratch) / "full.sqlite3"
        asyncio.run(seed(empty, 0, 0))
        seeded = asyncio.run(seed(full, args.rows, min(args.same_minute, args.rows)))
        size = round(full.stat().st_size / 2**20, 1)
        print(json.dumps({"scenario": "seed", "rows": args.rows, "file_mib": size, **seeded}))
        results = {}
        for scenario, path in (("startup-empty", empty), ("startup-full", full),
                               ("per-learner", full), ("claim", full)):
            results[scenario] = run_child(scenario, path, args.per_learner_rows)
            print(json.dumps({"scenario": scenario, **results[scenario]}), flush=True)
    print(f"\nmachine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    for name in ("startup-empty", "startup-full", "per-learner"):
        r = results[name]
        print(f"{name:14} start-up {r['startup_seconds']:.3f} s (+{r['extra_job_seconds']} s "
              f"jobs), RSS {r['rss_after_mib']} MiB (+{r['rss_growth_mib']}), "
              f"{r['scheduler_jobs']} jobs")
    c = results["claim"]
    print(f"claim          {c['claimed']} due rows in {c['seconds']} s "
          f"({c['rows_per_second']}/s, slowest batch {c['slowest_batch_ms']} ms)")


if __name__ == "__main__":
    main()
