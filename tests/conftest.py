"""Shared fixtures: a real SQLite file per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dojobot.storage.db import Database
from dojobot.storage.migrator import migrate_up


@pytest.fixture
async def migrated_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database file with every migration applied."""
    db = await Database.open(tmp_path / "dojobot.sqlite3")
    await migrate_up(db)
    try:
        yield db
    finally:
        await db.close()
