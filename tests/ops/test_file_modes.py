"""Files at rest are their owner's only: the database, its WAL and SHM, the lock, backups."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from telegram_standin import BotApiStandIn
from tests.support.cli import GOOD_ROWS, Cli, write_export
from tests.support.dojo import run_dojo
from tests.support.learner import reply


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The usual umask (group and others may read): the files must not rely on it."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def modes(folder: Path) -> dict[str, str]:
    """file name -> its permission bits, for every file in the folder."""
    return {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in folder.iterdir()}


@pytest.mark.usefixtures("permissive_umask")
async def test_every_file_is_created_owner_only(
    standin: BotApiStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "dojobot.sqlite3"
    cli = Cli(monkeypatch, database, bot_token=standin.token, api_base_url=standin.base_url)
    async with run_dojo(standin, database):
        learner = await standin.user(501, "Aiko")
        await reply(standin, learner, "/start math-arithmetic-addition-d101")
        files = modes(tmp_path)
        # A manual backup, and the automatic one before an import, while the bot runs.
        assert (await cli.run_async("backup", str(tmp_path / "manual.bak"))).code == 0
        export = write_export(tmp_path / "ps.csv", GOOD_ROWS)
        assert (await cli.run_async("import-legacy", str(export))).code == 0
    assert {name: files[name] for name in files if name.startswith("dojobot")} == {
        "dojobot.sqlite3": "0o600",
        "dojobot.sqlite3-wal": "0o600",
        "dojobot.sqlite3-shm": "0o600",
        "dojobot.sqlite3.lock": "0o600",
        "dojobot.sqlite3.erasure-key": "0o600",  # the key that makes erasure hashes
    }
    backups = [m for name, m in modes(tmp_path).items() if name.endswith(".bak")]
    assert backups == ["0o600", "0o600"]
