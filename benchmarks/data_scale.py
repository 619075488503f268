"""Data at scale: /progress, class boards, `dojobot stats`, the answer transaction, bytes.

    .venv/bin/python -m benchmarks.make_big_db          # once: benchmarks/data/big.sqlite3
    .venv/bin/python -m benchmarks.data_scale           # a few seconds
    .venv/bin/python -m benchmarks.data_scale --quick   # fewer repetitions and learners
    .venv/bin/python -m benchmarks.data_scale --database-url postgresql://.../dojobig
        # the same on PostgreSQL: a database benchmarks/load_postgres.py filled from the file

Warm: the same connection, repeated, median. Cold: the OS page cache is dropped
(`echo 3 > /proc/sys/vm/drop_caches`, needs root; if that is refused the figure is a fresh
connection only, and the report says so), then a new connection runs the queries once. On
PostgreSQL cold also restarts the server first (`pg_ctl restart`: its shared buffers empty;
benchmarks/pg_server.py), so it needs the server on this machine, as root. "Cold data" is
cold, then the same request for another learner (class) first: what a running server has
in memory anyway (SQLite's schema; PostgreSQL's catalogue, which a fresh server reads from
disk on a connection's first statements; the indexes' upper levels) is warm, the
measured learner's (class's) own pages are not.

The per-answer transaction is the answer handler's storage work (open_set, then
record_answer with the stage window every 10th answer and the summary at a set's end),
timed for learners of the big database and for new learners on an empty one.
It writes: the sampled learners' new sets stay in the big file (a few thousand attempts
among ten million), and are closed at the end.

Class boards: what /leaderboard reads and ranks (get_class, member_stats, build_board), for
this week and for all time, over all topics: class 1 (the 40 heaviest learners, the worst
case) repeated, and a seeded sample of other classes once each.

Stats: compute_kpis over exactly the file's last 24 hours, and the real `dojobot stats` as a
subprocess (interpreter start and imports included). The CLI's window ends at the wall
clock, while the file's data ends at make_big_db's END_MS, so the CLI gets `--since <h>h`
with h the whole hours from the file's last day to now; the report gives the answers that
window held.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

from tests.support.db import fetchall, fetchone

import dojobot.storage.classes as class_store
import dojobot.storage.practice as store
from benchmarks.pg_server import drop_os_cache, restart_cold, throwaway_postgres
from dojobot.engine import practice_set
from dojobot.engine.answering import GivenAnswer
from dojobot.engine.calendar import Period, period_bounds
from dojobot.engine.leaderboard import build_board
from dojobot.engine.progression import STANDARD
from dojobot.storage.catalogue import load_catalogue
from dojobot.storage.connect import is_postgres, open_url, sqlite_path, sqlite_url
from dojobot.storage.db import Database
from dojobot.storage.kpis import compute_kpis
from dojobot.storage.migrator import migrate_up
from dojobot.storage.users import upsert_user

HEAVY_USER = 100_000_000  # learner 1 of make_big_db.py: the most attempts
NOW_MS = 1_795_000_000_000
END_MS = 1_795_564_800_000  # make_big_db.py's END_MS: 2026-11-25 00:00 UTC
DAY_MS = 86_400_000
BOARD_NOW = END_MS - 60_000  # the file's last minute: its week holds the busy last day
WORST_CLASS = -1_000_000_001  # class 1: the 40 heaviest learners


class Target:
    """The measured database: make_big_db's SQLite file, or a PostgreSQL database that
    load_postgres.py filled from it."""

    def __init__(self, url: str, *, cold: bool = True) -> None:
        self.url = url
        self.cold = cold  # False: "cold" figures are a new connection only (smoke tests)
        self.postgres = is_postgres(url)
        self.path = None if self.postgres else sqlite_path(url)

    async def open(self) -> Database:
        """A new connection (a new pool on PostgreSQL)."""
        return await open_url(self.url, create=False)

    async def go_cold(self) -> bool:
        """Nothing of the database left in memory; False if the OS cache stayed."""
        if not self.cold:
            return False
        if self.postgres:
            return await restart_cold(self.url)
        return drop_os_cache()

    @contextlib.asynccontextmanager
    async def empty_twin(self) -> AsyncIterator[Database]:
        """A freshly migrated empty database on the same engine (and server)."""
        async with contextlib.AsyncExitStack() as stack:
            if self.postgres:
                url = await stack.enter_async_context(throwaway_postgres(self.url))
                assert url is not None
            else:
                tmp = stack.enter_context(tempfile.TemporaryDirectory())
                url = sqlite_url(Path(tmp) / "empty.sqlite3")
            db = await open_url(url)
            await migrate_up(db)
            try:
                yield db
            finally:
                await db.close()


async def progress_queries(db: Database, user_id: int) -> int:
    """What /progress reads: progress per topic, the stage window of each, recent sets."""
    progress = await store.progress_by_topic(db, user_id)
    for p in progress.values():
        await store.recent_in_stage(db, user_id, p.topic_id, p.stage_id, STANDARD.window)
    if progress:
        busiest = max(progress.values(), key=lambda p: p.total_reps)
        await store.recent_sets(db, user_id, busiest.topic_id)
    return len(progress)


async def timed(fn: Callable[[], Awaitable[Any]]) -> float:
    """Milliseconds one call takes."""
    t = time.perf_counter()
    await fn()
    return (time.perf_counter() - t) * 1000


async def cold_pair(target: Target, call: Callable[[Database], Awaitable[Any]],
                    other: Callable[[Database], Awaitable[Any]]) -> tuple[float, float, bool]:
    """One call's ms cold (nothing in memory), then cold data (nothing in memory, then the
    same request for another learner or class first: the schema, PostgreSQL's catalogue
    and the indexes' upper levels in memory, as on a running server); and whether the OS
    cache was dropped."""
    times = []
    dropped = True
    for warm_up in (None, other):
        dropped = await target.go_cold() and dropped
        fresh = await target.open()
        if warm_up is not None:
            await warm_up(fresh)
        times.append(await timed(partial(call, fresh)))
        await fresh.close()
    return times[0], times[1], dropped


def _cold_figures(prefix: str, pairs: list[tuple[float, float, bool]]) -> dict[str, float]:
    cold, data = [p[0] for p in pairs], [p[1] for p in pairs]
    return {f"{prefix}cold_median_ms": statistics.median(cold),
            f"{prefix}cold_max_ms": max(cold),
            f"{prefix}cold_data_median_ms": statistics.median(data),
            f"{prefix}cold_data_max_ms": max(data)}


async def measure_progress(target: Target, repeats: int, cold_runs: int) -> dict[str, Any]:
    """Warm and cold /progress data for the heaviest learner."""
    db = await target.open()
    row = await fetchone(db, "SELECT count(*) FROM attempt WHERE user_id = ?", (HEAVY_USER,))
    attempts = row[0] if row else 0
    row = await fetchone(
        db, "SELECT user_id FROM user_progress WHERE user_id != ? GROUP BY user_id"
            " ORDER BY sum(total_reps) DESC LIMIT 1", (HEAVY_USER,))
    other = row[0] if row else HEAVY_USER  # the next heaviest learner warms up "cold data"
    topics = await progress_queries(db, HEAVY_USER)
    warm = [await timed(partial(progress_queries, db, HEAVY_USER)) for _ in range(repeats)]
    await db.close()
    pairs = [await cold_pair(target, partial(progress_queries, user_id=HEAVY_USER),
                             partial(progress_queries, user_id=other))
             for _ in range(cold_runs)]
    return {
        "learner_attempts": attempts,
        "topics": topics,
        "warm_median_ms": statistics.median(warm),
        "warm_max_ms": max(warm),
        **_cold_figures("", pairs),
        "cold_is_os_cache_dropped": all(p[2] for p in pairs),
    }


async def class_board(db: Database, chat_id: int, period: Period) -> int:
    """What /leaderboard does in storage and engine: the class, its members' stats, ranks."""
    cls = await class_store.get_class(db, chat_id)
    assert cls is not None
    bounds = period_bounds(period, BOARD_NOW, cls.timezone)
    entries = await class_store.member_stats(db, chat_id, bounds.start_ms, bounds.end_ms, None)
    build_board(entries, None)
    return len(entries)


