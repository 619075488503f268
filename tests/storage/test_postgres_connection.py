"""Connecting to PostgreSQL: every failure is one line, and no line ever shows the password."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import pytest
from tests.support.cli import free_port
from tests.support.postgres import fresh_database

from dojobot.config import load_settings
from dojobot.ops.database import open_when_reachable
from dojobot.storage.db import StorageError
from dojobot.storage.postgres import PostgresDatabase, redact_url


def test_redacted_url_keeps_everything_but_the_password() -> None:
    url = "postgresql://dojo:s3cr%40t@db.example:5433/dojobot?sslmode=require"
    assert redact_url(url) == "postgresql://dojo:***@db.example:5433/dojobot?sslmode=require"
    assert redact_url("postgresql://dojo@db/dojobot") == "postgresql://dojo@db/dojobot"


async def test_unreachable_server_is_one_line_without_the_password() -> None:
    url = f"postgresql://dojo:hunter2hunter2@127.0.0.1:{free_port()}/dojobot"
    with pytest.raises(StorageError) as failure:
        await PostgresDatabase.open(url)
    message = str(failure.value)
    assert message.startswith("cannot connect to postgresql://dojo:***@127.0.0.1:")
    assert "hunter2" not in message
    assert "\n" not in message
    assert failure.value.__cause__ is None
    assert failure.value.__suppress_context__


async def test_unreadable_port_is_one_line_without_the_password() -> None:
    with pytest.raises(StorageError, match="port is not a number") as failure:
        await PostgresDatabase.open("postgresql://dojo:hunter2hunter2@localhost:99999/dojobot")
    assert "hunter2" not in str(failure.value)


async def test_wrong_password_is_one_line_without_either_password() -> None:
    async with fresh_database() as url:
        parts = urlsplit(url)
        wrong = url.replace(f":{parts.password}@", ":not-the-password-0451@")
        with pytest.raises(StorageError, match="password authentication failed") as failure:
            await PostgresDatabase.open(wrong)
        message = str(failure.value)
        assert "not-the-password-0451" not in message
        assert str(parts.password) not in message
        assert "\n" not in message
        assert f"{parts.username}:***@" in message


class _GiveUp(Exception):
    pass


async def test_run_waits_for_a_server_that_does_not_answer_yet(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = load_settings(
        database_url=f"postgresql://dojo:hunter2hunter2@127.0.0.1:{free_port()}/dojobot"
    )
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            raise _GiveUp

    with caplog.at_level(logging.WARNING, logger="dojobot"), pytest.raises(_GiveUp):
        await open_when_reachable(settings, sleep=sleep)
    assert waits == [1, 2, 4]
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(lines) == 3
    assert lines[0].startswith("cannot connect to postgresql://dojo:***@127.0.0.1:")
    assert lines[0].endswith("(try 1); trying again in 1 s")
    assert not any("hunter2" in line for line in lines)


async def test_a_refused_password_is_not_tried_again() -> None:
    async def sleep(seconds: float) -> None:
        raise AssertionError("a wrong password does not get right by waiting")

    async with fresh_database() as url:
        wrong = url.replace(f":{urlsplit(url).password}@", ":not-the-password-0451@")
        with pytest.raises(StorageError, match="password authentication failed"):
            await open_when_reachable(load_settings(database_url=wrong), sleep=sleep)


async def test_every_pooled_connection_runs_without_jit() -> None:
    # The server's default (jit on) compiled KPI and board statements for 10-120 ms each.
    async with fresh_database() as url:
        db = await PostgresDatabase.open(url, pool_size=2)
        both_open = asyncio.Barrier(2)

        async def show() -> str | None:
            async with db.read() as tx:
                row = await tx.fetchone("SHOW jit")
                await both_open.wait()  # so the other task holds the pool's second connection
            return row[0] if row else None

        try:
            shown = await asyncio.gather(show(), show())
        finally:
            await db.close()
    assert shown == ["off", "off"]
