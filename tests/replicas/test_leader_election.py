"""Replicas on one PostgreSQL: one leader runs the background jobs; polling runs alone."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
import pytest
from telegram.ext import Application, JobQueue

from dojobot.jobs.leadership import BackgroundWork
from dojobot.storage.db import StorageError
from dojobot.storage.leadership import (
    LEADER_KEY,
    POLLER_RUNNING,
    POLLING_TAKEN,
    Election,
    one_migrator_at_a_time,
)
from dojobot.storage.migrator import available_migrations, migrate_up
from dojobot.storage.postgres import PostgresDatabase
from dojobot.transport.context import CONTEXT_TYPES
from telegram_standin import BotApiStandIn
from tests.support.postgres import fresh_database
from tests.support.waiting import until


async def _noop(context: object) -> None:
    return None


def schedule_chores(job_queue: JobQueue[Any]) -> None:
    job_queue.run_repeating(_noop, interval=3600, first=3600, name="chores")


async def end_session_of(url: str, election: Election) -> None:
    """What the server does when a replica's process dies: its session ends."""
    admin = await asyncpg.connect(url)
    try:
        pid = election._conn.get_server_pid()
        # Wait until it has ended (the call only signals it otherwise).
        await admin.execute("SELECT pg_terminate_backend($1, 5000)", pid)
    finally:
        await admin.close()


async def test_one_leader_and_a_survivor_takes_over() -> None:
    async with fresh_database() as url:
        first, second = Election(url, polling=False), Election(url, polling=False)
        await first.join()
        await second.join()
        try:
            assert await first.elect()
            assert not await second.elect()
            assert not await second.elect()  # asking again changes nothing
            assert await first.elect()  # the leader keeps its lock round after round
            assert (first.status, second.status) == ("leader", "standby")
            await end_session_of(url, first)
            assert await second.elect()  # the lock went with the leader's session
            assert not await first.elect()  # back with a new session, as a standby
            assert (first.status, second.status) == ("standby", "leader")
        finally:
            await first.close()
            await second.close()


async def test_polling_mode_runs_alone() -> None:
    async with fresh_database() as url:
        poller = Election(url, polling=True)
        await poller.join()
        try:
            with pytest.raises(StorageError, match=re.escape(POLLING_TAKEN)):
                await Election(url, polling=True).join()
            with pytest.raises(StorageError, match=re.escape(POLLER_RUNNING)):
                await Election(url, polling=False).join()
        finally:
            await poller.close()
        webhook = Election(url, polling=False)
        await webhook.join()
        try:
            with pytest.raises(StorageError, match=re.escape(POLLING_TAKEN)):
                await Election(url, polling=True).join()
        finally:
            await webhook.close()
        alone = Election(url, polling=True)
        await alone.join()  # once the others left, it may run
        await alone.close()


async def test_a_sqlite_process_always_leads() -> None:
    election = Election(None, polling=True)
    await election.join()
    assert await election.elect()
    assert election.status == "leader (single process)"


@asynccontextmanager
async def replica(standin: BotApiStandIn, election: Election) -> AsyncIterator[BackgroundWork]:
    """A bare Application whose job queue holds the election, like a replica's."""
    app = (
        Application.builder().token(standin.token).base_url(standin.base_url)
        .context_types(CONTEXT_TYPES).build()
    )
    assert app.job_queue is not None
    work = BackgroundWork(election, [schedule_chores], interval=0.2)
    async with app:
        await app.start()
        await work.start(app.job_queue)
        try:
            yield work
        finally:
            await app.stop()
            await election.close()


async def lock_waiters(url: str) -> bool:
    admin = await asyncpg.connect(url)
    try:
        return bool(await admin.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ))
    finally:
        await admin.close()


def chores(work: BackgroundWork) -> list[str]:
    return [job.name or "" for job in work.jobs if not job.removed]


async def test_the_background_jobs_move_to_the_survivor(standin: BotApiStandIn) -> None:
    async with fresh_database() as url, AsyncExitStack() as one, AsyncExitStack() as two:
        lives: dict[int, AsyncExitStack] = {}
        replicas = []
        for stack in (one, two):
            election = Election(url, polling=False)
            await election.join()
            work = await stack.enter_async_context(replica(standin, election))
            lives[id(work)] = stack
            replicas.append(work)

        def leaders() -> list[BackgroundWork]:
            return [work for work in replicas if chores(work) == ["chores"]]

        await until(lambda: len(leaders()) == 1, "one leader")
        await asyncio.sleep(1)  # five election rounds: still one leader
        assert len(leaders()) == 1
        assert all(chores(work) in ([], ["chores"]) for work in replicas)

        # The leader's session ends under it, and someone else takes the lock before it can
        # reconnect (a waiter queued on the lock gets it first): it must stop its jobs.
        intruder = await asyncpg.connect(url)
        taken = asyncio.create_task(intruder.execute("SELECT pg_advisory_lock($1)", LEADER_KEY))
        await until(lambda: lock_waiters(url), "the intruder waits for the lock")
        await end_session_of(url, leaders()[0].election)
        await taken
        await until(lambda: leaders() == [], "the old leader stopped its jobs")
        await intruder.close()
        await until(lambda: len(leaders()) == 1, "a replica took the lead again")

        # The leader dies (its session ends with it): the survivor runs the jobs.
        dead = leaders()[0]
        await lives[id(dead)].aclose()
        survivor = next(work for work in replicas if work is not dead)
        await until(lambda: chores(survivor) == ["chores"], "the survivor leads")


async def test_replicas_starting_together_migrate_one_after_the_other() -> None:
    async with fresh_database() as url:
        first = await PostgresDatabase.open(url)
        second = await PostgresDatabase.open(url)

        async def migrate(db: PostgresDatabase) -> int:
            async with one_migrator_at_a_time(url):
                return len(await migrate_up(db))

        try:
            applied = await asyncio.gather(migrate(first), migrate(second))
        finally:
            await first.close()
            await second.close()
        # Without the lock the second fails on a duplicate table (UniqueViolationError).
        assert sorted(applied) == [0, len(available_migrations())]
