"""A PostgreSQL database through an asyncpg pool (the optional extra dojobot[postgres])."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from dojobot.storage.db import Args, StorageError
from dojobot.storage.dialect import POSTGRES, numbered_parameters
from dojobot.storage.listening import Listener

CONNECT_TIMEOUT_S = 10
# Per connection. jit off: the server's default compiles any statement its planner costs
# above 100,000 with LLVM, 10-120 ms a statement (per parallel worker), which a bot's
# statements of a few ms never earn back: `dojobot stats`, boards on a database without
# statistics yet (BENCHMARKS.md#data-at-scale-postgresql).
SERVER_SETTINGS = {"jit": "off"}
# Connections per process: transactions of different chats run at once, each on its own.
POOL_SIZE = 10


def redact_url(url: str) -> str:
    """The URL with its password replaced by ***: the only form of it that may be shown."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _unreadable(url: str) -> str | None:
    """Why the URL cannot be read, or None (urlsplit checks the port only when asked)."""
    try:
        urlsplit(url).port  # noqa: B018 - reading it is the check
    except ValueError:
        return "its port is not a number from 0 to 65535"
    return None


class DatabaseUnreachable(StorageError):
    """The server did not answer (or is starting up): trying again later may work."""


def _count(status: str) -> int:
    """Rows a statement changed, from its status tag ("UPDATE 3", "INSERT 0 1", "DELETE 0")."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else 0


class PostgresTx:
    """Tx on PostgreSQL: the statements of one transaction on one pool connection."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def fetchone(self, sql: str, args: Args = ()) -> Any:
        """The first row of a query, or None."""
        return await self._conn.fetchrow(numbered_parameters(sql), *args)

    async def fetchall(self, sql: str, args: Args = ()) -> Any:
        """Every row of a query."""
        return await self._conn.fetch(numbered_parameters(sql), *args)

    async def execute(self, sql: str, args: Args = ()) -> int:
        """Run a statement; returns how many rows it changed."""
        return _count(await self._conn.execute(numbered_parameters(sql), *args))

    async def executemany(self, sql: str, rows: Sequence[Args]) -> None:
        """Run a statement once per argument tuple (one round trip: asyncpg pipelines it)."""
        await self._conn.executemany(numbered_parameters(sql), rows)

    async def executescript(self, script: str) -> None:
        """Run several statements without arguments (migrations)."""
        await self._conn.execute(script)

    async def stream(self, sql: str, args: Args = (), size: int = 1000) -> AsyncIterator[Any]:
        """A query's rows, `size` at a time (a server-side cursor in the transaction)."""
        cursor = await self._conn.cursor(numbered_parameters(sql), *args)
        while rows := await cursor.fetch(size):
            yield rows


class _OneConnection:
    """The pool of a rehearsal: its one connection, already inside the outer transaction."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def acquire(self) -> Any:
        return self._conn

    async def release(self, conn: Any) -> None:
        """Kept: it is the rehearsal's."""

    def get_max_size(self) -> int:
        return 1

    async def close(self) -> None:
        """The rehearsal releases it."""


