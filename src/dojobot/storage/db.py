"""The SQLite connection: one long-lived aiosqlite connection per process."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import aiosqlite

from dojobot.storage.dialect import SQLITE

BUSY_TIMEOUT_MS = 5000

T = TypeVar("T")


class StorageError(Exception):
    """The database cannot be used; the message is one line a maintainer can act on."""


def _check_path(path: Path, *, create: bool) -> None:
    if not create and not path.exists():
        raise StorageError(f"database {path} does not exist")
    if not path.parent.exists():
        raise StorageError(f"cannot create database {path}: folder {path.parent} is missing")


def read_only_uri(path: Path) -> str:
    """A URI that opens `path` for reading only, even on a read-only folder or mount.

    mode=ro first: it sees a live bot's writes. A WAL database whose folder cannot hold the
    shared-memory file (`-shm`) opens only as immutable=1; that is safe because no process
    has the file open for writing (a writer would have created `-shm`).
    """
    base = f"file:{quote(str(path.absolute()))}?mode=ro"
    for uri in (base, f"{base}&immutable=1"):
        try:
            conn = sqlite3.connect(uri, uri=True)
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return uri
            finally:
                conn.close()
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_CANTOPEN:
                break
        except sqlite3.DatabaseError:
            break
    return base  # the caller's own error (not a database, damaged) explains it better


class Database:
    """One connection with DojoBot's pragmas and a transaction() context manager."""

    dialect = SQLITE

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        # One transaction at a time on the shared connection: a job's transaction and a
        # handler's must queue, not interleave (their statements would mix).
        self._tx_lock = asyncio.Lock()
        self._tx_owner: asyncio.Task[Any] | None = None

    @classmethod
    async def open(cls, path: Path, *, create: bool = True, readonly: bool = False) -> Database:
        """Open (or create) the database file and apply the pragmas.

        readonly: for commands that only read (stats, migrate status); works on a file the
        process cannot write, and refuses every write.
        """
        _check_path(path, create=create and not readonly)
        try:
            # check_same_thread=False: the answer path runs its short statements inline on
            # the event loop thread (see run()); SQLite serialises the connection itself.
            conn = await (
                aiosqlite.connect(
                    read_only_uri(path), uri=True, isolation_level=None, check_same_thread=False
                )
                if readonly
                else aiosqlite.connect(path, isolation_level=None, check_same_thread=False)
            )
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open database {path}: {exc}") from None
        conn.row_factory = aiosqlite.Row
        try:
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not readonly:  # both are writes to the file
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

    async def execute_script(self, script: str) -> None:
        """Run several statements; on an error roll back an open transaction, StorageError."""
        try:
            await self.conn.executescript(script)
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                await self.conn.execute("ROLLBACK")
            raise StorageError(str(exc)) from None

    @asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        if self._tx_owner is not None and self._tx_owner is asyncio.current_task():
            raise RuntimeError("nested transaction")
        async with self._tx_lock:
            self._tx_owner = asyncio.current_task()
            try:
                yield
            finally:
                self._tx_owner = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception."""
        async with self._exclusive():
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    async def run(self, fn: Callable[[sqlite3.Connection], T], *, inline: bool = False) -> T:
        """Run fn(connection): many statements, one round trip (inline: see _call).

        Outside its own transaction a task waits for other tasks' transactions to end, so
        the loop thread (inline) and aiosqlite's thread never use the connection at once.
        """
        if self._tx_owner is not None and self._tx_owner is asyncio.current_task():
            return await self._call(fn, inline=inline)
        async with self._tx_lock:
            return await self._call(fn, inline=inline)

    async def _call(self, fn: Callable[[sqlite3.Connection], T], *, inline: bool) -> T:
        """Run fn(connection) on the connection's thread: many statements, one round trip.

        inline=True runs it on the event loop thread instead, for the answer path's short
        keyed statements: handing work to aiosqlite's thread and back costs about 1 ms of
        CPU (GIL hand-offs) against 0.1 ms of SQL. Inline never waits for a lock held by
        another process; if the database is busy it goes to the thread and waits there.
        """
        raw = self.conn._conn
        if inline:
            raw.execute("PRAGMA busy_timeout = 0")
            try:
                return fn(raw)
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_BUSY:
                    raise
            finally:
                raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # aiosqlite has no public "run this callable on the connection thread"; _execute is
        # that, stable across 0.17-0.22 (pinned <1). Every storage test runs through here.
        return await self.conn._execute(fn, raw)

    async def run_transaction(
        self, fn: Callable[[sqlite3.Connection], T], *, inline: bool = False
    ) -> T:
        """BEGIN IMMEDIATE; fn(connection); COMMIT (ROLLBACK if fn raises), in one round trip.

        fn may run twice when inline finds the database busy (the first try rolled back).
        """

        def atomically(conn: sqlite3.Connection) -> T:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return result

        async with self._exclusive():
            return await self._call(atomically, inline=inline)

    async def read_snapshot(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """fn(connection) in one read transaction: its statements all see the same data.

        Holds the transaction lock, so no write of this process interleaves; keep fn short.
        """

        def snapshot(conn: sqlite3.Connection) -> T:
            conn.execute("BEGIN")  # deferred: a read snapshot, no write lock
            try:
                return fn(conn)
            finally:
                conn.execute("COMMIT")

        async with self._exclusive():
            return await self.run(snapshot)

    async def probe(self, busy_timeout_ms: int = 1000) -> str | None:
        """None if an answer could be recorded now; else why not (for /healthz).

        Takes the write lock for a moment and writes nothing (BEGIN IMMEDIATE, a read,
        ROLLBACK), waiting at most busy_timeout_ms: a file locked by another process or an
        unreadable file shows here, where `SELECT 1` never touches the file.
        """

        def check(conn: sqlite3.Connection) -> str | None:
            conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                finally:
                    conn.execute("ROLLBACK")
            except sqlite3.Error as exc:
                return f"database is not answering ({exc})"
            finally:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            return None

        return await self.run(check)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Run a read query and return all rows."""
        args = tuple(params)
        return await self.run(lambda conn: conn.execute(sql, args).fetchall())

    async def fetchone(
        self, sql: str, params: Iterable[Any] = (), *, inline: bool = False
    ) -> aiosqlite.Row | None:
        """Run a read query and return the first row, if any (inline: see run())."""
        args = tuple(params)

        def first(conn: sqlite3.Connection) -> aiosqlite.Row | None:
            cursor = conn.execute(sql, args)
            try:
                row: aiosqlite.Row | None = cursor.fetchone()
                return row
            finally:
                cursor.close()

        return await self.run(first, inline=inline)
