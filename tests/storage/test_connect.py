"""storage/connect.py: what a database URL means, the same for the bot, commands and tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from dojobot.storage.connect import check_url, is_postgres, open_url, sqlite_path, sqlite_url
from dojobot.storage.db import SqliteDatabase


async def test_a_sqlite_url_opens_its_file(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "dojobot.sqlite3")
    assert sqlite_path(url) == tmp_path / "dojobot.sqlite3"
    assert not is_postgres(url)
    db = await open_url(url)
    try:
        assert isinstance(db, SqliteDatabase)
        assert (tmp_path / "dojobot.sqlite3").exists()
    finally:
        await db.close()


@pytest.mark.parametrize(
    "url", ["sqlite:///", "sqlite:///:memory:", "sqlite:///x.db?mode=ro", "mysql://h/db", "x.db"]
)
async def test_a_url_naming_no_database_file_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="must"):
        check_url(url)
    with pytest.raises(ValueError, match="must"):
        await open_url(url)


def test_both_postgresql_schemes_name_a_server() -> None:
    assert is_postgres("postgresql://u:p@h:5432/db")
    assert is_postgres("postgres://u:p@h/db")
    assert check_url("postgres://u:p@h/db") == "postgres://u:p@h/db"
