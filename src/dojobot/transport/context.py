"""The typed context every handler receives: storage and catalogue without casts."""

from __future__ import annotations

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
from dojobot.transport.state import (
    ClassesState,
    FeatureState,
    GateState,
    LanguageState,
    PracticeState,
    PrivacyState,
    WebState,
)
from dojobot.transport.updates import ARRIVED_MS

Clock = Callable[[], int]


# An Application of any of PTB's type parameters: what start, stop and wiring code takes.
AnyApp = Application[Any, Any, Any, Any, Any, Any]


def wall_clock_ms() -> int:
    """Milliseconds since the Unix epoch: the bot's clock for response times."""
    return time.time_ns() // 1_000_000


@dataclass
class BotData:
    """Process-wide state: what post_init opened, and each feature's caches in its own
    object (transport/state.py). The database stays the source of truth."""

    settings: Settings | None = None
    clock: Clock = wall_clock_ms
    db: Database | None = None
    catalogue: Catalogue | None = None
    ops: OpsRuntime | None = None  # database lock, /metrics and /healthz server
    # PostgreSQL: hears the erasures of other replicas (handlers/privacy/forget.py).
    erasures: Listener | None = None
    # What /forgetme hashes forgotten ids with (ops/erasure_key.py; None: the database's).
    erasure_key: str | None = None
    # The database's or the Bot API's outage going on now: one log line at each end of it.
    outages: Outages = field(default_factory=Outages)
    # The running Application: the Mini App's requests come from tornado, not from an
    # update, and reach Telegram (admin checks, files) through a context built on it.
    application: AnyApp | None = None
    gate: GateState = field(default_factory=GateState)
    language: LanguageState = field(default_factory=LanguageState)
    practice: PracticeState = field(default_factory=PracticeState)
    classes: ClassesState = field(default_factory=ClassesState)
    privacy: PrivacyState = field(default_factory=PrivacyState)
    web: WebState = field(default_factory=WebState)

    def caches(self) -> tuple[FeatureState, ...]:
        """Every feature's caches: what /forgetme must clear of a person."""
        return (self.gate, self.language, self.practice, self.classes, self.privacy,
                self.web)


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
