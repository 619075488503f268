"""Copy make_big_db's SQLite file into a new PostgreSQL database, with COPY.

    .venv/bin/python -m benchmarks.make_big_db --out /tmp/big.sqlite3
    scripts/with-postgres sh -c '.venv/bin/python -m benchmarks.load_postgres \
        --from /tmp/big.sqlite3 --database-url "$DOJOBOT_TEST_POSTGRES_DSN" --name dojobig'
    .venv/bin/python -m benchmarks.load_postgres --settle --database-url URL_OF_dojobig

The same rows as the SQLite figures (same generator, same seed), so section 2's queries
compare engine to engine. The schema comes from the project's own PostgreSQL migrations
(`migrate_up`), as `dojobot run` creates it. Loading: the tables' secondary indexes are
dropped and rebuilt from their own definitions afterwards, foreign-key triggers are off
for the copying session (`session_replication_role = replica`: the file is consistent
already), and rows go through asyncpg's `copy_records_to_table` (binary COPY) in batches;
identity sequences then continue after the copied ids.

Autovacuum is switched off on the loaded tables, so the database stays as a load leaves
it (no column statistics, no visibility map) while "right after load" is measured;
`--settle` switches it back on and waits until autovacuum has vacuumed and analysed each
of them (the state of a database a running server has looked after).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.support.postgres import database_url

from dojobot.storage.connect import opened
from dojobot.storage.migrator import migrate_up

# What make_big_db.py fills; the other tables are the catalogue (a migration's rows) or empty.
TABLES = ("user", "session", "attempt", "user_progress", "class_group", "class_member")
BATCH = 50_000


async def _create(server_url: str, name: str) -> str:
    import asyncpg

    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    url = database_url(server_url, name)
    async with opened(url) as db:
        await migrate_up(db)
    return url


async def _copy_table(conn: Any, source: sqlite3.Connection, table: str) -> int:
    columns = [r[0] for r in await conn.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = $1"
        " AND table_schema = 'public' ORDER BY ordinal_position", table)]
    quoted = ", ".join(f'"{c}"' for c in columns)
    cursor = source.execute(f'SELECT {quoted} FROM "{table}"')
    copied = 0
    while batch := cursor.fetchmany(BATCH):
        await conn.copy_records_to_table(table, records=batch, columns=columns)
        copied += len(batch)
    return copied


async def load(source_path: Path, server_url: str, name: str) -> str:
    """Create database `name`, migrate it, copy the file's rows; returns its URL."""
    import asyncpg

    t0 = time.monotonic()
    url = await _create(server_url, name)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute("SET maintenance_work_mem = '512MB'")
        indexes = await conn.fetch(
            """SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS sql
               FROM pg_index i
               WHERE i.indrelid::regclass::text = ANY($1::text[])
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
            [f'"{t}"' if t == "user" else t for t in TABLES])
        for index in indexes:
            await conn.execute(f"DROP INDEX {index['name']}")
        for table in TABLES:
            await conn.execute(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false)')
            rows = await _copy_table(conn, source, table)
            print(f"  {table}: {rows:,} rows, {time.monotonic() - t0:.0f} s",
                  file=sys.stderr, flush=True)
        for index in indexes:
            await conn.execute(index["sql"])
        print(f"  {len(indexes)} indexes rebuilt, {time.monotonic() - t0:.0f} s",
              file=sys.stderr, flush=True)
        for table, column in await conn.fetch(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE is_identity = 'YES' AND table_name = ANY($1::text[])""", list(TABLES)):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                f" (SELECT coalesce(max({column}), 0) + 1 FROM {table}), false)")
    finally:
        await conn.close()
        source.close()
    print(f"loaded in {time.monotonic() - t0:.0f} s", file=sys.stderr)
    return url


async def settle(url: str, timeout_s: float) -> dict[str, Any]:
    """Autovacuum back on for the loaded tables; wait until it vacuumed and analysed each."""
    import asyncpg

    conn = await asyncpg.connect(url)
    t0 = time.monotonic()
    try:
        for table in TABLES:
            await conn.execute(f'ALTER TABLE "{table}" RESET (autovacuum_enabled)')
        while True:
            # A table autovacuum would not vacuum for its inserts (class_group's 1,000 rows
            # are at the threshold) is waited for its analysis only.
            rows = await conn.fetch(
                """SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
                   WHERE s.relname = ANY($1::text[]) AND (s.autoanalyze_count = 0
                      OR s.autovacuum_count = 0 AND s.n_ins_since_vacuum >
                         current_setting('autovacuum_vacuum_insert_threshold')::float8
                         + current_setting('autovacuum_vacuum_insert_scale_factor')::float8
                           * greatest(c.reltuples, 0))""", list(TABLES))
            waiting = [r["relname"] for r in rows]
            if not waiting:
                return {"settled_after_s": round(time.monotonic() - t0)}
            if time.monotonic() - t0 > timeout_s:
                raise TimeoutError(f"autovacuum has not yet vacuumed and analysed {waiting}")
            await asyncio.sleep(5)
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--from", dest="source", type=Path, help="make_big_db.py's SQLite file")
    p.add_argument("--database-url", required=True,
                   help="the server (with --from) or the loaded database (with --settle)")
    p.add_argument("--name", default="dojobig", help="the database to (re)create")
    p.add_argument("--settle", action="store_true",
                   help="autovacuum on again, and wait until it has been through every table")
    p.add_argument("--timeout", type=float, default=1800, help="seconds --settle waits")
    args = p.parse_args(argv)
    if args.settle:
        print(asyncio.run(settle(args.database_url, args.timeout)))
        return 0
    if args.source is None or not args.source.exists():
        print("--from: make_big_db.py's file is needed", file=sys.stderr)
        return 2
    url = asyncio.run(load(args.source, args.database_url, args.name))
    print(urlsplit(url).path.lstrip("/"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
