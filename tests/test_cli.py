"""The dojobot command as a maintainer uses it: one clear line and an exit code on bad input.

Tests that touch a database run on SQLite and PostgreSQL; the others read no database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dojobot.config import load_settings
from dojobot.storage.connect import open_url
from dojobot.storage.migrator import available_migrations
from tests.support.db import execute

DOJOBOT = str(Path(sys.executable).parent / "dojobot")
LATEST = available_migrations()[-1].version  # every branch adds migrations


def dojobot(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DOJOBOT_")}
    return subprocess.run(
        [DOJOBOT, *args], cwd=cwd, env={**clean, **env}, capture_output=True, text=True,
        timeout=60, check=False,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("args", [(), ("run",), ("migrate",), ("migrate", "down"), ("sandbox",)])
def test_every_command_explains_itself(args: tuple[str, ...], tmp_path: Path) -> None:
    result = dojobot(*args, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "usage: dojobot" in result.stdout


def database_env(backend: str, url: str) -> dict[str, str]:
    """No setting on SQLite (the default file in the working folder), else the URL."""
    return {} if backend == "sqlite" else {"DOJOBOT_DATABASE_URL": url}


async def test_migrate_status_up_down(tmp_path: Path, backend: str, empty_url: str) -> None:
    env = database_env(backend, empty_url)
    assert "applied 0001 schema" in dojobot("migrate", "up", cwd=tmp_path, **env).stdout
    assert (tmp_path / "dojobot.sqlite3").exists() == (backend == "sqlite")
    status = dojobot("migrate", "status", cwd=tmp_path, **env).stdout
    assert f"schema version: {LATEST}" in status
    down = dojobot("migrate", "down", "--to", "0", cwd=tmp_path, **env)
    assert "rolled back 0001 schema" in down.stdout
    assert "schema version: 0" in dojobot("migrate", "status", cwd=tmp_path, **env).stdout


async def test_migrate_down_to_unknown_version(
    tmp_path: Path, backend: str, empty_url: str
) -> None:
    env = database_env(backend, empty_url)
    dojobot("migrate", "up", cwd=tmp_path, **env)
    line = one_error_line(dojobot("migrate", "down", "--to", "99", cwd=tmp_path, **env))
    assert "no migration 99" in line
    assert f"schema version: {LATEST}" in dojobot("migrate", "status", cwd=tmp_path, **env).stdout


def test_unknown_subcommand(tmp_path: Path) -> None:
    result = dojobot("frobnicate", cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid choice: 'frobnicate'" in result.stderr


@pytest.mark.sqlite_only(reason="a SQLite file's folder; a PostgreSQL URL names a server")
def test_unwritable_database_path(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/missing-folder/db.sqlite3"
    line = one_error_line(dojobot("migrate", "up", cwd=tmp_path, DOJOBOT_DATABASE_URL=url))
    assert "missing-folder" in line


@pytest.mark.sqlite_only(reason="what sits at a SQLite file's path")
def test_file_that_is_not_sqlite_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite3"
    path.write_bytes(b"PK\x03\x04 a zip file, not a database" * 50)
    before = path.read_bytes()
    line = one_error_line(
        dojobot("migrate", "up", cwd=tmp_path, DOJOBOT_DATABASE_URL="sqlite:///data.sqlite3")
    )
    assert "not a SQLite database" in line
    assert path.read_bytes() == before


async def test_database_from_a_newer_dojobot(
    tmp_path: Path, backend: str, empty_url: str
) -> None:
    env = database_env(backend, empty_url)
    dojobot("migrate", "up", cwd=tmp_path, **env)
    db = await open_url(empty_url)
    try:
        await execute(db, "INSERT INTO schema_migration VALUES (42, 'from_the_future', 0)")
    finally:
        await db.close()
    line = one_error_line(dojobot("migrate", "up", cwd=tmp_path, **env))
    assert "newer" in line
    line = one_error_line(dojobot("run", cwd=tmp_path, DOJOBOT_BOT_TOKEN="1:x", **env))
    assert "newer" in line


def test_missing_token_names_the_variable(tmp_path: Path) -> None:
    line = one_error_line(dojobot("run", cwd=tmp_path))
    assert "DOJOBOT_BOT_TOKEN" in line


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DOJOBOT_LOG_LEVEL", "LOUD"),
        ("DOJOBOT_DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("DOJOBOT_ADMIN_IDS", "alice,bob"),
        ("DOJOBOT_MODE", "carrier-pigeon"),
        ("DOJOBOT_DATABASE_URL", "postgres://db/dojo"),
    ],
)
def test_invalid_setting_names_the_variable(variable: str, value: str, tmp_path: Path) -> None:
    line = one_error_line(dojobot("migrate", "status", cwd=tmp_path, **{variable: value}))
    assert variable in line


def test_default_timezone_reads_like_a_learners() -> None:
    # The same parser as /timezone and /board timezone: any case, cities, UTC offsets.
    for given, stored in (("tokyo", "Asia/Tokyo"), ("+05:30", "UTC+05:30"), ("utc", "UTC")):
        assert load_settings(default_timezone=given).default_timezone == stored


def test_token_never_appears_in_errors(tmp_path: Path) -> None:
    secret = "424242:SECRET-do-not-print"
    result = dojobot(
        "run", cwd=tmp_path, DOJOBOT_BOT_TOKEN=secret, DOJOBOT_LOG_LEVEL="CRITICAL",
        DOJOBOT_MODE="webhook",
    )
    assert result.returncode != 0
    assert "SECRET" not in result.stdout + result.stderr
