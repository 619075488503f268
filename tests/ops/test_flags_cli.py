"""`dojobot flags`: list, set, per-class overrides, off; bad input changes nothing. On both
engines, through the real command."""

from __future__ import annotations

from pathlib import Path

import pytest

from dojobot.storage.db import Database, SqliteDatabase
from dojobot.storage.flags import read_flags
from dojobot.storage.migrator import migrate_up
from tests.support.cli import Cli, one_error_line
from tests.support.db import execute, fetchone

CLASS = -1001234


@pytest.fixture
async def setup(
    migrated_url: str, migrated_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Cli, Database]:
    """A migrated database with one class group, and `dojobot` pointed at it."""
    await execute(
        migrated_db, "INSERT INTO class_group (chat_id, title, created_at, updated_at) "
        "VALUES (?, '7A Maths', 0, 0)", (CLASS,),
    )
    return Cli(monkeypatch, tmp_path / "dojobot.sqlite3", database_url=migrated_url), migrated_db


async def test_list_set_override_and_off(setup: tuple[Cli, Database]) -> None:
    cli, db = setup
    listed = await cli.run_async("flags")
    assert listed.code == 0, listed.err
    header, row = listed.out.splitlines()
    assert header.split() == ["flag", "arms", "(control", "/", "treatment)", "percent",
                              "class", "overrides", "updated"]
    # A new database (no answers yet) starts the scheduler at 100%.
    assert row.split()[:6] == ["scheduler", "leitner", "/", "fsrs", "100%", "-"]

    run = await cli.run_async("flags", "set", "scheduler", "5")
    assert run.code == 0, run.err
    assert "running bots pick this up within 30 s" in run.out
    run = await cli.run_async("flags", "set", "scheduler", "100", "--class", str(CLASS))
    assert run.code == 0, run.err
    state = (await read_flags(db))["scheduler"]
    assert (state.percent, state.off, state.overrides) == (5, False, {CLASS: 100})
    row = (await cli.run_async("flags")).out.splitlines()[1]
    assert row.split()[4:7] == ["5%", f"{CLASS}:", "100%"]
    assert row.endswith(" UTC")

    run = await cli.run_async("flags", "off", "scheduler")
    assert run.code == 0, run.err
    assert "off (set to 5%)" in run.out
    state = (await read_flags(db))["scheduler"]
    assert (state.percent, state.off, state.overrides) == (5, True, {CLASS: 100})
    # Setting a percentage turns it on again; unset drops the class's own.
    assert (await cli.run_async("flags", "set", "scheduler", "50")).code == 0
    assert (await cli.run_async("flags", "unset", "scheduler", "--class", str(CLASS))).code == 0
    state = (await read_flags(db))["scheduler"]
    assert (state.percent, state.off, state.overrides) == (50, False, {})


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("set", "schedular", "5"), "unknown flag 'schedular'; known flags: scheduler"),
        (("set", "scheduler", "-5"), "'-5' is not a percentage"),
        (("set", "scheduler", "150"), "'150' is not a percentage"),
        (("set", "scheduler", "half"), "'half' is not a percentage"),
        (("set", "scheduler", "5", "--class", "-999"), "no class with chat id -999"),
        (("set", "scheduler", "5", "--class", "7A"), "--class '7A': give the class group's"),
        (("unset", "scheduler", "--class", "-999"), "no class with chat id -999"),
        (("off", "nothing"), "unknown flag 'nothing'"),
    ],
)
async def test_bad_input_is_one_line_and_changes_nothing(
    setup: tuple[Cli, Database], args: tuple[str, ...], says: str
) -> None:
    cli, db = setup
    before = await read_flags(db)
    run = await cli.run_async("flags", *args)
    assert run.code == 2
    assert says in one_error_line(run)
    assert run.out == ""
    assert await read_flags(db) == before


async def test_a_database_with_history_starts_at_zero(tmp_path: Path) -> None:
    """Upgrading a bot that has answers: the new scheduler is rolled out from 0%."""
    db = await SqliteDatabase.open(tmp_path / "old.sqlite3")
    try:
        await migrate_up(db, 12)
        await execute(db, 'INSERT INTO "user" (user_id, first_name, created_at, last_seen_at) '
                          "VALUES (1, 'L', 0, 0)")
        await execute(db, "INSERT INTO session (session_id, user_id, topic_id, stage_id, "
                          "start_time) VALUES (1, 1, 1, 1, 0)")
        await execute(db, "INSERT INTO attempt (session_id, user_id, topic_id, stage_id, "
                          "question, expected, given, correct, response_ms, answered_at) "
                          "VALUES (1, 1, 1, 1, '1 + 1', '2', '2', 1, 900, 0)")
        await migrate_up(db)
        row = await fetchone(db, "SELECT percent, off FROM feature_flag WHERE name = ?",
                             ("scheduler",))
        assert row is not None
        assert (row[0], row[1]) == (0, 0)
        old_set = await fetchone(db, "SELECT scheduler_arm FROM session")
        assert old_set is not None
        assert old_set[0] is None  # sets from before flags have no arm
    finally:
        await db.close()
