"""Odd places for the database: in memory (refused), read only (the reading commands work)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.cli import Cli, one_error_line


@contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """Make files and folders unwritable, as a read-only mount would be.

    Root ignores permission bits, so as root the immutable attribute (chattr +i) does it.
    """
    as_root = os.geteuid() == 0
    for path in paths:
        if as_root:
            done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
            if done.returncode != 0:
                for undo in paths:
                    subprocess.run(["chattr", "-i", str(undo)], capture_output=True, check=False)
                pytest.skip(f"this file system has no immutable attribute: {done.stderr!r}")
        else:
            path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        yield
    finally:
        for path in paths:
            if as_root:
                subprocess.run(["chattr", "-i", str(path)], check=True)
            else:
                path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite:///file::memory:",
                                 "sqlite:///dojo.db?mode=ro"])
def test_a_database_that_is_not_a_file_is_refused(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(monkeypatch, tmp_path / "unused.sqlite3", database_url=url)
    line = one_error_line(cli("migrate", "up"))
    assert line.startswith("dojobot: DOJOBOT_DATABASE_URL: must name a database file")
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no ':memory:.lock' or the like


def test_reading_commands_work_on_a_read_only_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "mounted"
    folder.mkdir()
    path = folder / "dojobot.sqlite3"
    cli = Cli(monkeypatch, path)
    assert cli("migrate", "up").code == 0
    files = sorted(p.name for p in folder.iterdir())
    assert "dojobot.sqlite3-shm" not in files  # the folder cannot get one once read-only
    with read_only(path, folder):
        stats = cli("stats", "--since", "all")
        assert stats.code == 0, stats.err
        assert "Active users" in stats.out or "active users" in stats.out
        status = cli("migrate", "status")
        assert status.code == 0, status.err
        assert "schema version:" in status.out
        backup = cli("backup", str(tmp_path / "copy.sqlite3"))
        assert backup.code == 0, backup.err
        assert (tmp_path / "copy.sqlite3").stat().st_size > 0
        # A command that writes says so in one line and changes nothing.
        refused = one_error_line(cli("migrate", "down", "--to", "0"))
        assert "dojobot.sqlite3" in refused
        assert sorted(p.name for p in folder.iterdir()) == files
