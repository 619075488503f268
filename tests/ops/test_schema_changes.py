"""migrate down is all or nothing, and no schema change runs under a live bot."""

from __future__ import annotations

from pathlib import Path

import pytest

from dojobot.storage.connect import open_url
from dojobot.storage.lock import DatabaseLock
from dojobot.storage.migrator import available_migrations
from tests.support.cli import Cli, one_error_line
from tests.support.db import execute, fetchall

LATEST = available_migrations()[-1].version

# Every table's name, as each engine lists them.
TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT table_name::text FROM information_schema.tables "
    "WHERE table_schema = current_schema()",
}


async def tables(url: str) -> set[str]:
    db = await open_url(url)
    try:
        return {r[0] for r in await fetchall(db, TABLES[db.dialect.name])}
    finally:
        await db.close()


async def with_a_learner(url: str) -> None:
    db = await open_url(url)
    try:
        await execute(db, 'INSERT INTO "user" (user_id, first_name, created_at, last_seen_at) '
                      "VALUES (701, 'Kai', 0, 0)")
        await execute(db, "INSERT INTO user_progress (user_id, topic_id, stage_id, "
                      "stage_started_at) VALUES (701, 1, 1, 0)")
    finally:
        await db.close()


async def test_migrate_down_that_cannot_finish_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_url: str
) -> None:
    cli = Cli(monkeypatch, tmp_path / "dojobot.sqlite3", database_url=empty_url)
    assert (await cli.run_async("migrate", "up")).code == 0
    await with_a_learner(empty_url)
    before = await tables(empty_url)
    line = one_error_line(await cli.run_async("migrate", "down", "--to", "0"))
    # The reason is the engine's own words (SQLite: "FOREIGN KEY constraint failed").
    assert line.startswith("dojobot: migrate down --to 0 refused: rolling back 0002 catalogue "
                           "fails (")
    assert "foreign key constraint" in line.lower()
    assert line.endswith(f"nothing was changed (still version {LATEST}); "
                         "the lowest version it can go down to is 2")
    assert await tables(empty_url) == before
    assert f"schema version: {LATEST}" in (await cli.run_async("migrate", "status")).out
    down = await cli.run_async("migrate", "down", "--to", "2")
    assert down.code == 0, down.err
    assert "rolled back 0003 legacy" in down.out
    assert "schema version: 2" in (await cli.run_async("migrate", "status")).out


def backups(folder: Path) -> list[Path]:
    return list(folder.glob("*.bak"))


@pytest.mark.sqlite_only(
    reason="the lock file beside the SQLite file; PostgreSQL replicas migrate while others "
    "run, one at a time under the migration advisory lock"
)
@pytest.mark.parametrize("args", [("migrate", "down", "--to", "4"), ("migrate", "up")])
async def test_no_schema_change_while_a_bot_holds_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    path = tmp_path / "dojobot.sqlite3"
    cli = Cli(monkeypatch, path)
    up_to = "5" if args[1] == "up" else str(LATEST)
    assert (await cli.run_async("migrate", "up", "--to", up_to)).code == 0
    before = await tables(f"sqlite:///{path}")
    bot = DatabaseLock(path)  # what a running bot holds
    assert bot.try_acquire()
    try:
        line = one_error_line(await cli.run_async(*args))
    finally:
        bot.release()
    assert line == (f"dojobot: a bot process is using {path} (it holds {path}.lock); "
                    "stop it first")
    assert await tables(f"sqlite:///{path}") == before
    assert not backups(tmp_path)  # refused before the backup, too
    assert (await cli.run_async(*args)).code == 0  # once the bot has stopped