class PostgresDatabase:
    """Database on PostgreSQL: an asyncpg pool; see storage/db.py's docstring."""

    dialect = POSTGRES

    def __init__(
        self, pool: Any, url: str, driver_error: type[Exception],
        lost: tuple[type[BaseException], ...],
    ) -> None:
        self._pool = pool
        self.url = url
        self.driver_error = driver_error
        self._lost = lost  # what a connection the server has ended raises on its next use
        # Tasks inside a transaction or read: a second one inside the first is a bug on
        # SQLite (it deadlocks); refused here too, so code behaves alike on both engines.
        self._busy: set[asyncio.Task[Any]] = set()

    @property
    def display_name(self) -> str:
        """How logs and messages name this database (never with its password)."""
        return redact_url(self.url)

    @classmethod
    async def open(cls, url: str, *, pool_size: int = POOL_SIZE) -> PostgresDatabase:
        """Connect; any failure is one StorageError line naming the redacted URL."""
        try:
            # Imported here: an optional extra, installed by PostgreSQL users only.
            import asyncpg
        except ImportError:
            raise StorageError(
                "PostgreSQL needs asyncpg: pip install 'dojobot[postgres]'"
            ) from None
        if (reason := _unreadable(url)) is not None:
            raise StorageError(f"cannot read DOJOBOT_DATABASE_URL: {reason}")
        shown = redact_url(url)
        try:
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=pool_size, timeout=CONNECT_TIMEOUT_S,
                server_settings=SERVER_SETTINGS,
            )
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            # Not there yet (refused, timed out, starting up) may pass; a refused password,
            # a missing database or a bad URL will not.
            transient = isinstance(exc, TimeoutError | OSError | asyncpg.CannotConnectNowError)
            raise (DatabaseUnreachable if transient else StorageError)(
                f"cannot connect to {shown} (DOJOBOT_DATABASE_URL): {_reason(exc, url)}"
            ) from None
        lost = (
            OSError, asyncpg.InterfaceError, asyncpg.InternalClientError,
            asyncpg.PostgresConnectionError, asyncpg.exceptions.OperatorInterventionError,
        )
        return cls(pool, url, asyncpg.PostgresError, lost)

    async def close(self) -> None:
        """Close the pool once the connections in use are released."""
        await self._pool.close()

    def _enter(self) -> asyncio.Task[Any] | None:
        task = asyncio.current_task()
        if task in self._busy:
            raise RuntimeError("nested transaction")
        if task is not None:
            self._busy.add(task)
        return task

    async def _begin(self, **options: Any) -> tuple[Any, Any]:
        """A pool connection with a transaction begun on it.

        A connection the server ended while it sat in the pool (a restart, a failover, an
        administrator's pg_terminate_backend) fails at BEGIN, before anything is written:
        it is closed and the next one tried, so the first answer after a failover is
        judged, not refused.
        """
        attempts = self._pool.get_max_size() + 1  # every pooled one dead, then a new one
        for attempt in range(1, attempts + 1):
            conn = await self._pool.acquire()
            transaction = conn.transaction(**options)
            try:
                await transaction.start()
            except self._lost:
                # Found dead mid-BEGIN, the pool may have let go of it already (terminate()
                # then refuses); either way it is closed and the holder freed.
                with contextlib.suppress(*self._lost):
                    conn.terminate()
                await self._pool.release(conn)
                if attempt == attempts:
                    raise
                continue
            except BaseException:
                await self._pool.release(conn)
                raise
            return conn, transaction
        raise AssertionError("unreachable: the last attempt returns or raises")

    @asynccontextmanager
    async def _run(self, **options: Any) -> AsyncIterator[PostgresTx]:
        task = self._enter()
        try:
            conn, transaction = await self._begin(**options)
            try:
                yield PostgresTx(conn)
            except BaseException:
                with contextlib.suppress(*self._lost):  # a dead connection rolled back
                    await transaction.rollback()
                raise
            else:
                await transaction.commit()
            finally:
                await self._pool.release(conn)
        finally:
            self._busy.discard(task)

    def transaction(self, *, heavy: bool = False) -> AbstractAsyncContextManager[PostgresTx]:
        """BEGIN ... COMMIT on a pool connection, or ROLLBACK on any exception (heavy: no
        change, every statement is awaited I/O)."""
        return self._run()

    def read(self, *, heavy: bool = False) -> AbstractAsyncContextManager[PostgresTx]:
        """A read-only transaction whose statements all see one snapshot (heavy: no change,
        every statement is awaited I/O)."""
        return self._run(isolation="repeatable_read", readonly=True)

    @asynccontextmanager
    async def rehearsal(self) -> AsyncIterator[PostgresDatabase]:
        """This database as one transaction rolled back at the end (a dry run): every
        transaction and read through the database yielded is a savepoint inside it, so it
        sees its own writes and nobody else ever does. Its writes hold their row locks until
        it ends, as any transaction's."""
        async with self._pool.acquire() as conn:
            # Repeatable read: one snapshot throughout, and the isolation read() asks for.
            outer = conn.transaction(isolation="repeatable_read")
            await outer.start()
            try:
                yield PostgresDatabase(_OneConnection(conn), self.url, self.driver_error,
                                       self._lost)
            finally:
                with contextlib.suppress(*self._lost):  # a dead connection undid it anyway
                    await outer.rollback()

    async def listen(
        self, channel: str, on_message: Callable[[str], None], on_gap: Callable[[], None]
    ) -> Listener:
        """Hear NOTIFYs on `channel` on a connection of its own (storage/listening.py)."""
        import asyncpg

        async def connect() -> Any:
            return await asyncpg.connect(self.url, timeout=CONNECT_TIMEOUT_S,
                                         server_settings=SERVER_SETTINGS)

        listener = Listener(connect, channel, on_message, on_gap)
        await listener.start()
        return listener

    async def probe(self, timeout_ms: int = 1000) -> str | None:
        """None if a connection answers within timeout_ms; else why not (for /healthz)."""
        try:
            async with asyncio.timeout(timeout_ms / 1000):
                async with self._pool.acquire() as conn:
                    await conn.fetchval("SELECT 1")
        except Exception as exc:  # whatever it is, the database is not answering
            return f"database is not answering ({_reason(exc, self.url)})"
        return None


def _reason(exc: BaseException, url: str) -> str:
    """The driver's message, one line, with the password blanked should it ever quote it."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    password = urlsplit(url).password
    return text.replace(password, "***") if password else text