async def measure_boards(target: Target, repeats: int, cold_runs: int,
                         sample: int) -> dict[str, Any]:
    """Class boards, week and all time: the worst class warm and cold, a sample of classes."""
    db = await target.open()
    row = await fetchone(db, "SELECT count(*) FROM class_group")
    if not row or row[0] == 0:
        await db.close()
        return {"skipped": "no classes in this file: regenerate it with make_big_db.py"}
    reads = await fetchall(
        db,
        """SELECT m.chat_id, count(*) FROM class_member m JOIN attempt a ON a.user_id = m.user_id
           WHERE m.chat_id = ? GROUP BY m.chat_id""", (WORST_CLASS,))
    chats = [r[0] for r in await fetchall(
        db,
        "SELECT chat_id FROM class_group WHERE chat_id != ? ORDER BY chat_id", (WORST_CLASS,))]
    picked = chats[:: max(1, len(chats) // sample)][:sample]
    out: dict[str, Any] = {"worst_class_attempts": reads[0][1] if reads else 0,
                           "sampled_classes": len(picked)}
    for period in (Period.WEEK, Period.ALL):
        await class_board(db, WORST_CLASS, period)
        warm = [await timed(partial(class_board, db, WORST_CLASS, period))
                for _ in range(repeats)]
        others = [await timed(partial(class_board, db, c, period)) for c in picked]
        out[period.value] = {
            "worst_warm_median_ms": statistics.median(warm),
            "worst_warm_max_ms": max(warm),
            "sample_median_ms": statistics.median(others),
            "sample_max_ms": max(others),
        }
    await db.close()
    for period in (Period.WEEK, Period.ALL):
        worst: list[tuple[float, float, bool]] = []
        other: list[tuple[float, float, bool]] = []
        for i in range(cold_runs):
            # Warm-up classes from the end of the list, which the sample starts far from.
            ends = (chats[(-1 - 2 * i) % len(chats)], chats[(-2 - 2 * i) % len(chats)])
            for chat_id, into, warm_up in ((WORST_CLASS, worst, ends[0]),
                                           (picked[i % len(picked)], other, ends[1])):
                into.append(await cold_pair(
                    target, partial(class_board, chat_id=chat_id, period=period),
                    partial(class_board, chat_id=warm_up, period=period)))
        out[period.value] |= _cold_figures("worst_", worst) | _cold_figures("sample_", other)
    return out


async def kpis_timed(target: Target, repeats: int) -> dict[str, Any]:
    """compute_kpis over the file's last 24 h: cold (first call), then warm."""
    await target.go_cold()
    db = await target.open()
    since = END_MS - DAY_MS
    t = time.perf_counter()
    kpis = await compute_kpis(db, since)
    cold = (time.perf_counter() - t) * 1000
    warm = [await timed(lambda: compute_kpis(db, since)) for _ in range(repeats)]
    await db.close()
    return {"answers": kpis.answers, "sessions": kpis.total_sessions,
            "active_users": kpis.active_users, "cold_ms": cold,
            "warm_median_ms": statistics.median(warm), "warm_max_ms": max(warm)}


def measure_stats(target: Target, repeats: int) -> dict[str, Any]:
    """`dojobot stats`: the storage function alone, and the CLI as a subprocess."""
    alone = asyncio.run(kpis_timed(target, repeats))
    hours = -(-(time.time_ns() // 1_000_000 - (END_MS - DAY_MS)) // 3_600_000)
    dojobot = Path(sys.executable).parent / "dojobot"
    command = [str(dojobot), "stats", "--since", f"{hours}h", "--json"]
    url = target.url if target.path is None else f"sqlite:///{target.path.resolve()}"
    env = {**os.environ, "DOJOBOT_DATABASE_URL": url}
    runs = []
    for cold in (True, False, False):
        if cold:
            asyncio.run(target.go_cold())
        t = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=True,
                              timeout=120)
        runs.append((time.perf_counter() - t) * 1000)
    shown = json.loads(done.stdout)
    return {
        "storage_function": alone,
        "cli": {"command": " ".join(["dojobot", *command[1:]]), "answers": shown.get("answers"),
                "cold_ms": runs[0], "warm_ms": min(runs[1:])},
    }


async def answer_transactions(db: Database, users: list[int], sets: int) -> list[float]:
    """Per-answer storage time (µs) for each user playing `sets` sets of 25."""
    catalogue = await load_catalogue(db)
    times: list[float] = []
    now = NOW_MS
    message_id = 10**9  # above anything make_big_db.py stored
    for user_id in users:
        topic = catalogue.topic(1 + user_id % 9)
        assert topic is not None
        for _ in range(sets):
            stage = await store.stage_for(db, user_id, topic.topic_id)
            state = practice_set.start_set(topic.code, stage, 101, secrets.randbits(31))
            await store.start_set(db, user_id, topic.topic_id, 101, state, now)
            while True:
                t = time.perf_counter()
                current = await store.open_set(db, user_id)
                assert current is not None
                assert current.state.current is not None
                now += 2000
                message_id += 1
                answer = GivenAnswer(current.state, current.state.current.answer, 2000, now,
                                     current.pace_ms, topic.progression)
                judged = await store.record_answer(db, current, answer, message_id)
                times.append((time.perf_counter() - t) * 1e6)
                assert judged is not None
                if judged.outcome.finished:
                    break
    return times


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "answers": len(ordered),
        "median_us": statistics.median(ordered),
        "p95_us": ordered[int(0.95 * (len(ordered) - 1))],
        "p99_us": ordered[int(0.99 * (len(ordered) - 1))],
    }


async def measure_answer_path(target: Target, learners: int, sets: int) -> dict[str, Any]:
    """The answer transaction on the big database vs an empty one, same learners count."""
    big = await target.open()
    # Learners spread over the activity range: every k-th by attempt count, heaviest first.
    rows = await fetchall(
        big,
        "SELECT user_id FROM user_progress GROUP BY user_id ORDER BY sum(total_reps) DESC"
    )
    step = max(1, len(rows) // learners)
    users = [r[0] for r in rows[::step][:learners]]
    for user_id in users:
        await store.stop_set(big, user_id)
    big_times = await answer_transactions(big, users, sets)
    for user_id in users:
        await store.stop_set(big, user_id)
    await big.close()
    async with target.empty_twin() as empty:
        for user_id in users:
            await upsert_user(empty, user_id, "Learner", None, "en", NOW_MS)
        empty_times = await answer_transactions(empty, users, sets)
    b, e = _summary(big_times), _summary(empty_times)
    return {"big": b, "empty": e, "median_ratio": b["median_us"] / e["median_us"],
            "p95_ratio": b["p95_us"] / e["p95_us"]}


async def measure_pg_bytes(url: str) -> dict[str, Any]:
    """Bytes per attempt on PostgreSQL: the table (with its TOAST) and each index."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        attempts = int(await conn.fetchval("SELECT count(*) FROM attempt"))
        rows = await conn.fetch(
            """SELECT c.relname, pg_total_relation_size(c.oid) - coalesce((SELECT
                          sum(pg_relation_size(i.indexrelid)) FROM pg_index i
                          WHERE i.indrelid = c.oid), 0)::bigint AS size
               FROM pg_class c WHERE c.relname = 'attempt'
               UNION ALL
               SELECT i.indexrelid::regclass::text, pg_relation_size(i.indexrelid)
               FROM pg_index i WHERE i.indrelid = 'attempt'::regclass""")
        database = int(await conn.fetchval("SELECT pg_database_size(current_database())"))
    finally:
        await conn.close()
    per_object = {r["relname"]: int(r["size"]) for r in rows}
    return {
        "attempts": attempts,
        "bytes_per_attempt": sum(per_object.values()) / attempts if attempts else None,
        "per_object_bytes_per_attempt": {k: v / attempts for k, v in per_object.items()},
        "file_bytes_per_attempt": database / attempts if attempts else None,
    }


def measure_bytes(path: Path) -> dict[str, Any]:
    """Bytes per attempt: the table and its indexes, from dbstat."""
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    (attempts,) = conn.execute("SELECT count(*) FROM attempt").fetchone()
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE tbl_name = 'attempt'"
    )]
    per_object = {}
    for name in names:
        (size,) = conn.execute(
            "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ?", (name,)
        ).fetchone()
        per_object[name] = size
    (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    (pages,) = conn.execute("PRAGMA page_count").fetchone()
    conn.close()
    total = sum(per_object.values())
    return {
        "attempts": attempts,
        "bytes_per_attempt": total / attempts if attempts else None,
        "per_object_bytes_per_attempt": {k: v / attempts for k, v in per_object.items()},
        "file_bytes_per_attempt": page_size * pages / attempts if attempts else None,
    }



def target_of(args: argparse.Namespace) -> Target | None:
    """The database that --db or --database-url names (cold unless --no-cold); None, with
    a note on stderr, when the SQLite file has not been made yet."""
    target = Target(args.database_url or f"sqlite:///{args.db}", cold=not args.no_cold)
    if target.path is not None and not target.path.exists():
        print(f"{target.path} does not exist; run python -m benchmarks.make_big_db first",
              file=sys.stderr)
        return None
    return target


def main(argv: list[str] | None = None) -> int:
    """Run the measurements and print a report."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default="benchmarks/data/big.sqlite3")
    p.add_argument("--database-url", metavar="POSTGRESQL_URL",
                   help="measure this PostgreSQL database (load_postgres.py) instead of --db")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", help="also write the report as JSON here")
    p.add_argument("--no-cold", action="store_true",
                   help="never drop caches or restart the server: cold = a new connection")
    p.add_argument("--boards-only", action="store_true",
                   help="bytes and class boards only (reads only: before/after on two files)")
    args = p.parse_args(argv)
    target = target_of(args)
    if target is None:
        return 2
    repeats, cold, learners, sets = (5, 2, 20, 1) if args.quick else (30, 5, 100, 2)
    sample = 10 if args.quick else 50
    sqlite_version = subprocess.run(
        [sys.executable, "-c", "import sqlite3; print(sqlite3.sqlite_version)"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    report = {
        "date": time.strftime("%Y-%m-%d"),
        "python": sys.version.split()[0],
        "engine": "postgresql" if target.postgres else f"sqlite {sqlite_version}",
        "bytes": (asyncio.run(measure_pg_bytes(target.url)) if target.path is None
                  else measure_bytes(target.path)),
        "class_board": asyncio.run(measure_boards(target, repeats, cold, sample)),
    }
    if not args.boards_only:
        report |= {
            "progress": asyncio.run(measure_progress(target, repeats, cold)),
            "stats": measure_stats(target, 3 if args.quick else 5),
            "answer_transaction": asyncio.run(measure_answer_path(target, learners, sets)),
        }
    print(json.dumps(report, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
