"""The typed context every handler receives: storage and catalogue without casts."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from dojobot.config import Settings
from dojobot.ops.runtime import OpsRuntime
from dojobot.storage.catalogue import Catalogue
from dojobot.storage.db import Database

Clock = Callable[[], int]


def wall_clock_ms() -> int:
    """Milliseconds since the Unix epoch: the bot's clock for response times."""
    return time.time_ns() // 1_000_000


@dataclass
class BotData:
    """Process-wide state; the database stays the source of truth."""

    settings: Settings | None = None
    clock: Clock = wall_clock_ms
    db: Database | None = None
    catalogue: Catalogue | None = None
    known_users: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    problem_sent_at: dict[int, int] = field(default_factory=dict)  # user id -> ms
    ops: OpsRuntime | None = None  # database lock, /metrics and /healthz server
    # Classes: (chat, user) -> (is admin, checked at ms); chat -> recent reply times (ms).
    admin_checks: dict[tuple[int, int], tuple[bool, int]] = field(default_factory=dict)
    group_sends: dict[int, list[int]] = field(default_factory=dict)
    data_exports: dict[int, int] = field(default_factory=dict)  # user id -> last /mydata ms
    # Chat id -> the language spoken there (a learner's private chat id is their user id).
    languages: dict[int, str] = field(default_factory=dict)


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


CONTEXT_TYPES = ContextTypes(context=DojoContext, bot_data=BotData)
