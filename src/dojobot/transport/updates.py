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

The bound is applied where an update enters the bot, before any of python-telegram-bot's
machinery. `AdmittingQueue` is the application's update queue: in polling mode an update
past its chat's bound is dropped as the updater puts it there (no task, no semaphore, no
handler, no database), and webhook.py asks `admit` before it hands an update on. And once
a chat has had its note, its further excess is dropped before it is even parsed into
python-telegram-bot's objects (`screen`, `refuses`), which cost ~0.2 ms an update: most
of the 4 s that 6,000 updates of one chat took to come off getUpdates, while the answers
of other learners that reached Telegram just after them waited for the bot to get there.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from dojobot.ops.metrics import UPDATES_DROPPED

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
JSONUpdate = dict[str, Any]


def chat_key(update: object) -> int | None:
    """The chat whose order an update belongs to (the user's, for inline buttons)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


def raw_chat_key(update: JSONUpdate) -> int | None:
    """chat_key of an update still in its JSON form, for the kinds a flood is made of (a
    message or an edit, a button); None for the others, which are parsed to be keyed."""
    body = next((v for k, v in update.items() if k != "update_id"), None)
    if not isinstance(body, dict):
        return None
    holder = body.get("message") if "callback_query" in update else body
    chat = holder.get("chat") if isinstance(holder, dict) else None
    if isinstance(chat, dict) and isinstance(chat.get("id"), int):
        return int(chat["id"])
    sender = body.get("from") if "callback_query" in update else None
    if isinstance(sender, dict) and isinstance(sender.get("id"), int):
        return int(sender["id"])  # a button under an inline message: the user's order
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
        self._arrived: dict[int, int] = {}  # id(update) -> its arrival (ms), until handled
        self._notes: set[asyncio.Task[None]] = set()
        # Tells a chat its excess was dropped (set by the application: it knows the bot).
        self.on_overflow: Overflow | None = None

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free: each update's task ends on its own."""

    def admit(self, update: object) -> bool:
        """Stamp the update's arrival and count it into its chat's backlog; False (and the
        chat's one note) if the chat has CHAT_BACKLOG updates waiting already. Every update
        is admitted once: as it is queued, or else in do_process_update."""
        key = chat_key(update)
        if key is not None:
            if self._backlog.get(key, 0) >= CHAT_BACKLOG:
                UPDATES_DROPPED.inc()
                self._overflowed(key, update)
                return False
            self._backlog[key] = self._backlog.get(key, 0) + 1
        self._arrived[id(update)] = self._clock()
        return True

    def refuses(self, update: JSONUpdate, admitting: Counter[int] | None = None) -> bool:
        """Whether admit would drop this update of a chat told of its dropped updates
        already, seen before it is parsed; `admitting`: updates of the same batch let
        through ahead of it (counted into it here)."""
        if not self._noted:
            return False
        key = raw_chat_key(update)
        if key is None or key not in self._noted:
            return False
        ahead = admitting[key] if admitting is not None else 0
        if self._backlog.get(key, 0) + ahead >= CHAT_BACKLOG:
            return True
        if admitting is not None:
            admitting[key] += 1
        return False

    def screen(self, updates: list[JSONUpdate]) -> list[JSONUpdate]:
        """A getUpdates batch without what `refuses` drops. The last is kept whatever it is
        (admit decides on it): the updater confirms the batch by its id."""
        if not self._noted or not updates:
            return updates
        admitting: Counter[int] = Counter()
        kept = [u for u in updates[:-1] if not self.refuses(u, admitting)]
        kept.append(updates[-1])
        UPDATES_DROPPED.inc(len(updates) - len(kept))
        return kept

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's earlier updates, then handle this one."""
        if id(update) not in self._arrived and not self.admit(update):  # not admitted yet
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # dropped: no "never awaited" warning
            return
        ARRIVED_MS.set(self._arrived.pop(id(update)))
        key = chat_key(update)
        try:
            await self._in_order(key, coroutine)
        finally:
            if key is not None:
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


class AdmittingQueue(asyncio.Queue[object]):
    """The application's update queue: an update its chat has no room for is dropped as it
    is put (ChatOrderedProcessor.admit), before any task or handler is made for it."""

    def __init__(self, processor: ChatOrderedProcessor) -> None:
        super().__init__()
        self._processor = processor

    def put_nowait(self, item: object) -> None:
        """Queue the update if its chat has room (Queue.put ends here too)."""
        if not isinstance(item, Update) or self._processor.admit(item):
            super().put_nowait(item)
