"""A test's database on each backend, by URL: the one place a backend name becomes a URL.

The `backend` fixture (conftest.py) is the one parameter that runs a test on SQLite and on
PostgreSQL; every database fixture (empty_url, migrated_url, empty_db, migrated_db) and the
running bot's come from these two functions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from dojobot.storage.connect import opened, sqlite_url
from dojobot.storage.migrator import migrate_up
from tests.support.postgres import fresh_database

BACKENDS = ("sqlite", "postgresql")


@asynccontextmanager
async def empty_database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database of the backend with no schema yet, by URL (on SQLite the file
    tmp_path/dojobot.sqlite3, not created yet)."""
    if backend == "sqlite":
        yield sqlite_url(tmp_path / "dojobot.sqlite3")
        return
    async with fresh_database() as url:
        yield url


@asynccontextmanager
async def migrated_database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database of the backend with every migration applied, by URL."""
    if backend == "sqlite":
        url = sqlite_url(tmp_path / "dojobot.sqlite3")
        async with opened(url) as db:
            await migrate_up(db)
        yield url
        return
    async with fresh_database(migrated=True) as url:
        yield url
