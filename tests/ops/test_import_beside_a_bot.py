"""import-legacy beside a running bot: short transactions, so answers are never lost, and a
failed import undoes the batches it had written (on each backend)."""

from __future__ import annotations

import importlib
import sqlite3

import pytest

from dojobot.storage import legacy as store
from dojobot.storage.connect import open_url
from dojobot.storage.db import Database
from tests.support.db import fetchall, fetchone
from tests.support.dojo import Dojo
from tests.support.learner import current_question, open_addition_seedling, solve

T0 = 1_704_103_200_000


def legacy_rows(count: int, *, bad_at: int | None = None) -> list[store.ImportRow]:
    return [
        store.ImportRow(
            row_id=str(n), legacy_user_id=f"u{n % 40}",
            topic_id=9999 if n == bad_at else 1,  # no such topic: the insert fails there
            stage_id=2, total_reps=10, avg_response_ms=1200.0, start_ms=T0 + n, end_ms=T0 + n,
        )
        for n in range(count)
    ]


async def counts(db: Database) -> dict[str, int]:
    tables = ("session", "user_progress", "legacy_account", "legacy_session",
              "legacy_progress_change")
    found = {t: await fetchone(db, f"SELECT COUNT(*) FROM {t}") for t in tables}
    return {t: int(row[0]) for t, row in found.items() if row is not None}


def no_write_lock_held(dojo: Dojo) -> None:
    """On SQLite, another writer gets the file's lock at once (timeout 0): the import holds
    none between its batches. (PostgreSQL locks rows, not the database.)"""
    if dojo.database_url.startswith("sqlite:///"):
        other = sqlite3.connect(dojo.database_path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()


async def test_an_answer_during_an_import_is_counted(dojo: Dojo) -> None:
    s = dojo.standin
    learner = await s.user(801, "Mia")
    message = await open_addition_seedling(dojo, learner)
    verdicts: list[str] = []

    async def answer_between_batches(done: int, total: int) -> None:
        nonlocal message
        no_write_lock_held(dojo)
        _, _, question = current_question(message)
        await s.send_text(learner, str(solve(question)))
        message = await s.next_message(learner)
        verdicts.append(message.plain_text.splitlines()[0])

    importer = await open_url(dojo.database_url)  # the command's own
    try:
        outcome = await store.import_rows(
            importer, legacy_rows(1200), {"u1": 801}, source="big.csv", source_sha256="x",
            time_unit="ms", rows_read=1200, now_ms=T0, on_progress=answer_between_batches,
        )
    finally:
        await importer.close()
    assert outcome.imported == 1200
    assert len(verdicts) == 3  # 500 + 500 + 200 rows
    assert all(v.startswith("✓") for v in verdicts), verdicts
    row = await fetchone(dojo.db, "SELECT COUNT(*) FROM attempt WHERE user_id = 801")
    assert row is not None
    assert row[0] == 3
    assert outcome.sessions_added == 30  # learner u1's rows, merged once the rows were in


@pytest.mark.parametrize("bad_at", [700, 1199])
async def test_a_failed_import_undoes_its_own_batches(
    dojo: Dojo, backend: str, bad_at: int
) -> None:
    learner = await dojo.standin.user(801, "Mia")
    await open_addition_seedling(dojo, learner)
    before = await counts(dojo.db)
    # The engine's own error for the missing topic (asyncpg only where PostgreSQL runs).
    refused = (sqlite3.IntegrityError if backend == "sqlite"
               else importlib.import_module("asyncpg").ForeignKeyViolationError)
    importer = await open_url(dojo.database_url)
    try:
        with pytest.raises(refused):
            await store.import_rows(
                importer, legacy_rows(1200, bad_at=bad_at), {"u1": 801}, source="big.csv",
                source_sha256="x", time_unit="ms", rows_read=1200, now_ms=T0,
            )
    finally:
        await importer.close()
    assert await counts(dojo.db) == before
    undone = await fetchall(dojo.db, "SELECT rolled_back_at FROM legacy_import")
    assert [tuple(row) for row in undone] == [(T0,)]  # recorded, and marked undone
    # The same rows, fixed, import completely afterwards.
    again = await open_url(dojo.database_url)
    try:
        outcome = await store.import_rows(
            again, legacy_rows(1200), {}, source="big.csv", source_sha256="x",
            time_unit="ms", rows_read=1200, now_ms=T0,
        )
    finally:
        await again.close()
    assert outcome.imported == 1200
