"""Shared fixtures: a real database per test, the stand-in, and a running DojoBot. Shared
code (Dojo, run_dojo, FakeClock, the database URL makers) lives in tests/support/; tests
import it from there, never from this file.

`backend` is the one parameter that runs a test on each database: SQLite, and PostgreSQL
when DOJOBOT_TEST_POSTGRES_DSN names a cluster (scripts/with-postgres starts one; CI always
does). Every database fixture takes it, so a test that uses any of them runs once per
backend, except one marked `sqlite_only` (it is about SQLite's own file or lock; say why in
the reason). The family:

    empty_url, migrated_url    a database by URL (for `dojobot` commands, a second opener)
    empty_db, migrated_db      the same, opened
    sqlite_db                  a migrated SQLite file, opened: what only SQLite has
                               (pragmas, its query planner, its connection)
    dojo                       the running bot on a migrated database of the backend

On PostgreSQL the bot's jobs start when it wins the replicas' election: run_dojo waits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dojobot.storage.connect import opened
from dojobot.storage.db import Database, SqliteDatabase
from telegram_standin import BotApiStandIn
from tests.support.databases import BACKENDS, empty_database_url, migrated_database_url
from tests.support.dojo import Dojo, run_dojo


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): the test is about SQLite's own file or lock"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only")
        metafunc.parametrize("backend", ["sqlite"] if only else BACKENDS)


@pytest.fixture
async def empty_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database of the backend with no schema yet, by URL: for maintainer commands that
    start with `migrate up` (on SQLite the file tmp_path/dojobot.sqlite3, not created yet)."""
    async with empty_database_url(backend, tmp_path) as url:
        yield url


@pytest.fixture
async def migrated_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated database of the backend, by URL: for `dojobot` processes, the bot, or a
    test that opens it more than once."""
    async with migrated_database_url(backend, tmp_path) as url:
        yield url


@pytest.fixture
async def empty_db(empty_url: str) -> AsyncIterator[Database]:
    """A new empty database of the backend, opened."""
    async with opened(empty_url) as db:
        yield db


@pytest.fixture
async def migrated_db(migrated_url: str) -> AsyncIterator[Database]:
    """A fresh database of the backend with every migration applied, opened."""
    async with opened(migrated_url) as db:
        yield db


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    """A fresh SQLite file with every migration applied."""
    async with migrated_database_url("sqlite", tmp_path) as url, opened(url) as db:
        assert isinstance(db, SqliteDatabase)
        yield db


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    """A started Bot API stand-in on loopback."""
    async with BotApiStandIn() as s:
        yield s
    assert s.internal_errors == []


@pytest.fixture
async def dojo(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> AsyncIterator[Dojo]:
    """The real Application over HTTP against the stand-in, a real database (each backend in
    turn), a fake clock."""
    async with run_dojo(
        standin, tmp_path / "dojobot.sqlite3", database_url=migrated_url
    ) as running_dojo:
        yield running_dojo
    # Whatever the test did, the bot made no call Telegram would refuse as malformed
    # (bad HTML, oversized callback data, an edit that changes nothing, a second answer).
    refused = [(c.method, c.description) for c in standin.calls if c.error_code == 400]
    assert refused == []
    assert standin.unanswered_callback_queries() == []
