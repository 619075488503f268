"""The database, and the one way storage modules use it, on SQLite and PostgreSQL alike.

Every storage module reads and writes through a transaction object, `Tx`:

    async with db.transaction() as tx:      # a write transaction: COMMIT, or ROLLBACK on error
        row = await tx.fetchone("SELECT ... WHERE user_id = ?", (user_id,))
        changed = await tx.execute("UPDATE ...", (...))
    async with db.read() as tx:             # one consistent snapshot that writes nothing
        rows = await tx.fetchall("SELECT ...", (...))
    async with db.read(heavy=True) as tx:   # a long scan (boards, KPIs): off the event loop

A helper that is one step of a bigger transaction takes the `Tx`; a function that stands
alone takes the `Database` and opens its own transaction or read. Nothing else touches a
connection: no raw cursors, no driver objects outside this module and postgres.py.

`Database` and `Tx` are protocols with two implementations, chosen by the URL's scheme
(storage/connect.py): `SqliteDatabase` here and `PostgresDatabase` (postgres.py). SQL is
written once, in SQLite's words, with `?` placeholders (`?N` where an argument is used
twice); rows are read by position or by column name (sqlite3.Row and asyncpg's Record both
allow it). What must differ between the engines is a field of `db.dialect` (dialect.py).

**SQLite (SqliteDatabase).** One stdlib `sqlite3` connection in WAL mode, opened in
autocommit mode (`isolation_level=None`): `SqliteTx` issues BEGIN, COMMIT and ROLLBACK.

- Statements run synchronously on the event loop thread. The answer path's statements are
  keyed lookups and updates of about 0.1 ms; handing each to a thread and back costs about
  1 ms of CPU on a 2-core machine (BENCHMARKS.md#answer-path), so an `await tx.fetchone(...)`
  here never suspends and a transaction costs no round trip at all.
- `read(heavy=True)`, for scans that take milliseconds to seconds (a class board over all
  time, KPIs, a learner's export), runs on one of READERS read-only aiosqlite connections
  beside the writer: each has its own thread, and a heavy read never takes the writer's
  lock, so answers are recorded while it runs (WAL lets readers and the one writer work at
  once; a reader sees the snapshot of its first statement). `stream()` hands a long result
  over in chunks, so memory holds one chunk.
- Transactions and light reads of different tasks queue on an `asyncio.Lock`, so their
  statements never mix on the one connection, and a thread never uses it while the loop
  thread does.
  A task opening a second one inside its own gets "nested transaction" (it would deadlock).
- Another process holding the write lock (`dojobot import-legacy` while the bot runs): the
  connection's `busy_timeout` is 0, so SQLite answers SQLITE_BUSY at once instead of
  sleeping on the loop thread; the statement is retried after an `asyncio.sleep`, backing
  off as SQLite's own busy handler does, for up to BUSY_TIMEOUT_MS. The loop keeps serving
  while a write waits.

The writer is the stdlib module, not aiosqlite: running statements on the loop thread
needed aiosqlite's private `_conn` and `_execute`, and a busy wait on its one thread would
stall every statement queued behind it. aiosqlite serves the heavy readers, where a thread
per connection is exactly what is wanted: a read that holds the one writer connection for
a second (it did, through `asyncio.to_thread`) held every answer behind it.

**PostgreSQL (PostgresDatabase).** An asyncpg pool: `transaction()` takes a connection
and runs `conn.transaction()` (READ COMMITTED; rows that decide a write are locked with
`FOR UPDATE`), `read()` a `REPEATABLE READ, READ ONLY` transaction (one snapshot, as on
SQLite; `heavy` changes nothing: every statement is awaited I/O). Transactions of
different tasks run at once, each on its own connection. `fetchone`/`fetchall`/`execute`/
`executemany` are asyncpg's `fetchrow`/`fetch`/`execute`/`executemany` (the status tag
"UPDATE 1" gives `execute`'s count) after `?` became `$1`, `$2`, ... (cached, once per
statement text); `executescript` (migrations) is `execute` without arguments. Each
statement is one round trip there.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, Protocol, TypeAlias, TypeVar
from urllib.parse import quote

import aiosqlite

from dojobot.storage.dialect import SQLITE, Dialect
from dojobot.storage.files import create_private

BUSY_TIMEOUT_MS = 5000
# Read-only connections for heavy reads (exports, boards, KPIs): two run at once, a third
# waits for one; each is a thread and a page cache.
READERS = 2
# Pauses between retries of a statement that found the database locked: the schedule of
# SQLite's own busy handler (sqliteDefaultBusyCallback), then every 100 ms.
_BUSY_PAUSES_MS = (1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100)

T = TypeVar("T")
Args: TypeAlias = Sequence[Any]


class StorageError(Exception):
    """The database cannot be used; the message is one line a maintainer can act on."""


class Row(Protocol):
    """A result row: sqlite3.Row or asyncpg's Record, read by position or column name."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...

    def keys(self) -> Iterable[str]: ...


