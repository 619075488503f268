"""What differs between SQLite and PostgreSQL, in one place: storage code asks its Dialect.

The schema is the same on both (names, columns, indexes, constraints); the PostgreSQL
migrations differ only in types: Telegram ids, ids the database assigns and millisecond
times are BIGINT (SQLite's INTEGER is 64-bit whatever it is declared), database-assigned
ids are identity columns (SQLite's INTEGER PRIMARY KEY), REAL is DOUBLE PRECISION (a
PostgreSQL REAL is 32-bit), and the table "user" is quoted (a reserved word there; SQLite
accepts the quotes too). Flags stay INTEGER 0/1 on both, so queries compare them alike.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    """One engine's SQL where it differs from the other's."""

    name: str
    # Packages holding NNNN_name.up.sql / .down.sql, searched in order for each file: the
    # shared folder defines the versions; an engine's own folder overrides a file.
    migration_packages: tuple[str, ...]
    # How a transaction that will write starts (SQLite: take the write lock at once, so two
    # writers never deadlock upgrading a read lock).
    begin_write: str
    migration_bookkeeping: str
    # Returns a row when schema_migration exists, creating nothing (`migrate status` only reads).
    has_migration_bookkeeping: str


SQLITE = Dialect(
    name="sqlite",
    migration_packages=("dojobot.migrations",),
    begin_write="BEGIN IMMEDIATE",
    migration_bookkeeping="""CREATE TABLE IF NOT EXISTS schema_migration (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
)""",
    has_migration_bookkeeping=(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migration'"
    ),
)

POSTGRES = Dialect(
    name="postgresql",
    migration_packages=("dojobot.migrations.postgres", "dojobot.migrations"),
    begin_write="BEGIN",
    migration_bookkeeping="""CREATE TABLE IF NOT EXISTS schema_migration (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)""",
    has_migration_bookkeeping="SELECT to_regclass('schema_migration')::text AS name "
    "WHERE to_regclass('schema_migration') IS NOT NULL",
)
