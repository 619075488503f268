"""A running DojoBot for a test: the real Application over HTTP against the stand-in."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dojobot.app import build_application
from dojobot.config import Settings, load_settings
from dojobot.storage.connect import sqlite_url
from dojobot.storage.db import Database
from dojobot.transport.context import AnyApp
from dojobot.transport.lifecycle import handling_updates, running
from telegram_standin import BotApiStandIn
from tests.support.clock import FakeClock
from tests.support.waiting import until


@dataclass
class Dojo:
    """A running DojoBot against the stand-in, with its database and clock."""

    standin: BotApiStandIn
    app: AnyApp
    clock: FakeClock
    database_path: Path  # the SQLite file (unused on PostgreSQL)

    @property
    def database_url(self) -> str:
        settings = self.app.bot_data.settings
        assert settings is not None
        return settings.database_url

    @property
    def db(self) -> Database:
        db = self.app.bot_data.db
        assert db is not None
        return db


def dojo_settings(standin: BotApiStandIn, database_path: Path, **extra: Any) -> Settings:
    """Settings pointing DojoBot at the stand-in and a database file."""
    extra.setdefault("database_url", sqlite_url(database_path))
    return load_settings(bot_token=standin.token, api_base_url=standin.base_url, **extra)


@asynccontextmanager
async def run_dojo(
    standin: BotApiStandIn, path: Path, clock: FakeClock | None = None, **settings: Any
) -> AsyncIterator[Dojo]:
    """Run DojoBot on a database file (or database_url=...) until the block ends (call again
    to 'restart')."""
    clock = clock or FakeClock()
    bot_settings = dojo_settings(standin, path, **settings)
    app = build_application(bot_settings, clock=clock)
    # settle() then also waits for handlers that work a while without an API call.
    standin.bot_busy = functools.partial(handling_updates, app)
    try:
        async with running(app):
            if bot_settings.uses_postgres:  # its jobs start once it has won the election
                assert app.job_queue is not None
                job_queue = app.job_queue
                await until(lambda: len(job_queue.jobs()) > 1, "the bot leads and runs its jobs")
            yield Dojo(standin, app, clock, path)
    finally:
        standin.bot_busy = None
