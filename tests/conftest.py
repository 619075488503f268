"""Shared fixtures: a real database per test, the stand-in, and a running DojoBot.

`empty_database` and `migrated_db` run a test once per backend: SQLite, and PostgreSQL when
DOJOBOT_TEST_POSTGRES_DSN names a cluster (scripts/with-postgres starts one; CI always does).
`sqlite_db` is for what only SQLite has (pragmas, its query planner, its connection).

A test that takes `backend` (as `dojo` and `bot_database_url` do) runs once per backend too,
except one marked `sqlite_only` (it is about SQLite's own file or lock; say why in the
reason). On PostgreSQL the bot's jobs start when it wins the replicas' election: run_dojo
waits for that.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dojobot.app import build_application
from dojobot.config import Settings, load_settings
from dojobot.storage.connect import open_url, sqlite_url
from dojobot.storage.db import Database, SqliteDatabase
from dojobot.storage.migrator import migrate_up
from dojobot.transport.context import AnyApp
from dojobot.transport.lifecycle import handling_updates, running
from telegram_standin import BotApiStandIn
from tests.support.postgres import fresh_database
from tests.support.waiting import until

BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): the test is about SQLite's own file or lock"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only")
        metafunc.parametrize("backend", ["sqlite"] if only else BACKENDS)


@asynccontextmanager
async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated database of the backend, as DOJOBOT_DATABASE_URL names it."""
    if backend == "sqlite":
        yield sqlite_url(tmp_path / "dojobot.sqlite3")
        return
    async with fresh_database(migrated=True) as url:
        yield url


@pytest.fixture(params=BACKENDS)
async def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated database of each backend, by URL: for `dojobot` processes, or a test
    that opens it more than once."""
    async with database_url(request.param, tmp_path) as url:
        if request.param == "sqlite":
            db = await open_url(url)
            await migrate_up(db)
            await db.close()
        yield url


@asynccontextmanager
async def empty_database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database of the backend with no schema yet, by URL (on SQLite the file
    tmp_path/dojobot.sqlite3, not created yet)."""
    if backend == "sqlite":
        yield sqlite_url(tmp_path / "dojobot.sqlite3")
        return
    async with fresh_database() as url:
        yield url


@pytest.fixture
async def empty_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database of each backend with no schema yet, by URL: for maintainer commands that
    start with `migrate up`."""
    async with empty_database_url(backend, tmp_path) as url:
        yield url


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    """A fresh SQLite file with every migration applied."""
    db = await SqliteDatabase.open(tmp_path / "dojobot.sqlite3")
    await migrate_up(db)
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture(params=BACKENDS)
async def migrated_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database of each backend with every migration applied."""
    async with database_url(request.param, tmp_path) as url:
        db = await open_url(url)
        await migrate_up(db)
        try:
            yield db
        finally:
            await db.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Database]:
    """A new empty database of each backend (PostgreSQL: skipped without a test cluster)."""
    async with empty_database_url(request.param, tmp_path) as url:
        db = await open_url(url)
        try:
            yield db
        finally:
            await db.close()


class FakeClock:
    """An injectable clock in epoch milliseconds: tests move time, nobody sleeps."""

    def __init__(self, start_ms: int = 1_764_000_000_000) -> None:
        self.now_ms = start_ms

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, ms: int) -> None:
        self.now_ms += ms


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
    extra.setdefault("database_url", f"sqlite:///{database_path}")
    return load_settings(bot_token=standin.token, api_base_url=standin.base_url, **extra)


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    """A started Bot API stand-in on loopback."""
    async with BotApiStandIn() as s:
        yield s
    assert s.internal_errors == []


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


@pytest.fixture
async def bot_database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The test bot's database on each backend: a SQLite file in tmp_path, or a migrated
    PostgreSQL database (pass it to run_dojo as database_url)."""
    async with database_url(backend, tmp_path) as url:
        yield url


@pytest.fixture
async def dojo(
    standin: BotApiStandIn, tmp_path: Path, bot_database_url: str
) -> AsyncIterator[Dojo]:
    """The real Application over HTTP against the stand-in, a real database (each backend in
    turn), a fake clock."""
    async with run_dojo(
        standin, tmp_path / "dojobot.sqlite3", database_url=bot_database_url
    ) as running_dojo:
        yield running_dojo
    # Whatever the test did, the bot made no call Telegram would refuse as malformed
    # (bad HTML, oversized callback data, an edit that changes nothing, a second answer).
    refused = [(c.method, c.description) for c in standin.calls if c.error_code == 400]
    assert refused == []
    assert standin.unanswered_callback_queries() == []
