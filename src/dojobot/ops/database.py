"""The database DOJOBOT_DATABASE_URL names, as the bot and the maintainer commands open it:
waiting for a server that is starting, sizing SQLite's caches for a long run, a backup
before a command writes. The URL itself is read by storage/connect.py."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from dojobot.config import Settings
from dojobot.ops.startup import FIRST_DELAY_S, MAX_DELAY_S
from dojobot.storage.backup import auto_backup
from dojobot.storage.connect import open_url, sqlite_url
from dojobot.storage.db import Database, SqliteDatabase
from dojobot.storage.postgres import DatabaseUnreachable
from dojobot.storage.tuning import size_memory

log = logging.getLogger(__name__)


async def open_database(
    settings: Settings, *, create: bool = True, readonly: bool = False, path: Path | None = None
) -> Database:
    """A SQLite file (or a copy of it at `path`; readonly: for commands that only read), or
    a PostgreSQL pool (the server enforces what may be written)."""
    url = settings.database_url if path is None else sqlite_url(path)
    return await open_url(url, create=create, readonly=readonly)


async def open_when_reachable(
    settings: Settings, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
) -> Database:
    """open_database for `dojobot run`: a server that does not answer yet (a container
    starting beside it) is tried again with backoff, one WARNING line per try, without limit
    (no crash loop); any other failure is one StorageError line at once."""
    delay = FIRST_DELAY_S
    attempt = 0
    while True:
        attempt += 1
        try:
            return await open_database(settings)
        except DatabaseUnreachable as exc:
            log.warning("%s (try %d); trying again in %.0f s", exc, attempt, delay)
            await sleep(delay)
            delay = min(delay * 2, MAX_DELAY_S)


async def open_for_the_bot(settings: Settings) -> Database:
    """The running bot's database; a SQLite connection gets its long-running cache sizes."""
    db = await open_url(settings.database_url)
    if isinstance(db, SqliteDatabase):
        await size_memory(db, cache_mib=settings.sqlite_cache_mib,
                          mmap_mib=settings.sqlite_mmap_mib)
    return db


def backup_first(settings: Settings, reason: str) -> Path | None:
    """A copy of the SQLite file before a command writes to it; None on PostgreSQL (a
    managed server keeps its own backups; pg_dump makes one by hand)."""
    return None if settings.uses_postgres else auto_backup(settings.database_path, reason)
