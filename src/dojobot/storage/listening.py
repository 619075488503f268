"""A PostgreSQL connection that LISTENs on one channel for as long as the bot runs.

How replicas tell each other what only memory holds: an erasure's transaction NOTIFYs
(dialect.announce_erasure), and every replica's listener hears it once the erasure commits.
A notice sent while a listener's connection was down is lost (PostgreSQL keeps none for a
connection that is not there), so after reconnecting the listener calls `on_gap`: the
process forgets what it may have missed hearing about. A connection that dies without a
word (a network cut) is found by a ping every KEEPALIVE_S.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

KEEPALIVE_S = 15.0
PING_TIMEOUT_S = 5.0
FIRST_RETRY_S = 0.5
MAX_RETRY_S = 30.0


class Listener:
    """LISTEN `channel` on a connection of its own; see the module docstring."""

    def __init__(
        self,
        connect: Callable[[], Awaitable[Any]],
        channel: str,
        on_message: Callable[[str], None],
        on_gap: Callable[[], None],
    ) -> None:
        self._connect = connect
        self._channel = channel
        self._on_message = on_message
        self._on_gap = on_gap
        self._conn: Any = None
        self._lost = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listen now (a failure here is the caller's: the database just answered)."""
        await self._listen()
        self._task = asyncio.create_task(self._watch(), name=f"listen-{self._channel}")

    async def close(self) -> None:
        """Stop listening and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._drop()

    async def _listen(self) -> None:
        conn = await self._connect()
        self._lost = lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        await conn.add_listener(self._channel, self._heard)
        self._conn = conn

    def _heard(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            self._on_message(payload)
        except Exception:  # a bad notice must not end the listening
            log.exception("notice on %s not handled", self._channel)

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.terminate()

    async def _watch(self) -> None:
        while True:
            if not await self._alive():
                await self._drop()
                await self._reconnect()
                self._on_gap()

    async def _alive(self) -> bool:
        """False once the connection is lost; a ping every KEEPALIVE_S finds a silent cut."""
        try:
            await asyncio.wait_for(self._lost.wait(), KEEPALIVE_S)
        except TimeoutError:
            try:
                async with asyncio.timeout(PING_TIMEOUT_S):
                    await self._conn.execute("SELECT 1")
            except Exception:
                return False
            return True
        return False

    async def _reconnect(self) -> None:
        delay = FIRST_RETRY_S
        log.warning("lost the database connection that listens on %s; reconnecting",
                    self._channel)
        while True:
            try:
                await self._listen()
            except Exception as exc:  # any failure: the database may come back
                log.info("listening on %s: %s; again in %.1f s", self._channel, exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_S)
                continue
            log.warning("listening on %s again; caches that depend on it were cleared",
                        self._channel)
            return
