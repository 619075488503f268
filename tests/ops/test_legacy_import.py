"""import-legacy as a maintainer runs it: report, sessions, progress, idempotence, rollback.

Each test runs on SQLite and PostgreSQL, reading the database through the storage interface;
only SQLite gets a backup file first (a PostgreSQL server keeps its own backups).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dojobot.storage.connect import open_url
from dojobot.storage.db import Database
from tests.support.cli import BAD_ROWS, GOOD_ROWS, HEADER, Cli, one_error_line, write_export
from tests.support.db import execute, fetchall, fetchone

T0 = 1_700_000_000_000


@dataclass
class Setup:
    """The command, the database it works on (opened beside it), and the export to import."""

    cli: Cli
    db: Database
    export: Path
    backend: str


async def migrated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str
) -> tuple[Cli, Database]:
    """`dojobot migrate up` on the database at url, and the database opened beside it."""
    cli = Cli(monkeypatch, tmp_path / "dojobot.sqlite3", database_url=url)
    assert (await cli.run_async("migrate", "up")).code == 0
    return cli, await open_url(url)


@pytest.fixture
async def setup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_url: str, backend: str
) -> AsyncIterator[Setup]:
    """A migrated database with learner 501 (mapped from u1) and some progress of theirs."""
    cli, db = await migrated(monkeypatch, tmp_path, empty_url)
    await execute(
        db,
        'INSERT INTO "user" (user_id, first_name, created_at, last_seen_at) '
        "VALUES (501, 'Aiko', ?, ?)",
        (T0, T0),
    )
    # Addition at Hatsu with 7 reps; Adding negatives already at Toi (5), above the import's Ha.
    await execute(
        db,
        "INSERT INTO user_progress (user_id, topic_id, stage_id, reps_in_stage, total_reps, "
        "correct_reps, stage_started_at) VALUES (501, 1, 1, 7, 7, 7, ?), (501, 8, 5, 3, 3, 3, ?)",
        (T0, T0),
    )
    export = write_export(tmp_path / "practice_sessions.csv", GOOD_ROWS + BAD_ROWS)
    (tmp_path / "users.csv").write_text("legacy_user_id,telegram_user_id\nu1,501\nu2,502\n")
    try:
        yield Setup(cli, db, export, backend)
    finally:
        await db.close()


async def count(db: Database, sql: str) -> int:
    row = await fetchone(db, sql)
    assert row is not None
    return int(row[0])


async def counts(db: Database) -> dict[str, int]:
    tables = ("session", "user_progress", "legacy_account", "legacy_session", "legacy_import",
              "legacy_progress_change")
    return {t: await count(db, f"SELECT COUNT(*) FROM {t}") for t in tables}


async def progress(db: Database, user_id: int) -> dict[str, tuple[int, int, int]]:
    rows = await fetchall(
        db,
        "SELECT t.code, p.stage_id, p.reps_in_stage, p.total_reps FROM user_progress p "
        "JOIN topic t USING (topic_id) WHERE p.user_id = ?",
        (user_id,),
    )
    return {code: (stage, reps, total) for code, stage, reps, total in rows}


async def test_report_sessions_and_progress(setup: Setup) -> None:
    cli, db, export = setup.cli, setup.db, setup.export
    run = await cli.run_async("import-legacy", str(export), "--users", "users.csv")
    assert run.code == 0, run.err
    out = run.out
    if setup.backend == "sqlite":  # a copy of the file first
        assert out.startswith("backup: ")
        saved = Path(out.splitlines()[0].removeprefix("backup: "))
        assert saved in set(export.parent.iterdir())  # beside the database file
    else:
        assert "backup:" not in out
    for line in (
        "rows read: 18",
        "imported: 11 (4 sessions for linked learners, 7 held for legacy accounts)",
        "already imported: 0",
        "skipped: 7",
        "  unknown module: 1", "  unknown level: 1", "  malformed row: 1", "  duplicate id: 1",
        "  negative reps: 1", "  bad number: 1", "  bad timestamp: 1",
        "  line 13: unknown module 'geometry/angles'",
        "  line 14: unknown level 'kyu'",
        "  line 15: 3 fields, the header has 8",
        "  line 16: same id as line 3",
        "  line 17: total_reps is -5",
        "  line 18: total_reps 'ten' is not a whole number",
        "  line 19: created_at 'yesterday' is not a time",
        "legacy accounts: 4 new (1 linked, 1 linked when the learner first writes, 2 unlinked: "
        "send them `dojobot legacy-link ID`)",
        "progress rows raised: 2",
        "  hatsu: 1 -> 0", "  ri: 0 -> 1", "  toi: 1 -> 1",
    ):
        assert line in out.splitlines(), (line, out)
    sessions = await fetchall(
        db,
        "SELECT t.code, s.stage_id, s.total_reps, s.correct_reps, s.avg_response_time, "
        "s.median_response_time, s.accuracy, s.is_estimate, s.start_time, s.end_time "
        "FROM session s JOIN topic t USING (topic_id) WHERE user_id = 501 ORDER BY start_time",
    )
    assert [tuple(r) for r in sessions] == [
        ("add", 2, 100, 100, 1500.0, 1500.0, 1.0, 1, 1704103200000, 1704103800000),
        ("add_w_negatives", 4, 50, 50, 1200.5, 1200.5, 1.0, 1, 1704189600000, 1704189900000),
        ("subtract_w_negatives", 6, 40, 40, 900.0, 900.0, 1.0, 1, 1704276000000, 1704276240000),
        ("add", 6, 60, 60, 1000.0, 1000.0, 1.0, 1, 1704794400000, 1704794880000),
    ]
    # Highest stage per topic, never lowering: Adding negatives stays at Toi with its reps.
    assert await progress(db, 501) == {
        "add": (6, 0, 7), "add_w_negatives": (5, 3, 3), "subtract_w_negatives": (6, 0, 0),
    }
    # Unlinked and not-yet-seen learners are held as legacy accounts, not as users.
    accounts = await fetchall(
        db, "SELECT legacy_user_id, user_id, pending_user_id FROM legacy_account ORDER BY 1"
    )
    assert [tuple(r) for r in accounts] == [
        ("u1", 501, None), ("u2", None, 502), ("u3", None, None), ("u4", None, None),
    ]
    assert await count(db, 'SELECT COUNT(*) FROM "user"') == 1


async def test_second_import_adds_nothing(setup: Setup) -> None:
    cli, db, export = setup.cli, setup.db, setup.export
    assert (await cli.run_async("import-legacy", str(export), "--users", "users.csv")).code == 0
    before = await counts(db)
    run = await cli.run_async("import-legacy", str(export), "--users", "users.csv")
    assert run.code == 0
    assert "imported: 0 (0 sessions for linked learners, 0 held for legacy accounts)" in run.out
    assert "already imported: 11" in run.out
    assert "nothing new to import" in run.out
    assert await counts(db) == before


async def test_dry_run_changes_nothing(setup: Setup) -> None:
    cli, db, export = setup.cli, setup.db, setup.export
    before = await counts(db)
    files = set(export.parent.iterdir())
    run = await cli.run_async("import-legacy", str(export), "--users", "users.csv", "--dry-run")
    assert run.code == 0, run.err
    assert "imported: 11 (4 sessions for linked learners, 7 held for legacy accounts)" in run.out
    assert "  ri: 0 -> 1" in run.out
    assert run.out.rstrip().endswith("dry run: nothing was changed")
    assert await counts(db) == before
    assert (await progress(db, 501))["add"] == (1, 7, 7)
    assert set(export.parent.iterdir()) == files  # not even a backup


async def test_rollback_removes_the_import_and_keeps_later_practice(setup: Setup) -> None:
    cli, db, export = setup.cli, setup.db, setup.export
    before = await counts(db)
    assert (await cli.run_async("import-legacy", str(export), "--users", "users.csv")).code == 0
    # Practice after the import: a real set at the imported stage, 5 more reps.
    await execute(
        db,
        "INSERT INTO session (user_id, topic_id, stage_id, start_time, end_time, total_reps, "
        "correct_reps) VALUES (501, 1, 6, ?, ?, 5, 5)",
        (T0 + 10, T0 + 20),
    )
    await execute(
        db,
        "UPDATE user_progress SET reps_in_stage = reps_in_stage + 5, total_reps = total_reps + 5,"
        " correct_reps = correct_reps + 5 WHERE user_id = 501 AND topic_id = 1",
    )
    run = await cli.run_async("import-legacy", "--rollback")
    assert run.code == 0, run.err
    assert "rolled back import batch 1" in run.out
    assert "4 sessions and 7 held sessions removed, 4 legacy accounts removed, " \
        "2 progress rows restored" in run.out
    # Back to Hatsu with its 7 reps plus the 5 done since; the new set is still there.
    assert await progress(db, 501) == {"add": (1, 12, 12), "add_w_negatives": (5, 3, 3)}
    left = await fetchone(db, "SELECT COUNT(*), SUM(is_estimate) FROM session")
    assert left is not None
    assert tuple(left) == (1, 0)
    after = await counts(db)
    assert after["legacy_account"] == after["legacy_session"] == 0
    assert after["session"] == before["session"] + 1
    backups = set(export.parent.glob("*.bak"))
    assert "nothing to roll back" in (await cli.run_async("import-legacy", "--rollback")).out
    assert set(export.parent.glob("*.bak")) == backups
    # A rolled-back file can be imported again.
    again = await cli.run_async("import-legacy", str(export), "--users", "users.csv")
    assert "imported: 11 " in again.out


async def test_time_unit_seconds_and_sqlite_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_url: str
) -> None:
    cli, db = await migrated(monkeypatch, tmp_path, empty_url)
    legacy = tmp_path / "old.db"  # the legacy app's own SQLite file, on either engine
    src = sqlite3.connect(legacy)
    src.execute(f"CREATE TABLE practice_sessions ({HEADER}, extra TEXT)")
    src.execute(
        "INSERT INTO practice_sessions VALUES ('a1', 'u9', 'Exponents', 'ri', 12, 1.5, "
        "'2024-02-01T09:00:00Z', '2024-02-01T09:01:00Z', 'x')"
    )
    src.commit()
    src.close()
    run = await cli.run_async("import-legacy", str(legacy), "--time-unit", "s")
    assert run.code == 0, run.err
    assert "(response times read as s)" in run.out
    try:
        row = await fetchone(db, "SELECT avg_response_ms, stage_id FROM legacy_session")
    finally:
        await db.close()
    assert row is not None
    assert tuple(row) == (1500.0, 6)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01", "is neither a CSV export nor a SQLite"),
        (b"id,user_id,module\n1,u1,addition\n", "lacks column(s) current_level, total_reps"),
        (HEADER.encode() + b"\n1,J\xfcrgen,addition,shu,1,1,1,1\n", "is not UTF-8 text (line 2)"),
        (b"", "is empty"),
        # Two exports pasted side by side: which user_id is the learner's? Not guessed.
        (HEADER.encode() + b",user_id\n1,u1,addition,shu,1,1,1,1,u2\n",
         "names column(s) user_id more than once"),
    ],
)
async def test_corrupt_export_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_url: str, content: bytes,
    message: str,
) -> None:
    cli, db = await migrated(monkeypatch, tmp_path, empty_url)
    bad = tmp_path / "export.csv"
    bad.write_bytes(content)
    assert message in one_error_line(await cli.run_async("import-legacy", str(bad)))
    try:
        assert await count(db, "SELECT COUNT(*) FROM legacy_import") == 0
    finally:
        await db.close()


async def test_bad_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_url: str, backend: str
) -> None:
    cli = Cli(monkeypatch, tmp_path / "dojobot.sqlite3", database_url=empty_url)
    export = write_export(tmp_path / "ps.csv", GOOD_ROWS)
    if backend == "sqlite":  # the file is not there yet; a PostgreSQL database always is
        assert "does not exist" in one_error_line(
            await cli.run_async("import-legacy", str(export))
        )
    assert (await cli.run_async("migrate", "up", "--to", "2")).code == 0
    assert "run `dojobot migrate up` first" in one_error_line(
        await cli.run_async("import-legacy", str(export))
    )
    assert (await cli.run_async("migrate", "up")).code == 0
    assert "needs FILE" in one_error_line(await cli.run_async("import-legacy"))
    assert "--rollback takes no FILE" in one_error_line(
        await cli.run_async("import-legacy", str(export), "--rollback")
    )
    (tmp_path / "users.csv").write_text("u1,not-a-number\n")
    assert "users.csv line 1" in one_error_line(
        await cli.run_async("import-legacy", str(export), "--users", "users.csv")
    )
    assert "cannot read" in one_error_line(await cli.run_async("import-legacy", "missing.csv"))


async def test_numbers_out_of_range_are_skipped_rows_not_crashes(
    setup: Setup, tmp_path: Path
) -> None:
    cli, db = setup.cli, setup.db
    export = write_export(tmp_path / "huge.csv", [
        "40,u1,Addition,shu,10,1e308,2024-01-01T10:00:00Z,2024-01-01T10:10:00Z",
        "41,u1,Addition,shu,10,1e19,2024-01-01T10:00:00Z,2024-01-01T10:10:00Z",
        "42,u1,Addition,shu,10,1000,1e20,1e20",
        "43,u1,Addition,shu,1234567890123456789012345,1000,2024-01-01T10:00:00Z,"
        "2024-01-01T10:10:00Z",
        "44,u1,Addition,shu,10,1000,2024-01-01T10:00:00Z,9999-01-01T00:00:00Z",
        "45,u1,Addition,shu,10,1500,2024-01-02T10:00:00Z,2024-01-02T10:10:00Z",
    ])
    (tmp_path / "users.csv").write_text("u1,501\n")
    run = await cli.run_async("import-legacy", str(export), "--users", "users.csv")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    for line in (
        "imported: 1 (1 sessions for linked learners, 0 held for legacy accounts)",
        "skipped: 5", "  number out of range: 3", "  bad timestamp: 2",
        "  line 2: session_avg_response_time '1e308' is over an hour per answer",
        "  line 3: session_avg_response_time '1e19' is over an hour per answer",
        "  line 4: created_at '1e20' is not a time",
        "  line 5: total_reps 1234567890123456789012345 is over 1,000,000",
        "  line 6: updated_at '9999-01-01T00:00:00Z' is not a time",
    ):
        assert line in lines, (line, run.out)
    assert await count(db, "SELECT COUNT(*) FROM session WHERE user_id = 501") == 1


async def test_a_telegram_id_out_of_range_is_refused(setup: Setup, tmp_path: Path) -> None:
    cli, db, export = setup.cli, setup.db, setup.export
    (tmp_path / "users.csv").write_text("u1,99999999999999999999999\n")
    line = one_error_line(
        await cli.run_async("import-legacy", str(export), "--users", "users.csv")
    )
    assert "users.csv line 1: expected legacy_user_id,telegram_user_id" in line
    assert (await counts(db))["legacy_import"] == 0
