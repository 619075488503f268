"""A database from its URL: the one place that picks SQLite or PostgreSQL, by the scheme.

    sqlite:///relative/file.db   sqlite:////absolute/file.db   a SQLite file (SqliteDatabase)
    postgresql://user:password@host:5432/dbname (or postgres://)   a server (PostgresDatabase)

The bot (ops/database.py), the command line, the tests and the benchmarks all open their
database through `open_url`, so a URL means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from dojobot.storage.db import Database, SqliteDatabase
from dojobot.storage.postgres import PostgresDatabase

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SQLITE_SCHEME = "sqlite:///"


def is_postgres(url: str) -> bool:
    """The URL names a PostgreSQL server (else a SQLite file)."""
    return url.startswith(POSTGRES_SCHEMES)


def check_url(url: str) -> str:
    """The URL unchanged if it names a database; ValueError saying what one looks like."""
    if is_postgres(url):
        return url  # the server judges the rest when connecting
    if not url.startswith(SQLITE_SCHEME) or url == SQLITE_SCHEME:
        raise ValueError(
            "must look like sqlite:///relative.db, sqlite:////abs/path.db or "
            "postgresql://user:password@host:5432/dbname"
        )
    name = url.removeprefix(SQLITE_SCHEME)
    if name == ":memory:" or name.startswith("file:") or "?" in name:
        # An in-memory database loses every answer at exit; URI options would be taken
        # as part of a file name (':memory:.lock', 'x.db?mode=ro').
        raise ValueError(
            "must name a database file (an in-memory database would lose every answer "
            "at exit; URI options are not supported)"
        )
    return url


def sqlite_path(url: str) -> Path:
    """The SQLite file a sqlite:/// URL names; a relative path is relative to the working
    directory."""
    if not url.startswith(SQLITE_SCHEME):
        raise ValueError(f"not a SQLite URL: {url.split(':', 1)[0]}")
    return Path(url.removeprefix(SQLITE_SCHEME))


def sqlite_url(path: Path) -> str:
    """The URL of a SQLite file."""
    return f"{SQLITE_SCHEME}{path}"


async def open_url(url: str, *, create: bool = True, readonly: bool = False) -> Database:
    """The database the URL names, opened on its engine.

    create: make a missing SQLite file (a server's database must exist); readonly: for
    commands that only read a SQLite file (a server enforces what may be written)."""
    if is_postgres(url):
        return await PostgresDatabase.open(url)
    return await SqliteDatabase.open(sqlite_path(check_url(url)), create=create,
                                     readonly=readonly)


@asynccontextmanager
async def opened(
    url: str, *, create: bool = True, readonly: bool = False
) -> AsyncIterator[Database]:
    """`open_url` for one block: the database is closed when the block ends."""
    db = await open_url(url, create=create, readonly=readonly)
    try:
        yield db
    finally:
        await db.close()
