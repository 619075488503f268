"""The class dashboard of the largest class on the 10M-attempt database: server time per
page, cold and warm, and page weight.

    .venv/bin/python -m benchmarks.make_big_db --out benchmarks/out/big.sqlite3
    .venv/bin/python -m benchmarks.dashboard_scale --db benchmarks/out/big.sqlite3
    .venv/bin/python -m benchmarks.dashboard_scale --database-url postgresql://...  # loaded
                                                   # by benchmarks.load_postgres

The class is make_big_db's class 1: the 40 heaviest learners (the worst case). A page's
server time is its builder in web/dashboard_pages.py, the reads and the JSON the handler
returns after its checks (the admin check is a dict lookup while cached; tornado's own
handling of a request, about a millisecond, is not in it). Cold: the OS cache dropped (a
restarted server on PostgreSQL) and a new connection. Weight: the page's HTML, script and
style, plus each API answer as JSON, uncompressed. Warm pages also report CPU per page: the
bot's process (time.process_time) and, on PostgreSQL, the server's (pg_server), which a
loaded machine moves far less than the wall clock.

Before measuring, the file is brought to the current schema (the bot does that at start)
and, once, the class's members get fact memories for every fact of every topic's map
and FSRS cards (make_big_db writes none; 40 members × 9 topics' facts, the most a class
can have) and
this week's focus, so every page reads what it would in a real class.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks.data_scale import BOARD_NOW, WORST_CLASS, Target, target_of
from benchmarks.pg_server import postmaster_pid, server_cpu_seconds
from dojobot.engine.calendar import Period, period_bounds
from dojobot.engine.cards import MemoryCard
from dojobot.engine.facts import map_space
from dojobot.i18n import activate, resolve
from dojobot.storage.cards import UPSERT, card_row
from dojobot.storage.catalogue import Catalogue, load_catalogue
from dojobot.storage.classes import get_class
from dojobot.storage.db import Database
from dojobot.storage.focus import set_focus
from dojobot.storage.migrator import migrate_up
from dojobot.web import dashboard_pages as pages
from dojobot.web.server import STATIC_DIR

Page = Callable[[Database, Catalogue], Awaitable[dict[str, Any]]]
STATIC = ("dashboard.html", "dashboard.js", "dashboard.css", "api.js")
DAY_MS = 86_400_000


async def prepare(target: Target) -> int:
    """Current schema, fact memories and a focus for the class; its busiest member."""
    db = await target.open()
    try:
        await migrate_up(db)
        catalogue = await load_catalogue(db)
        cls = await get_class(db, WORST_CLASS)
        assert cls is not None, "no class 1: regenerate the file with make_big_db.py"
        async with db.read() as tx:
            members = [r[0] for r in await tx.fetchall(
                "SELECT user_id FROM class_member WHERE chat_id = ?", (WORST_CLASS,))]
            filled = await tx.fetchone(
                """SELECT count(*) FROM fact_card f JOIN class_member m
                   ON m.user_id = f.user_id WHERE m.chat_id = ?""", (WORST_CLASS,))
            busiest = await tx.fetchone(
                """SELECT p.user_id FROM class_member m JOIN user_progress p
                   ON p.user_id = m.user_id WHERE m.chat_id = ?
                   GROUP BY p.user_id ORDER BY sum(p.total_reps) DESC LIMIT 1""",
                (WORST_CLASS,))
        if not filled or not filled[0]:
            rng = random.Random(24)
            rows, card_rows = [], []
            for topic in catalogue.topics:
                for fact in map_space(topic.code, 1) or ():
                    for user_id in members:
                        right = rng.random() < 0.8
                        ms = rng.randint(800, 6000)
                        rows.append((user_id, topic.topic_id, fact.key, 3, 2 + int(right),
                                     ms, int(right), ms, 1, rng.randint(0, 6),
                                     BOARD_NOW - DAY_MS, BOARD_NOW))
                        card = MemoryCard(rng.uniform(0.5, 40), rng.uniform(1, 10),
                                          BOARD_NOW - DAY_MS * rng.randint(1, 20),
                                          BOARD_NOW + DAY_MS, 3, rng.randint(1, 4), ms)
                        card_rows.append(card_row(user_id, topic.topic_id, fact.key, card))
            async with db.transaction() as tx:
                await tx.executemany(
                    """INSERT INTO fact_memory (user_id, topic_id, fact, answers, correct,
                           last_ms, last_right, prev_ms, prev_right, box, last_seen_at,
                           due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT DO NOTHING""", rows)
                await tx.executemany(UPSERT, card_rows)
        week = period_bounds(Period.WEEK, BOARD_NOW, cls.timezone)
        await set_focus(db, WORST_CLASS, week, 3, 102, 3, None, BOARD_NOW)
        assert busiest is not None
        return int(busiest[0])
    finally:
        await db.close()



def page_calls(member: int) -> dict[str, Callable[[Database, Catalogue], Awaitable[Any]]]:
    """Each page as the handler builds it, for class 1 at the file's last minute."""

    async def with_class(db: Database, catalogue: Catalogue,
                         build: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        cls = await get_class(db, WORST_CLASS)
        assert cls is not None
        return await build(db, catalogue, cls, *args)

    def mul(catalogue: Catalogue) -> Any:
        return next(t for t in catalogue.topics if t.code == "mul")

    return {
        "members, this week": lambda db, c: with_class(
            db, c, pages.overview_page, Period.WEEK, None, BOARD_NOW, "UTC"),
        "members, all time": lambda db, c: with_class(
            db, c, pages.overview_page, Period.ALL, None, BOARD_NOW, "UTC"),
        "facts (Multiplication)": lambda db, c: with_class(
            db, c, pages.facts_page, mul(c), BOARD_NOW, "UTC"),
        "weeks (8)": lambda db, c: _trends(db, BOARD_NOW),
        "one member (the busiest)": lambda db, c: with_class(
            db, c, pages.member_page, member, None, BOARD_NOW, "UTC"),
        "a grid cell (the busiest, Multiplication, this week)": lambda db, c: with_class(
            db, c, pages.member_page, member, mul(c), BOARD_NOW, "UTC", Period.WEEK),
    }


async def _trends(db: Database, now: int) -> Any:
    cls = await get_class(db, WORST_CLASS)
    assert cls is not None
    return await pages.trends_page(db, cls, None, now)


async def measure(target: Target, repeats: int, cold_runs: int, member: int) -> dict[str, Any]:
    """Per page: cold runs, warm median and max, and the JSON's bytes."""
    activate(resolve("en"))
    out: dict[str, Any] = {}
    static = sum((STATIC_DIR / name).stat().st_size for name in STATIC)
    for name, call in page_calls(member).items():
        cold = []
        for _ in range(cold_runs):
            await target.go_cold()
            db = await target.open()
            catalogue = await load_catalogue(db)  # loaded once at the bot's start
            started = time.perf_counter()
            await call(db, catalogue)
            cold.append((time.perf_counter() - started) * 1000)
            await db.close()
        db = await target.open()
        catalogue = await load_catalogue(db)
        body = await call(db, catalogue)
        postmaster = await postmaster_pid(target.url) if target.postgres else None
        server_before = server_cpu_seconds(postmaster) if postmaster else 0.0
        cpu_before = time.process_time()
        warm = []
        for _ in range(repeats):
            started = time.perf_counter()
            await call(db, catalogue)
            warm.append((time.perf_counter() - started) * 1000)
        cpu = (time.process_time() - cpu_before) * 1000 / repeats
        server = ((server_cpu_seconds(postmaster) - server_before) * 1000 / repeats
                  if postmaster else 0.0)
        await db.close()
        weight = len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())
        out[name] = {"cold_median_ms": round(statistics.median(cold), 1),
                     "cold_max_ms": round(max(cold), 1),
                     "warm_median_ms": round(statistics.median(warm), 1),
                     "warm_max_ms": round(max(warm), 1),
                     # CPU per warm page, which the machine's load moves far less than
                     # the wall clock: the bot's process, and PostgreSQL's server.
                     "warm_cpu_ms": round(cpu, 1),
                     "warm_server_cpu_ms": round(server, 1),
                     "json_bytes": weight}
    out["static_bytes"] = static
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default="benchmarks/out/big.sqlite3")
    p.add_argument("--database-url", metavar="POSTGRESQL_URL")
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--cold-runs", type=int, default=3)
    p.add_argument("--no-cold", action="store_true", help="cold = a new connection only")
    args = p.parse_args(argv)
    target = target_of(args)
    if target is None:
        return 2
    member = asyncio.run(prepare(target))
    report = {"date": time.strftime("%Y-%m-%d"),
              "engine": "postgresql" if target.postgres else "sqlite",
              "pages": asyncio.run(measure(target, args.repeats, args.cold_runs, member))}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
