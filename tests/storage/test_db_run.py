"""Database.run / run_transaction: one round trip, inline on the loop, busy goes to the thread."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable

import pytest

from dojobot.storage.db import Database


async def _users(db: Database) -> list[int]:
    return [r[0] for r in await db.fetchall("SELECT user_id FROM user ORDER BY user_id")]


def _insert(user_id: int) -> Callable[[sqlite3.Connection], int]:
    def insert(conn: sqlite3.Connection) -> int:
        conn.execute(
            "INSERT INTO user (user_id, first_name, created_at, last_seen_at)"
            " VALUES (?, 'A', 0, 0)",
            (user_id,),
        )
        return user_id

    return insert


@pytest.mark.parametrize("inline", [False, True])
async def test_run_transaction_commits_and_rolls_back(migrated_db: Database, inline: bool) -> None:
    assert await migrated_db.run_transaction(_insert(1), inline=inline) == 1

    def insert_then_fail(conn: sqlite3.Connection) -> None:
        _insert(2)(conn)
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await migrated_db.run_transaction(insert_then_fail, inline=inline)
    assert await _users(migrated_db) == [1]
    assert not migrated_db.conn.in_transaction


async def test_inline_waits_on_the_thread_while_another_process_writes(
    migrated_db: Database,
) -> None:
    other = sqlite3.connect(migrated_db.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        task = asyncio.create_task(migrated_db.run_transaction(_insert(7), inline=True))
        for _ in range(20):
            await asyncio.sleep(0)  # the loop keeps running: the wait is on the thread
        assert not task.done()
        other.execute("COMMIT")
        assert await task == 7
    finally:
        other.close()
    assert await _users(migrated_db) == [7]
    (timeout,) = await migrated_db.fetchone("PRAGMA busy_timeout") or (None,)
    assert timeout == 5000


async def test_a_transaction_inside_a_transaction_is_refused(migrated_db: Database) -> None:
    async with migrated_db.transaction():
        with pytest.raises(RuntimeError, match="nested"):
            await migrated_db.run_transaction(_insert(1))


async def test_transactions_of_two_tasks_queue_instead_of_mixing(migrated_db: Database) -> None:
    entered = asyncio.Event()
    release = asyncio.Event()

    async def slow() -> None:
        async with migrated_db.transaction() as conn:
            await conn.execute(
                "INSERT INTO user (user_id, first_name, created_at, last_seen_at)"
                " VALUES (1, 'A', 0, 0)"
            )
            entered.set()
            await release.wait()

    first = asyncio.create_task(slow())
    await entered.wait()
    second = asyncio.create_task(migrated_db.run_transaction(_insert(2), inline=True))
    await asyncio.sleep(0)
    assert not second.done()  # waits for the first transaction, no "nested" error
    release.set()
    await asyncio.gather(first, second)
    assert await _users(migrated_db) == [1, 2]


async def test_reads_wait_for_another_tasks_transaction(migrated_db: Database) -> None:
    """A job's read never runs on the connection while a handler's transaction is open."""
    order: list[str] = []
    inside = asyncio.Event()

    async def writer() -> None:
        async with migrated_db.transaction() as conn:
            await conn.execute(
                "INSERT INTO user (user_id, first_name, created_at, last_seen_at)"
                " VALUES (900, 'W', 0, 0)"
            )
            inside.set()
            await asyncio.sleep(0.01)
            order.append("commit")

    async def reader() -> None:
        await inside.wait()
        await migrated_db.fetchone("SELECT count(*) FROM user")
        order.append("read")

    await asyncio.gather(writer(), reader())
    assert order == ["commit", "read"]
