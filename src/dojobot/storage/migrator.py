"""Apply and roll back the numbered SQL migrations shipped as dojobot.migrations."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files

from dojobot.storage.db import Database, StorageError
from dojobot.storage.dialect import SQLITE, Dialect

_NAME = re.compile(r"^(\d{4})_(\w+)\.up\.sql$")


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


def _read(dialect: Dialect, name: str) -> str:
    """The file `name` from the dialect's first migration package that has it."""
    for package in dialect.migration_packages:
        entry = files(package).joinpath(name)
        if entry.is_file():
            return entry.read_text(encoding="utf-8")
    raise FileNotFoundError(name)


def available_migrations(dialect: Dialect = SQLITE) -> tuple[Migration, ...]:
    """All migrations shipped with this version, in order, in the dialect's SQL."""
    found = []
    # The shared folder (the last package) defines which migrations exist.
    for entry in files(dialect.migration_packages[-1]).iterdir():
        match = _NAME.match(entry.name)
        if not match:
            continue
        found.append(
            Migration(
                version=int(match.group(1)),
                name=match.group(2),
                up_sql=_read(dialect, entry.name),
                down_sql=_read(dialect, entry.name.replace(".up.sql", ".down.sql")),
            )
        )
    return tuple(sorted(found, key=lambda m: m.version))


async def applied_versions(db: Database) -> tuple[int, ...]:
    """Versions recorded in schema_migration; reading only, never creating it."""
    async with db.read() as tx:
        exists = await tx.fetchone(db.dialect.has_migration_bookkeeping)
        if exists is None:
            return ()
        rows = await tx.fetchall("SELECT version FROM schema_migration ORDER BY version")
    return tuple(int(r["version"]) for r in rows)


async def status(db: Database) -> MigrationStatus:
    """Current and latest versions and what is pending."""
    migrations = available_migrations(db.dialect)
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


async def migrate_up(
    db: Database, to: int | None = None, *, on_step: Callable[[int, int], None] | None = None
) -> list[Migration]:
    """Apply pending migrations up to `to` (default: all), each in one transaction;
    on_step(done, planned) after each."""
    state = await status(db)
    _refuse_newer(state)
    if to is not None and not 0 <= to <= state.latest:
        raise StorageError(f"no migration {to}: versions run from 0 to {state.latest}")
    async with db.transaction() as tx:
        await tx.execute(db.dialect.migration_bookkeeping)
    plan = [m for m in state.pending if to is None or m.version <= to]
    done: list[Migration] = []
    for migration in plan:
        if on_step is not None:
            on_step(len(done), len(plan))
        try:
            async with db.transaction() as tx:
                await tx.executescript(migration.up_sql)
                await tx.execute(
                    "INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, int(time.time() * 1000)),
                )
        except db.driver_error as exc:
            raise StorageError(f"migration failed and was rolled back: {exc}") from None
        done.append(migration)
    if on_step is not None:
        on_step(len(done), len(plan))
    return done


async def migrate_down(db: Database, to: int) -> list[Migration]:
    """Roll back applied migrations above version `to`, newest first, in one transaction.

    All or nothing: a rollback that fails (a catalogue still used by learners' sessions)
    undoes the whole plan, so the database is never left between the two versions.
    """
    state = await status(db)
    _refuse_newer(state)
    if not 0 <= to <= state.latest:
        raise StorageError(f"no migration {to}: versions run from 0 to {state.latest}")
    by_version = {m.version: m for m in available_migrations(db.dialect)}
    plan = [by_version[v] for v in sorted(state.applied, reverse=True) if v > to]
    if not plan:
        return []
    step: Migration | None = None
    try:
        async with db.transaction() as tx:
            for step in plan:
                await tx.executescript(step.down_sql)
                await tx.execute("DELETE FROM schema_migration WHERE version = ?", (step.version,))
    except db.driver_error as exc:
        # The whole plan is one transaction: the file is never left between two versions.
        where = f"rolling back {step.version:04d} {step.name}" if step else "the rollback"
        lowest = f"; the lowest version it can go down to is {step.version}" if step else ""
        # One line: PostgreSQL's message adds a DETAIL line (which row still needs it).
        reason = " ".join(str(exc).split())
        raise StorageError(
            f"migrate down --to {to} refused: {where} fails ({reason}), as the database holds "
            f"data that needs it; nothing was changed (still version {state.current}){lowest}"
        ) from None
    return plan
