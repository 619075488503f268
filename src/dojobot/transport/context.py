"""The typed context every handler receives: storage and catalogue without casts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from dojobot.config import Settings
from dojobot.ops.outages import Outages
from dojobot.ops.runtime import OpsRuntime
from dojobot.storage.catalogue import Catalogue
from dojobot.storage.db import Database
from dojobot.storage.listening import Listener
from dojobot.transport.updates import ARRIVED_MS

Clock = Callable[[], int]


def wall_clock_ms() -> int:
    """Milliseconds since the Unix epoch: the bot's clock for response times."""
    return time.time_ns() // 1_000_000


class RecentKeys:
    """The last `size` keys seen, oldest forgotten first: a bounded "already done" memory."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._keys: dict[object, None] = {}

    def add(self, key: object) -> bool:
        """Remember the key; False if it was already remembered."""
        if key in self._keys:
            return False
        self._keys[key] = None
        if len(self._keys) > self._size:
            del self._keys[next(iter(self._keys))]
        return True

    def drop(self, matches: Callable[[object], bool]) -> None:
        """Forget the keys `matches` picks (a learner who erased their data)."""
        for key in [k for k in self._keys if matches(k)]:
            del self._keys[key]


@dataclass
class JoinNotice:
    """A group's message that lists who joined lately; edited as more join."""

    started_ms: int
    title: str = ""  # the class's, as the notice names it
    names: dict[int, str] = field(default_factory=dict)  # user id -> name, in join order
    message_id: int | None = None
    version: int = 0  # bumped by every name added or removed
    shown: int = 0  # the version the message shows
    sending: bool = False  # a task is sending or editing it


@dataclass
class BotData:
    """Process-wide state; the database stays the source of truth."""

    settings: Settings | None = None
    clock: Clock = wall_clock_ms
    db: Database | None = None
    catalogue: Catalogue | None = None
    known_users: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    problem_sent_at: dict[int, int] = field(default_factory=dict)  # user id -> ms
    frozen_menus: RecentKeys = field(default_factory=RecentKeys)  # (chat, message) tapped
    ops: OpsRuntime | None = None  # database lock, /metrics and /healthz server
    # Classes: (chat, user) -> (is admin, checked at ms); chat -> its open join notice.
    admin_checks: dict[tuple[int, int], tuple[bool, int]] = field(default_factory=dict)
    join_notices: dict[int, JoinNotice] = field(default_factory=dict)
    # Group replies waiting for their group's minute (cancelled at shutdown).
    queued_replies: set[asyncio.Task[object]] = field(default_factory=set)
    data_exports: dict[int, int] = field(default_factory=dict)  # user id -> last /mydata ms
    # Chat id -> the language spoken there (a learner's private chat id is their user id).
    languages: dict[int, str] = field(default_factory=dict)
    # PostgreSQL: hears the erasures of other replicas (handlers/privacy/forget.py).
    erasures: Listener | None = None
    # The database's or the Bot API's outage going on now: one log line at each end of it.
    outages: Outages = field(default_factory=Outages)
    # The running Application: the Mini App's requests come from tornado, not from an
    # update, and reach Telegram (admin checks, files) through a context built on it.
    application: Application[Any, Any, Any, Any, Any, Any] | None = None


_Data = dict[object, object]


class DojoContext(CallbackContext[ExtBot[None], _Data, _Data, BotData]):
    """CallbackContext with typed access to what post_init set up."""

    @property
    def db(self) -> Database:
        """The open database (set in post_init)."""
        db = self.bot_data.db
        if db is None:
            raise RuntimeError("storage is not open yet")
        return db

    @property
    def catalogue(self) -> Catalogue:
        """The catalogue loaded in post_init."""
        catalogue = self.bot_data.catalogue
        if catalogue is None:
            raise RuntimeError("catalogue is not loaded yet")
        return catalogue

    @property
    def settings(self) -> Settings:
        """The settings the application was built with."""
        settings = self.bot_data.settings
        if settings is None:
            raise RuntimeError("settings are missing")
        return settings

    def now_ms(self) -> int:
        """The bot's clock (injectable for tests)."""
        return self.bot_data.clock()

    def arrived_ms(self) -> int:
        """When the update being handled reached the bot (now, outside an update)."""
        arrived = ARRIVED_MS.get()
        return self.now_ms() if arrived is None else arrived


CONTEXT_TYPES = ContextTypes(context=DojoContext, bot_data=BotData)
