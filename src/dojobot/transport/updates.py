"""How updates are processed: chats concurrently, each chat's updates in arrival order.

python-telegram-bot handles one update at a time by default, so one slow update (a chart,
a group reply waiting for Telegram's per-group limit) held up every other learner, and
their wait was counted as their response time. Here each update runs in its own task as
soon as it arrives; only updates of the same chat wait for each other, in the order they
arrived. Each update's arrival time is kept, so an answer is timed from when it reached
the bot, not from when its handler got to run.

Arrival is stamped on arrival. python-telegram-bot takes its update semaphore before it
calls this processor (BaseUpdateProcessor.process_update, final), so with 6,000 /help of
one chat waiting in it, four other learners waited 95.6 s for their next reply, and that
wait was stored as their response time. The semaphore is made wide enough never to be
waited on (UNBOUNDED); what runs at once is bounded by RUNNING below, and what one chat may
have waiting by CHAT_BACKLOG: past it the chat's updates are dropped, not queued, and the
chat gets one short note (`on_overflow`), so no chat's backlog holds up another's.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# When the update being handled reached the bot (epoch ms, the bot's clock). Set in the
# update's own task, so every handler and task it starts sees its own update's time.
ARRIVED_MS: ContextVar[int | None] = ContextVar("dojobot_arrived_ms", default=None)

# python-telegram-bot's own semaphore is taken before do_process_update: never waited on.
UNBOUNDED = 1 << 30
RUNNING = 64  # updates in their handlers at once
# Updates one chat may have waiting or running. A learner sends one at a time; a class
# group's members a few at once; a hundred waiting is a script or a stuck client.
CHAT_BACKLOG = 100

Overflow = Callable[[object], Coroutine[Any, Any, None]]


def chat_key(update: object) -> int | None:
    """The chat whose order an update belongs to (the user's, for inline buttons)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Runs updates of different chats concurrently and one chat's updates in order."""

    def __init__(self, clock: Callable[[], int]) -> None:
        super().__init__(max_concurrent_updates=UNBOUNDED)
        self._clock = clock
        self._running = asyncio.Semaphore(RUNNING)
        # Per chat, the future the chat's latest update completes: the next one waits on it.
        self._tails: dict[int, asyncio.Future[None]] = {}
        self._backlog: dict[int, int] = {}  # per chat, its updates waiting or running
        self._noted: set[int] = set()  # chats told of dropped updates, until they catch up
        self._notes: set[asyncio.Task[None]] = set()
        # Tells a chat its excess was dropped (set by the application: it knows the bot).
        self.on_overflow: Overflow | None = None

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: each update's task ends on its own."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Stamp the arrival, wait for the chat's earlier updates, then handle this one
        (or drop it, if the chat has CHAT_BACKLOG updates waiting already)."""
        ARRIVED_MS.set(self._clock())
        key = chat_key(update)
        if key is None:
            await self._in_order(None, coroutine)
            return
        if self._backlog.get(key, 0) >= CHAT_BACKLOG:
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # dropped: no "never awaited" warning
            self._overflowed(key, update)
            return
        self._backlog[key] = self._backlog.get(key, 0) + 1
        try:
            await self._in_order(key, coroutine)
        finally:
            self._backlog[key] -= 1
            if not self._backlog[key]:
                del self._backlog[key]
                self._noted.discard(key)  # caught up: a new flood gets a new note

    def _overflowed(self, key: int, update: object) -> None:
        if key in self._noted or self.on_overflow is None:
            return
        self._noted.add(key)
        note = asyncio.get_running_loop().create_task(self.on_overflow(update))
        self._notes.add(note)
        note.add_done_callback(self._notes.discard)

    async def _in_order(self, key: int | None, coroutine: Awaitable[Any]) -> None:
        previous = self._tails.get(key) if key is not None else None
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if key is not None:
            self._tails[key] = mine  # taken before any await: the arrival order is kept
        started = False
        try:
            if previous is not None:
                await asyncio.wait((previous,))  # never cancels the earlier update
            async with self._running:
                started = True
                await coroutine
        finally:
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting: no "never awaited" warning
            if previous is None or previous.done():
                self._release(key, mine)
            else:  # cancelled while an earlier update still runs: keep the chain intact
                previous.add_done_callback(lambda _: self._release(key, mine))

    def _release(self, key: int | None, mine: asyncio.Future[None]) -> None:
        mine.set_result(None)
        if key is not None and self._tails.get(key) is mine:
            del self._tails[key]
