"""Maintainer commands with DOJOBOT_DATABASE_URL=postgresql://...: what works, what refuses.

No line they print or log shows the password.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dojobot.storage.migrator import available_migrations
from dojobot.storage.postgres import PostgresDatabase
from tests.support.classes import add_user
from tests.support.cli import GOOD_ROWS, Cli, one_error_line, write_export
from tests.support.db import fetchone
from tests.support.postgres import fresh_database


async def test_migrate_moves_a_postgres_schema_and_never_shows_the_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    latest = available_migrations()[-1]
    async with fresh_database() as url:
        password = str(urlsplit(url).password)
        cli = Cli(monkeypatch, tmp_path / "unused.sqlite3", database_url=url, log_level="DEBUG")
        runs = [
            before := await cli.run_async("migrate", "status"),
            up := await cli.run_async("migrate", "up"),
            after := await cli.run_async("migrate", "status"),
            down := await cli.run_async("migrate", "down", "--to", "0"),
        ]
        assert [r.code for r in runs] == [0, 0, 0, 0]
        assert "database: postgresql://dojobot:***@127.0.0.1:" in before.out
        assert "schema version: 0" in before.out
        assert f"applied {latest.version:04d} {latest.name}" in up.out
        assert "backup:" not in up.out  # no file to copy: the server's own backups, or pg_dump
        assert f"schema version: {latest.version} " in after.out
        assert "rolled back 0001 schema" in down.out
        for run in runs:
            assert password not in run.out + run.err
        assert password not in caplog.text


async def test_backup_and_restore_say_to_use_pg_dump(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = "postgresql://dojo:hunter2hunter2@127.0.0.1:5432/dojobot"
    cli = Cli(monkeypatch, tmp_path / "unused.sqlite3", database_url=url)
    for command in ("backup", "restore"):
        line = one_error_line(await cli.run_async(command, str(tmp_path / "copy.bak")))
        assert line == (
            f"dojobot: {command}: the database is PostgreSQL; use pg_dump and pg_restore"
        )
    link = one_error_line(await cli.run_async("legacy-link", "u1"))
    # Every command runs on PostgreSQL now: this one got as far as connecting.
    assert link.startswith("dojobot: cannot connect to postgresql://dojo:***@127.0.0.1:5432/")
    assert "hunter2" not in link


async def test_wrong_password_is_one_line_naming_the_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async with fresh_database() as url:
        wrong = url.replace(f":{urlsplit(url).password}@", ":not-the-password-0451@")
        cli = Cli(monkeypatch, tmp_path / "unused.sqlite3", database_url=wrong)
        line = one_error_line(await cli.run_async("migrate", "up"))
    assert line.startswith("dojobot: cannot connect to postgresql://dojobot:***@127.0.0.1:")
    assert "password authentication failed" in line
    assert "0451" not in line


async def test_import_link_and_rollback_on_postgres(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """import-legacy (with --users and --dry-run), legacy-link and --rollback, as on SQLite;
    no backup."""
    export = write_export(tmp_path / "practice_sessions.csv", GOOD_ROWS)
    (tmp_path / "users.csv").write_text("legacy_user_id,telegram_user_id\nu1,501\n")
    async with fresh_database(migrated=True) as url:
        cli = Cli(monkeypatch, tmp_path / "unused.sqlite3", database_url=url)
        db = await PostgresDatabase.open(url)
        try:
            await add_user(db, 501, "Aiko")
            # The dry run reports what the import will do, and changes nothing.
            dry = await cli.run_async(
                "import-legacy", str(export), "--users", "users.csv", "--dry-run"
            )
            assert dry.code == 0, dry.err
            assert "imported: 11 (4 sessions for linked learners, 7 held" in dry.out
            assert dry.out.rstrip().endswith("dry run: nothing was changed")
            for table in ("session", "legacy_import", "legacy_session", "legacy_account",
                          "user_progress"):
                row = await fetchone(db, f"SELECT count(*) FROM {table}")
                assert row is not None
                assert (table, row[0]) == (table, 0)
            run = await cli.run_async("import-legacy", str(export), "--users", "users.csv")
            assert run.code == 0, run.err
            assert "imported: 11 (4 sessions for linked learners, 7 held" in run.out
            assert "backup:" not in run.out
            link = await cli.run_async("legacy-link", "u3")
            assert link.code == 0, link.err
            assert link.out.startswith("/start claim-")
            sessions = await fetchone(db, "SELECT count(*) FROM session WHERE user_id = 501")
            assert sessions is not None
            assert sessions[0] == 4
            undo = await cli.run_async("import-legacy", "--rollback")
            assert undo.code == 0, undo.err
            assert "4 sessions and 7 held sessions removed" in undo.out
            left = await fetchone(db, "SELECT count(*) FROM session")
            assert left is not None
            assert left[0] == 0
        finally:
            await db.close()
