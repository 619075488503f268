"""One-statement reads and writes for tests and benchmarks, through the storage interface."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dojobot.storage.db import Database, Row


async def fetchone(db: Database, sql: str, args: Sequence[Any] = ()) -> Row | None:
    """The first row of a query, read in its own read transaction."""
    async with db.read() as tx:
        return await tx.fetchone(sql, args)


async def fetchall(db: Database, sql: str, args: Sequence[Any] = ()) -> Sequence[Row]:
    """Every row of a query, read in its own read transaction."""
    async with db.read() as tx:
        return await tx.fetchall(sql, args)


async def execute(db: Database, sql: str, args: Sequence[Any] = ()) -> int:
    """One statement in its own transaction; how many rows it changed."""
    async with db.transaction() as tx:
        return await tx.execute(sql, args)


async def executemany(db: Database, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """One statement per argument tuple, all in one transaction."""
    async with db.transaction() as tx:
        await tx.executemany(sql, rows)


async def executescript(db: Database, script: str) -> None:
    """Several statements without arguments, in one transaction."""
    async with db.transaction() as tx:
        await tx.executescript(script)
