"""Database.transaction / read: the one way storage uses the database, on the loop thread."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sqlite3
import threading

import pytest

from dojobot.storage.db import Database, SqliteDatabase

INSERT_USER = (
    """INSERT INTO "user" (user_id, first_name, created_at, last_seen_at) VALUES (?, 'A', 0, 0)"""
)


async def _users(db: Database) -> list[int]:
    async with db.read() as tx:
        return [r[0] for r in await tx.fetchall('SELECT user_id FROM "user" ORDER BY user_id')]


async def _insert(db: Database, *user_ids: int, fail: bool = False) -> None:
    async with db.transaction() as tx:
        for user_id in user_ids:
            assert await tx.execute(INSERT_USER, (user_id,)) == 1
        if fail:
            raise ValueError("boom")


async def test_a_transaction_commits_or_rolls_back_as_a_whole(sqlite_db: SqliteDatabase) -> None:
    await _insert(sqlite_db, 1)
    with pytest.raises(ValueError, match="boom"):
        await _insert(sqlite_db, 2, fail=True)
    with pytest.raises(sqlite3.IntegrityError):
        await _insert(sqlite_db, 3, 1)  # the same user again
    assert await _users(sqlite_db) == [1]


async def test_rows_read_by_position_and_by_name(sqlite_db: SqliteDatabase) -> None:
    async with sqlite_db.transaction() as tx:
        await tx.executemany(INSERT_USER, [(5,), (6,)])
    async with sqlite_db.read() as tx:
        row = await tx.fetchone('SELECT user_id, first_name FROM "user" WHERE user_id = ?', (6,))
        missing = await tx.fetchone('SELECT 1 FROM "user" WHERE user_id = 7')
    assert row is not None
    assert missing is None
    assert (row[0], row["first_name"]) == (6, "A")


async def test_short_statements_run_on_the_loop_thread(sqlite_db: SqliteDatabase) -> None:
    threads: list[int] = []

    def record(value: int) -> int:
        threads.append(threading.get_ident())
        return value

    sqlite_db._conn.create_function("record", 1, record)
    async with sqlite_db.read() as tx:
        await tx.fetchone("SELECT record(1)")
    assert threads == [threading.get_ident()]


async def test_a_heavy_read_holds_no_lock_an_answer_needs(sqlite_db: SqliteDatabase) -> None:
    """A heavy read runs on a read-only connection beside the writer: a transaction of
    another task commits while it is open, and the read keeps its one snapshot."""

    async def write() -> None:
        async with sqlite_db.transaction() as tx:
            await tx.execute(INSERT_USER, (1,))

    async with sqlite_db.read(heavy=True) as tx:
        assert tuple(await tx.fetchone('SELECT count(*) FROM "user"') or ()) == (0,)
        await asyncio.wait_for(asyncio.create_task(write()), 10)  # not behind the read
        assert tuple(await tx.fetchone('SELECT count(*) FROM "user"') or ()) == (0,)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await tx.execute(INSERT_USER, (2,))
    assert await _users(sqlite_db) == [1]
    async with sqlite_db.read(heavy=True) as tx:
        counting = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
                    "WHERE x < 5) SELECT x FROM n")
        chunks = [list(rows) async for rows in tx.stream(counting, size=2)]
    assert [[r[0] for r in rows] for rows in chunks] == [[1, 2], [3, 4], [5]]


async def test_a_write_waits_for_another_process_without_blocking_the_loop(
    sqlite_db: SqliteDatabase,
) -> None:
    other = sqlite3.connect(sqlite_db.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        other.execute(INSERT_USER, (8,))

        async def write() -> None:
            async with sqlite_db.transaction() as tx:
                await tx.execute(INSERT_USER, (7,))

        task = asyncio.create_task(write())
        ticks = 0
        while ticks < 3:  # the loop keeps running (the write's pauses are asyncio sleeps)
            await asyncio.sleep(0.01)
            ticks += 1
        assert not task.done()
        other.execute("COMMIT")
        await task
    finally:
        other.close()
    assert await _users(sqlite_db) == [7, 8]


async def test_a_write_gives_up_when_the_lock_is_never_released(
    sqlite_db: SqliteDatabase,
) -> None:
    other = sqlite3.connect(sqlite_db.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        # probe() waits 50 ms here; a transaction waits BUSY_TIMEOUT_MS the same way.
        assert await sqlite_db.probe(timeout_ms=50) == (
            "database is not answering (database is locked)"
        )
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert await sqlite_db.probe() is None


async def test_a_transaction_inside_a_transaction_is_refused(sqlite_db: SqliteDatabase) -> None:
    async def read_inside() -> None:
        async with sqlite_db.read():
            pass

    async with sqlite_db.transaction():
        with pytest.raises(RuntimeError, match="nested"):
            await read_inside()


async def test_transactions_of_two_tasks_queue_instead_of_mixing(
    sqlite_db: SqliteDatabase,
) -> None:
    entered = asyncio.Event()
    release = asyncio.Event()
    order: list[str] = []

    async def slow() -> None:
        async with sqlite_db.transaction() as tx:
            await tx.execute(INSERT_USER, (1,))
            entered.set()
            await release.wait()
            order.append("first commits")

    async def second() -> None:
        async with sqlite_db.read() as tx:
            order.append("second reads")
            assert tuple(await tx.fetchone('SELECT count(*) FROM "user"') or ()) == (1,)

    first = asyncio.create_task(slow())
    await entered.wait()
    reader = asyncio.create_task(second())
    await asyncio.sleep(0)
    assert not reader.done()  # waits for the first transaction, no "nested" error
    release.set()
    await asyncio.gather(first, reader)
    assert order == ["first commits", "second reads"]


async def test_a_cancelled_heavy_read_leaves_its_connection_usable(
    sqlite_db: SqliteDatabase,
) -> None:
    slow = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000) "
            "SELECT count(*) FROM n")

    async def scan() -> None:
        async with sqlite_db.read(heavy=True) as tx:
            await tx.fetchone(slow)

    task = asyncio.create_task(scan())
    await asyncio.sleep(0.01)  # let it start its statement
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await _insert(sqlite_db, 5)
    for _ in range(3):  # every reader (one was cancelled) answers, with fresh data
        async with sqlite_db.read(heavy=True) as tx:
            assert tuple(await tx.fetchone('SELECT count(*) FROM "user"') or ()) == (1,)


async def test_a_script_runs_statement_by_statement_in_the_transaction(
    sqlite_db: SqliteDatabase,
) -> None:
    script = """
        CREATE TABLE note (body TEXT);  -- a comment; with a semicolon
        INSERT INTO note VALUES ('a;b');
        CREATE TRIGGER note_upper AFTER INSERT ON note BEGIN
            UPDATE note SET body = upper(body) WHERE rowid = new.rowid;
        END;
        INSERT INTO note VALUES ('c');
    """

    async def run(*, fail: bool) -> None:
        async with sqlite_db.transaction() as tx:
            await tx.executescript(script)
            if fail:
                raise RuntimeError("roll it all back")

    with pytest.raises(RuntimeError):
        await run(fail=True)
    async with sqlite_db.read() as tx:
        assert await tx.fetchone("SELECT 1 FROM sqlite_master WHERE name = 'note'") is None
    await run(fail=False)
    async with sqlite_db.read() as tx:
        rows = await tx.fetchall("SELECT body FROM note ORDER BY rowid")
    assert [r[0] for r in rows] == ["a;b", "C"]



async def test_a_heavy_read_cancelled_at_any_step_leaves_no_connection_open(
    sqlite_db: SqliteDatabase,
) -> None:
    """Cancelled as its reader opens, begins or ends (a Mini App request whose client went
    away): no read-only connection is left to be collected unclosed (its thread and file
    handle would live on; under pytest its ResourceWarning failed whichever test ran then),
    and the next heavy read works."""
    path = sqlite_db.path

    async def read(db: SqliteDatabase) -> None:
        async with db.read(heavy=True) as tx:
            await tx.fetchone("SELECT 1")

    # Cancel ever later, each time on a database whose reader is still to open, until the
    # read is done before its cancel: every step of it has been cancelled on this machine.
    delay = 0.0
    for _ in range(5000):
        db = await SqliteDatabase.open(path)
        try:
            task = asyncio.create_task(read(db))
            await asyncio.sleep(delay)
            finished = task.done()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await read(db)  # and its reader, if it opened, is fit for the next read
        finally:
            await db.close()
        if finished:
            break
        delay += 0.00005
    else:
        pytest.fail("the heavy read never finished")
    del task
    gc.collect()  # an unclosed connection warns here, and the warning fails the test