class Tx(Protocol):
    """The statements of one transaction or read; see the module docstring."""

    async def fetchone(self, sql: str, args: Args = ()) -> Row | None:
        """The first row of a query, or None."""

    async def fetchall(self, sql: str, args: Args = ()) -> Sequence[Row]:
        """Every row of a query."""

    async def execute(self, sql: str, args: Args = ()) -> int:
        """Run a statement; returns how many rows it changed."""

    async def executemany(self, sql: str, rows: Sequence[Args]) -> None:
        """Run a statement once per argument tuple."""

    async def executescript(self, script: str) -> None:
        """Run several statements without arguments (migrations)."""

    def stream(self, sql: str, args: Args = (), size: int = 1000) -> AsyncIterator[Sequence[Row]]:
        """A query's rows, `size` at a time: memory holds one chunk, not the result."""


class Database(Protocol):
    """A database on either engine; see the module docstring."""

    @property
    def dialect(self) -> Dialect:
        """The engine's SQL where it differs."""

    @property
    def display_name(self) -> str:
        """How messages and logs name the database (never with a password)."""

    @property
    def driver_error(self) -> type[Exception]:
        """What a failing statement raises (sqlite3.Error, asyncpg.PostgresError)."""

    def transaction(self, *, heavy: bool = False) -> AbstractAsyncContextManager[Tx]:
        """A write transaction: COMMIT at the end, ROLLBACK on any exception; heavy: a
        long write (an erasure's batch), kept off the event loop."""

    def read(self, *, heavy: bool = False) -> AbstractAsyncContextManager[Tx]:
        """A read-only snapshot; heavy: long scans, kept off the event loop."""

    async def probe(self, timeout_ms: int = 1000) -> str | None:
        """None if an answer could be recorded now; else why not (for /healthz)."""

    async def close(self) -> None:
        """Release the connection(s) once running work has finished."""


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


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    """Open and configure the connection (blocking: called on a thread)."""
    # check_same_thread=False: heavy reads run on worker threads, one at a time (the lock).
    conn = (
        sqlite3.connect(read_only_uri(path), uri=True, isolation_level=None,
                        check_same_thread=False)
        if readonly
        else sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    )
    conn.row_factory = sqlite3.Row
    try:
        # Setting up may wait for another process; from then on nothing waits in SQLite.
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not readonly:  # both are writes to the file
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA busy_timeout = 0")
    except sqlite3.DatabaseError as exc:
        conn.close()
        reason = "is not a SQLite database" if "not a database" in str(exc) else str(exc)
        if "readonly" in str(exc) or "unable to open" in str(exc):
            reason = f"cannot be written: {exc}"
        raise StorageError(f"database {path} {reason}") from None
    return conn


