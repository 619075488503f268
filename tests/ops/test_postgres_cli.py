"""Maintainer commands with DOJOBOT_DATABASE_URL=postgresql://...: what only PostgreSQL has.

No line they print or log shows the password; backup and restore refuse. What works the same
on both engines (migrate, import-legacy, legacy-link) is tested on both in test_cli.py,
test_legacy_import.py, test_schema_changes.py and test_claims_and_kpi.py.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dojobot.storage.migrator import available_migrations
from tests.support.cli import Cli, one_error_line
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
