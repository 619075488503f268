"""How updates are processed: chats concurrently, each chat's updates in arrival order.

python-telegram-bot handles one update at a time by default, so one slow update (a chart,
a group reply waiting for Telegram's per-group limit) held up every other learner, and
their wait was counted as their response time. Here each update runs in its own task as
soon as it arrives; only updates of the same chat wait for each other, in the order they
arrived. Each update's arrival time is kept, so an answer is timed from when it reached
the bot, not from when its handler got to run.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# When the update being handled reached the bot (epoch ms, the bot's clock). Set in the
# update's own task, so every handler and task it starts sees its own update's time.
ARRIVED_MS: ContextVar[int | None] = ContextVar("dojobot_arrived_ms", default=None)

# python-telegram-bot's own semaphore is taken before do_process_update, so a chat's
# waiting updates hold a slot; it is wide enough that one flooding chat cannot fill it.
# The work actually running at once is bounded by RUNNING below.
PENDING_LIMIT = 4096
RUNNING = 64


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
        super().__init__(max_concurrent_updates=PENDING_LIMIT)
        self._clock = clock
        self._running = asyncio.Semaphore(RUNNING)
        # Per chat, the future the chat's latest update completes: the next one waits on it.
        self._tails: dict[int, asyncio.Future[None]] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: each update's task ends on its own."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Stamp the arrival, wait for the chat's earlier updates, then handle this one."""
        ARRIVED_MS.set(self._clock())
        key = chat_key(update)
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