async def _open_reader(path: Path) -> aiosqlite.Connection:
    """A read-only connection for heavy reads (its statements run on aiosqlite's thread,
    where waiting on a checkpoint's lock blocks no one: busy_timeout stays on)."""
    try:
        conn = await aiosqlite.connect(read_only_uri(path), uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open database {path} for reading: {exc}") from None
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    except BaseException:
        # Cancelled here (a heavy read whose request went away), the open connection would
        # be dropped unclosed: its thread (not a daemon) and file handle lived on until
        # collected, when aiosqlite warns in whichever code runs then.
        await asyncio.shield(conn.close())
        raise
    return conn


async def _end_read(reader: aiosqlite.Connection) -> None:
    """ROLLBACK a heavy read (it has nothing to keep); none to end if its BEGIN failed."""
    try:
        await reader.execute("ROLLBACK")
    except sqlite3.OperationalError:
        if reader.in_transaction:
            raise


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY


def _statements(script: str) -> Iterator[str]:
    """A script's statements one by one (a trigger body keeps its inner semicolons)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""


def _fetchone(conn: sqlite3.Connection, sql: str, args: Args) -> sqlite3.Row | None:
    cursor = conn.execute(sql, args)
    try:
        row: sqlite3.Row | None = cursor.fetchone()
        return row
    finally:
        cursor.close()  # ends the statement now: it holds a read lock until it is reset


class SqliteTx:
    """Tx on SQLite: the statements of one transaction or read."""

    __slots__ = ("_db", "_heavy")

    def __init__(self, db: SqliteDatabase, *, heavy: bool) -> None:
        self._db = db
        self._heavy = heavy

    async def fetchone(self, sql: str, args: Args = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        conn = self._db._conn
        return await self._db._call(lambda: _fetchone(conn, sql, args), heavy=self._heavy)

    async def fetchall(self, sql: str, args: Args = ()) -> list[sqlite3.Row]:
        """Every row of a query."""
        conn = self._db._conn
        return await self._db._call(lambda: conn.execute(sql, args).fetchall(), heavy=self._heavy)

    async def execute(self, sql: str, args: Args = ()) -> int:
        """Run a statement; returns how many rows it changed."""
        conn = self._db._conn
        return await self._db._call(lambda: conn.execute(sql, args).rowcount, heavy=self._heavy)

    async def executemany(self, sql: str, rows: Sequence[Args]) -> None:
        """Run a statement once per argument tuple."""
        conn = self._db._conn
        await self._db._call(lambda: conn.executemany(sql, rows), heavy=self._heavy)

    async def executescript(self, script: str) -> None:
        """Run several statements without arguments (migrations), on a worker thread."""
        conn = self._db._conn

        def run() -> None:
            for statement in _statements(script):
                conn.execute(statement)

        await self._db._call(run, heavy=True)

    async def stream(
        self, sql: str, args: Args = (), size: int = 1000
    ) -> AsyncIterator[Sequence[sqlite3.Row]]:
        """A query's rows, `size` at a time."""
        cursor = self._db._conn.execute(sql, args)
        try:
            while rows := await self._db._call(lambda: cursor.fetchmany(size), heavy=self._heavy):
                yield rows
        finally:
            cursor.close()


class ReaderTx:
    """Tx on one of SQLite's read-only connections (aiosqlite: each runs on its own thread):
    a heavy read's statements, which never touch the writer's connection or its lock."""

    __slots__ = ("_conn",)

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetchone(self, sql: str, args: Args = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        async with self._conn.execute(sql, args) as cursor:
            row: sqlite3.Row | None = await cursor.fetchone()
            return row

    async def fetchall(self, sql: str, args: Args = ()) -> list[sqlite3.Row]:
        """Every row of a query."""
        return list(await self._conn.execute_fetchall(sql, args))

    async def execute(self, sql: str, args: Args = ()) -> int:
        """Refused: the connection is read-only (a heavy read writes nothing)."""
        raise sqlite3.OperationalError("attempt to write a readonly database")

    async def executemany(self, sql: str, rows: Sequence[Args]) -> None:
        """Refused: the connection is read-only."""
        raise sqlite3.OperationalError("attempt to write a readonly database")

    async def executescript(self, script: str) -> None:
        """Refused: the connection is read-only."""
        raise sqlite3.OperationalError("attempt to write a readonly database")

    async def stream(
        self, sql: str, args: Args = (), size: int = 1000
    ) -> AsyncIterator[Sequence[sqlite3.Row]]:
        """A query's rows, `size` at a time."""
        async with self._conn.execute(sql, args) as cursor:
            while rows := await cursor.fetchmany(size):
                yield list(rows)


class SqliteDatabase:
    """Database on SQLite: one connection with DojoBot's pragmas; see the module docstring."""

    dialect = SQLITE
    driver_error = sqlite3.Error

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn  # used by Tx only: storage modules go through transaction()/read()
        self.path = path
        # One transaction at a time on the shared connection: a job's transaction and a
        # handler's must queue, not interleave (their statements would mix).
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        # Heavy reads' own read-only connections, opened as first needed (READERS at most).
        self._idle_readers: list[aiosqlite.Connection] = []
        self._readers: list[aiosqlite.Connection] = []
        self._reader_free = asyncio.Condition()

    @classmethod
    async def open(
        cls, path: Path, *, create: bool = True, readonly: bool = False
    ) -> SqliteDatabase:
        """Open (or create) the database file and apply the pragmas.

        readonly: for commands that only read (stats, migrate status); works on a file the
        process cannot write, and refuses every write.
        """
        _check_path(path, create=create and not readonly)
        if create and not readonly:
            try:
                create_private(path)
            except OSError as exc:
                raise StorageError(f"cannot create database {path}: {exc}") from None
        try:
            conn = await asyncio.to_thread(_connect, path, readonly)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open database {path}: {exc}") from None
        return cls(conn, path)

    @property
    def display_name(self) -> str:
        """The file's path."""
        return str(self.path)

    async def close(self) -> None:
        """Close the connection (checkpointing the WAL) once running work has finished."""
        async with self._reader_free:
            await self._reader_free.wait_for(
                lambda: len(self._idle_readers) == len(self._readers)
            )
            for reader in self._readers:
                await reader.close()  # its thread ends (aiosqlite's threads are not daemons)
            self._readers.clear()
            self._idle_readers.clear()
        async with self._lock:
            await asyncio.to_thread(self._conn.close)

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[aiosqlite.Connection]:
        """An idle read-only connection (a new one while fewer than READERS are open)."""
        async with self._reader_free:
            if not self._idle_readers and len(self._readers) < READERS:
                self._readers.append(await _open_reader(self.path))
                self._idle_readers.append(self._readers[-1])
            await self._reader_free.wait_for(lambda: bool(self._idle_readers))
            reader = self._idle_readers.pop()
        try:
            yield reader
        finally:
            async with self._reader_free:
                self._idle_readers.append(reader)
                self._reader_free.notify()

    def _refuse_nested(self) -> None:
        if self._owner is not None and self._owner is asyncio.current_task():
            raise RuntimeError("nested transaction")  # it would wait for itself forever

    # transaction(), read() and probe() each take the lock inline rather than through a
    # shared context manager: they are on the answer path, and every layer costs.
    @asynccontextmanager
    async def transaction(self, *, heavy: bool = False) -> AsyncIterator[SqliteTx]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (COMMIT's included).

        heavy: the statements and the COMMIT run on a worker thread. Answers still wait for
        the lock, but nothing else waits: an erasure's batches ran on the loop's thread, and
        with a COMMIT that checkpoints the WAL (a batch writes thousands of pages) one of
        them stopped every learner's reply, not only those that needed the database."""
        self._refuse_nested()
        async with self._lock:
            self._owner = asyncio.current_task()
            try:
                await self._call(self._begin_immediate, heavy=heavy)
                yield SqliteTx(self, heavy=heavy)
                await self._call(self._commit, heavy=heavy)
            finally:
                self._end()

    @asynccontextmanager
    async def read(self, *, heavy: bool = False) -> AsyncIterator[SqliteTx | ReaderTx]:
        """A read transaction: its statements all see the same data; it takes no write lock.

        heavy: the statements may take long (scans, aggregates, exports): they run on a
        read-only connection of their own, on its own thread, and never hold the writer's
        lock, so answers are recorded while they run (WAL: readers and the writer do not
        wait for each other).
        """
        if heavy:
            async with self._reader() as reader:
                # BEGIN inside the try: cancelled while it runs (it runs all the same, on the
                # reader's thread), the reader went back to the pool inside a transaction,
                # and every later heavy read on it failed ("transaction within a
                # transaction"). ROLLBACK queues behind it on that thread.
                try:
                    await reader.execute("BEGIN")  # deferred: a snapshot from the first read
                    yield ReaderTx(reader)
                finally:
                    await _end_read(reader)
            return
        self._refuse_nested()
        async with self._lock:
            self._owner = asyncio.current_task()
            self._conn.execute("BEGIN")  # deferred: a snapshot from the first read
            try:
                yield SqliteTx(self, heavy=heavy)
            finally:
                self._end()  # ROLLBACK: a read has nothing to keep

    async def probe(self, timeout_ms: int = 1000) -> str | None:
        """None if an answer could be recorded now; else why not (for /healthz).

        Takes the write lock for a moment and writes nothing (BEGIN IMMEDIATE, a read,
        ROLLBACK), waiting at most timeout_ms: a file locked by another process or an
        unreadable file shows here, where `SELECT 1` never touches the file.
        """
        self._refuse_nested()
        async with self._lock:
            self._owner = asyncio.current_task()
            try:
                await self._call(
                    self._begin_immediate, heavy=False, busy_timeout_ms=timeout_ms
                )
                _fetchone(self._conn, "SELECT count(*) FROM sqlite_master", ())
            except sqlite3.Error as exc:
                return f"database is not answering ({exc})"
            finally:
                self._end()
        return None

    def _begin_immediate(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def _commit(self) -> None:
        self._conn.execute("COMMIT")

    def _end(self) -> None:
        """Roll back whatever is still open (nothing after a COMMIT); free the lock's owner."""
        self._owner = None
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    async def _call(
        self, statement: Callable[[], T], *, heavy: bool, busy_timeout_ms: int = BUSY_TIMEOUT_MS
    ) -> T:
        """Run one statement (for Tx): on the loop thread, or on a worker thread when heavy.

        SQLITE_BUSY (another process holds the lock) is retried after a non-blocking pause.
        """
        waited = 0
        pauses = itertools.chain(_BUSY_PAUSES_MS, itertools.repeat(_BUSY_PAUSES_MS[-1]))
        while True:
            try:
                return await _on_thread(statement) if heavy else statement()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or waited >= busy_timeout_ms:
                    raise  # past the timeout: "database is locked", as SQLite says it
            pause = next(pauses)
            await asyncio.sleep(pause / 1000)
            waited += pause


async def _on_thread(statement: Callable[[], T]) -> T:
    """statement() on a worker thread; a cancelled caller still waits for it to finish,
    so the connection is never used by the thread and by a ROLLBACK at once."""
    job = asyncio.ensure_future(asyncio.to_thread(statement))
    try:
        return await asyncio.shield(job)
    except asyncio.CancelledError:
        await asyncio.wait([job])
        raise
