"""The running bot sizes SQLite's page cache and memory map from its settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.db import fetchone
from tests.support.dojo import Dojo, run_dojo

from telegram_standin import BotApiStandIn

pytestmark = pytest.mark.sqlite_only("SQLite's own memory settings (PRAGMAs): PostgreSQL has none")


async def test_the_running_bot_uses_the_default_sizes(dojo: Dojo) -> None:
    assert tuple(await fetchone(dojo.db, "PRAGMA cache_size") or ()) == (-64 * 1024,)
    assert tuple(await fetchone(dojo.db, "PRAGMA mmap_size") or ()) == (1024 * 1024 * 1024,)


async def test_the_sizes_follow_the_settings(standin: BotApiStandIn, tmp_path: Path) -> None:
    async with run_dojo(standin, tmp_path / "dojobot.sqlite3", sqlite_cache_mib=8,
                        sqlite_mmap_mib=0) as dojo:
        assert tuple(await fetchone(dojo.db, "PRAGMA cache_size") or ()) == (-8 * 1024,)
        assert tuple(await fetchone(dojo.db, "PRAGMA mmap_size") or ()) == (0,)
