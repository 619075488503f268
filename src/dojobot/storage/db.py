"""The SQLite connection: one long-lived aiosqlite connection per process."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

BUSY_TIMEOUT_MS = 5000


class StorageError(Exception):
    """The database cannot be used; the message is one line a maintainer can act on."""


def _check_path(path: Path, *, create: bool) -> None:
    if not create and not path.exists():
        raise StorageError(f"database {path} does not exist (create it: dojobot migrate up)")
    if not path.parent.exists():
        raise StorageError(f"cannot create database {path}: folder {path.parent} is missing")


class Database:
    """One connection with DojoBot's pragmas and a transaction() context manager."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        # One connection is shared by handlers and jobs (separate asyncio tasks): a lock
        # keeps one task's BEGIN ... COMMIT from interleaving with another's.
        self._write_lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None

    @classmethod
    async def open(cls, path: Path, *, create: bool = True) -> Database:
        """Open (or create) the database file and apply the pragmas."""
        _check_path(path, create=create)
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open database {path}: {exc}") from None
        conn.row_factory = aiosqlite.Row
        try:
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("SELECT count(*) FROM sqlite_master")
        except sqlite3.DatabaseError as exc:
            await conn.close()
            reason = "is not a SQLite database" if "not a database" in str(exc) else str(exc)
            if "readonly" in str(exc) or "unable to open" in str(exc):
                reason = f"cannot be written: {exc}"
            raise StorageError(f"database {path} {reason}") from None
        return cls(conn, path)

    async def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        await self.conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception."""
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            raise RuntimeError("nested transaction")
        async with self._write_lock:
            self._owner = task
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                except BaseException:
                    await self.conn.execute("ROLLBACK")
                    raise
                await self.conn.execute("COMMIT")
            finally:
                self._owner = None

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Run a read query and return all rows."""
        async with self.conn.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        """Run a read query and return the first row, if any."""
        async with self.conn.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()
