"""migrate down is all or nothing, and no schema change runs under a live bot."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dojobot.storage.lock import DatabaseLock
from dojobot.storage.migrator import available_migrations
from tests.support.cli import Cli, one_error_line

LATEST = available_migrations()[-1].version


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def with_a_learner(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute('INSERT INTO "user" (user_id, first_name, created_at, last_seen_at) '
                     "VALUES (701, 'Kai', 0, 0)")
        conn.execute("INSERT INTO user_progress (user_id, topic_id, stage_id, stage_started_at) "
                     "VALUES (701, 1, 1, 0)")


def test_migrate_down_that_cannot_finish_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "dojobot.sqlite3"
    cli = Cli(monkeypatch, path)
    assert cli("migrate", "up").code == 0
    with_a_learner(path)
    before = tables(path)
    line = one_error_line(cli("migrate", "down", "--to", "0"))
    assert line.startswith("dojobot: migrate down --to 0 refused: rolling back 0002 catalogue "
                           "fails (FOREIGN KEY constraint failed)")
    assert line.endswith(f"nothing was changed (still version {LATEST}); "
                         "the lowest version it can go down to is 2")
    assert tables(path) == before
    assert f"schema version: {LATEST}" in cli("migrate", "status").out
    down = cli("migrate", "down", "--to", "2")
    assert down.code == 0, down.err
    assert "rolled back 0003 legacy" in down.out
    assert "schema version: 2" in cli("migrate", "status").out


@pytest.mark.parametrize("args", [("migrate", "down", "--to", "4"), ("migrate", "up")])
def test_no_schema_change_while_a_bot_holds_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    path = tmp_path / "dojobot.sqlite3"
    cli = Cli(monkeypatch, path)
    assert cli("migrate", "up", "--to", "5" if args[1] == "up" else str(LATEST)).code == 0
    before = tables(path)
    bot = DatabaseLock(path)  # what a running bot holds
    assert bot.try_acquire()
    try:
        line = one_error_line(cli(*args))
    finally:
        bot.release()
    assert line == (f"dojobot: a bot process is using {path} (it holds {path}.lock); "
                    "stop it first")
    assert tables(path) == before
    assert not list(tmp_path.glob("*.bak"))  # refused before the backup, too
    assert cli(*args).code == 0  # once the bot has stopped
