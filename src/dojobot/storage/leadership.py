"""Which replica runs the background work, and that a polling bot runs alone.

Several `dojobot run` replicas on one PostgreSQL elect a leader with a session-level advisory
lock held on a connection of its own; only the leader runs the background jobs (nudges,
weekly class posts, closing idle sets, deleting abandoned classes).

Why a leader, not rows claimed with `FOR UPDATE SKIP LOCKED` in every job: the jobs are few
and periodic (each minute, each week, each day), and what they send is paced by Telegram's
budget that all replicas share, not by one replica's CPU; spreading a broadcast over replicas
would buy nothing. One lock makes all four jobs run once without touching their SQL, and it
frees by itself: when the leader dies (`kill -9`, a lost node) the server ends its session and
the lock with it, and the next election round of another replica takes it.

Why a dedicated connection: an advisory lock belongs to the session that took it. On a
pooled connection it would follow whichever query used that connection next, and outlive a
leader that believes it stepped down.

On SQLite there is one process (the database's lock file keeps it so): it always leads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from dojobot.storage.db import StorageError
from dojobot.storage.postgres import redact_url

# Advisory lock keys, the same on every replica: 'dojo' and what the lock guards.
LEADER_KEY = 0x646F6A6F_0001
# Held shared by every webhook replica and exclusively by a polling one: Telegram allows one
# getUpdates consumer, and a polling bot's start deletes the webhook the others serve.
POLLING_KEY = 0x646F6A6F_0002
# Taken by whoever migrates: replicas that start together on a new database would otherwise
# apply the same migration at once, and all but one fail on a duplicate table.
MIGRATION_KEY = 0x646F6A6F_0003
POLLING_TAKEN = (
    "another DojoBot replica runs on this database; polling mode allows only one (Telegram "
    "has one getUpdates consumer): stop it, or run every replica with DOJOBOT_MODE=webhook"
)
POLLER_RUNNING = (
    "a DojoBot replica in polling mode runs on this database: stop it before starting "
    "webhook replicas (a polling bot deletes the webhook they serve)"
)
CONNECT_TIMEOUT_S = 5
CHECK_TIMEOUT_S = 3


class Election:
    """One replica's part in the election; `leading` says whether it leads now."""

    def __init__(self, url: str | None, *, polling: bool) -> None:
        self.url = url  # None: SQLite, one process, always the leader
        self.polling = polling
        self.leading = url is None
        self._conn: Any = None

    @property
    def status(self) -> str:
        """The replica's role, for /healthz and the logs."""
        if self.url is None:
            return "leader (single process)"
        if self._conn is None:
            return "no election connection"
        return "leader" if self.leading else "standby"

    async def join(self) -> None:
        """Connect and take the polling guard; StorageError (one line) if it is not free."""
        if self.url is None:
            return
        await self._connect()
        if not await self._guard():
            await self.close()
            raise StorageError(POLLING_TAKEN if self.polling else POLLER_RUNNING)

    async def elect(self) -> bool:
        """One election round: keep or take the leader lock; step down if the server is lost."""
        if self.url is None:
            return True
        import asyncpg  # the optional extra; the database module already required it

        try:
            if self._conn is None or self._conn.is_closed():
                self.leading = False
                await self._connect()
                await self._guard()  # a new session: take the guard again
            if self.leading:
                # The lock lives as long as this session: one answered query says it does.
                await self._conn.fetchval("SELECT 1", timeout=CHECK_TIMEOUT_S)
            else:
                self.leading = bool(await self._conn.fetchval(
                    "SELECT pg_try_advisory_lock($1)", LEADER_KEY, timeout=CHECK_TIMEOUT_S
                ))
        except (OSError, TimeoutError, StorageError, asyncpg.PostgresError,
                asyncpg.InterfaceError):
            # Unsure whether the session lives: end it, so the lock is surely free for
            # another replica and this one no longer acts as the leader.
            self.leading = False
            await self.close()
        return self.leading

    async def close(self) -> None:
        """End the session (releasing its locks)."""
        conn, self._conn = self._conn, None
        self.leading = self.url is None
        if conn is not None and not conn.is_closed():
            conn.terminate()  # no round trip: the server frees the locks as the socket closes

    async def _connect(self) -> None:
        assert self.url is not None
        self._conn = await _connect(self.url, "the leader election")

    async def _guard(self) -> bool:
        lock = "pg_try_advisory_lock" if self.polling else "pg_try_advisory_lock_shared"
        return bool(await self._conn.fetchval(
            f"SELECT {lock}($1)", POLLING_KEY, timeout=CHECK_TIMEOUT_S
        ))


@asynccontextmanager
async def one_migrator_at_a_time(url: str | None) -> AsyncIterator[None]:
    """Hold PostgreSQL's migration lock for the block (waiting for another migrator to
    finish first); on SQLite (url None) nothing: one process, and its lock file."""
    if url is None:
        yield
        return
    conn = await _connect(url, "the migration lock")
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_KEY)
        yield
    finally:
        conn.terminate()  # the session ends, and the lock with it


async def _connect(url: str, purpose: str) -> Any:
    """A connection of its own (locks belong to a session); StorageError in one line."""
    import asyncpg  # the optional extra; the database module already required it

    try:
        return await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise StorageError(
            f"cannot connect to {redact_url(url)} for {purpose}: {type(exc).__name__}"
        ) from None
