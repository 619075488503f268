"""Apply and roll back the numbered SQL migrations shipped as dojobot.migrations."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files

from dojobot.storage.db import Database, StorageError

_NAME = re.compile(r"^(\d{4})_(\w+)\.up\.sql$")
_BOOKKEEPING = """CREATE TABLE IF NOT EXISTS schema_migration (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
)"""


@dataclass(frozen=True)
class Migration:
    """One numbered migration with its rollback."""

    version: int
    name: str
    up_sql: str
    down_sql: str


@dataclass(frozen=True)
class MigrationStatus:
    """Where the database stands against the migrations this version knows."""

    current: int
    latest: int
    applied: tuple[int, ...]
    pending: tuple[Migration, ...]


def available_migrations() -> tuple[Migration, ...]:
    """All migrations shipped with this version, in order."""
    folder = files("dojobot.migrations")
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if not match:
            continue
        down = folder.joinpath(entry.name.replace(".up.sql", ".down.sql"))
        found.append(
            Migration(
                version=int(match.group(1)),
                name=match.group(2),
                up_sql=entry.read_text(encoding="utf-8"),
                down_sql=down.read_text(encoding="utf-8"),
            )
        )
    return tuple(sorted(found, key=lambda m: m.version))


async def applied_versions(db: Database) -> tuple[int, ...]:
    """Versions recorded in schema_migration; reading only, never creating it."""
    exists = await db.fetchone(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migration'"
    )
    if exists is None:
        return ()
    rows = await db.fetchall("SELECT version FROM schema_migration ORDER BY version")
    return tuple(int(r["version"]) for r in rows)


async def status(db: Database) -> MigrationStatus:
    """Current and latest versions and what is pending."""
    migrations = available_migrations()
    applied = await applied_versions(db)
    current = max(applied, default=0)
    latest = migrations[-1].version if migrations else 0
    pending = tuple(m for m in migrations if m.version not in applied)
    return MigrationStatus(current, latest, applied, pending)


def _refuse_newer(state: MigrationStatus) -> None:
    if state.current > state.latest:
        raise StorageError(
            f"database is at schema version {state.current}, newer than this DojoBot "
            f"knows ({state.latest}); upgrade DojoBot instead"
        )


async def _run_script(db: Database, script: str) -> None:
    try:
        await db.conn.executescript(script)
    except sqlite3.Error as exc:
        if db.conn.in_transaction:
            await db.conn.execute("ROLLBACK")
        raise StorageError(f"migration failed and was rolled back: {exc}") from None


async def migrate_up(
    db: Database, to: int | None = None, *, on_step: Callable[[int, int], None] | None = None
) -> list[Migration]:
    """Apply pending migrations up to `to` (default: all), each in one transaction;
    on_step(done, planned) after each."""
    state = await status(db)
    _refuse_newer(state)
    if to is not None and not 0 <= to <= state.latest:
        raise StorageError(f"no migration {to}: versions run from 0 to {state.latest}")
    await db.conn.execute(_BOOKKEEPING)
    plan = [m for m in state.pending if to is None or m.version <= to]
    done: list[Migration] = []
    for migration in plan:
        if on_step is not None:
            on_step(len(done), len(plan))
        now = int(time.time() * 1000)
        await _run_script(
            db,
            f"BEGIN IMMEDIATE;\n{migration.up_sql}\n"
            f"INSERT INTO schema_migration (version, name, applied_at) "
            f"VALUES ({migration.version}, '{migration.name}', {now});\nCOMMIT;",
        )
        done.append(migration)
    if on_step is not None:
        on_step(len(done), len(plan))
    return done


async def migrate_down(db: Database, to: int) -> list[Migration]:
    """Roll back applied migrations above version `to`, newest first, in one transaction.

    All or nothing: a rollback that fails (a catalogue still used by learners' sessions)
    undoes the whole plan, so the file is never left between the two versions.
    """
    state = await status(db)
    _refuse_newer(state)
    if not 0 <= to <= state.latest:
        raise StorageError(f"no migration {to}: versions run from 0 to {state.latest}")
    by_version = {m.version: m for m in available_migrations()}
    plan = [by_version[v] for v in sorted(state.applied, reverse=True) if v > to]
    if not plan:
        return []
    # One script: executescript would commit an open transaction between scripts.
    steps = "\n".join(
        f"{m.down_sql}\nDELETE FROM schema_migration WHERE version = {m.version};" for m in plan
    )
    try:
        await db.conn.executescript(f"BEGIN IMMEDIATE;\n{steps}\nCOMMIT;")
    except sqlite3.Error as exc:
        failed = None
        if db.conn.in_transaction:
            # Inside the failed transaction, the versions still recorded say where it stopped.
            async with db.conn.execute("SELECT MAX(version) FROM schema_migration") as cursor:
                row = await cursor.fetchone()
            failed = by_version.get(row[0]) if row else None
            await db.conn.execute("ROLLBACK")
        where = f"rolling back {failed.version:04d} {failed.name}" if failed else "the rollback"
        lowest = (
            f"; the lowest version it can go down to is {failed.version}" if failed else ""
        )
        raise StorageError(
            f"migrate down --to {to} refused: {where} fails ({exc}), as the database holds "
            f"data that needs it; nothing was changed (still version {state.current}){lowest}"
        ) from None
    return plan
