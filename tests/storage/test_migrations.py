"""The schema moves up and down cleanly and the catalogue holds what learners navigate."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from tests.support.db import execute, fetchall, fetchone

from dojobot.storage.catalogue import load_catalogue
from dojobot.storage.db import Database, StorageError
from dojobot.storage.migrator import available_migrations, migrate_down, migrate_up, status

TOPIC_CODES = [
    "add", "sub", "mul", "div", "mod", "exp", "root", "add_w_negatives", "subtract_w_negatives",
]


async def schema_of(db: Database) -> list[tuple[str, str, str]]:
    rows = await fetchall(
        db,
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [(r["type"], r["name"], r["sql"]) for r in rows]


async def test_up_down_up_gives_the_same_schema(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        await migrate_up(db)
        first = await schema_of(db)
        catalogue_first = await load_catalogue(db)
        rolled_back = await migrate_down(db, 0)
        assert [m.version for m in rolled_back] == sorted(
            (m.version for m in available_migrations()), reverse=True
        )
        assert [name for _, name, _ in await schema_of(db)] == ["schema_migration"]
        await migrate_up(db)
        assert await schema_of(db) == first
        assert await load_catalogue(db) == catalogue_first
    finally:
        await db.close()


async def test_catalogue_queries(migrated_db: Database) -> None:
    catalogue = await load_catalogue(migrated_db)
    assert [s.code for s in catalogue.stages] == ["hatsu", "shu", "kan", "ha", "toi", "ri", "ku"]
    assert [s.stage_id for s in catalogue.stages] == list(range(1, 8))
    assert [lv.difficulty_level_id for lv in catalogue.levels] == [101, 102, 103, 104, 105]
    assert [lv.display_name for lv in catalogue.levels] == [
        "Seedling", "Sapling", "Bamboo", "Cedar", "Ancient Oak",
    ]
    assert all(lv.character and lv.pronunciation and lv.description for lv in catalogue.levels)
    math = next(f for f in catalogue.fields if f.code == "math")
    assert math.is_active
    assert any(not f.is_active for f in catalogue.fields)
    subjects = {s.code: s for s in catalogue.subjects_of(math.field_id)}
    assert set(subjects) == {"arithmetic", "algebra", "geometry"}
    topics = catalogue.topics_of(subjects["arithmetic"].subject_id)
    assert [t.code for t in topics] == TOPIC_CODES
    for topic in topics:
        assert topic.level_ids
        assert topic.progression.requirements[1] == 1000
    assert catalogue.topics_of(subjects["algebra"].subject_id) == ()


async def test_class_progression_is_shorter(migrated_db: Database) -> None:
    rows = await fetchall(migrated_db, "SELECT code, hatsu, ri FROM difficulty_progression")
    by_code = {r["code"]: r for r in rows}
    assert by_code["standard"]["hatsu"] == 1000
    assert by_code["class"]["hatsu"] < by_code["standard"]["hatsu"]


async def test_constraints_reject_out_of_domain_rows(migrated_db: Database) -> None:
    db = migrated_db
    await execute(
        db,
        "INSERT INTO user (user_id, first_name, created_at, last_seen_at) VALUES (1, 'A', 0, 0)",
    )
    with pytest.raises(sqlite3.IntegrityError):
        await execute(
            db,
            "INSERT INTO user_progress (user_id, topic_id, stage_id, stage_started_at)"
            " VALUES (1, 1, 8, 0)",
        )
    with pytest.raises(sqlite3.IntegrityError):
        await execute(
            db,
            "INSERT INTO session (user_id, topic_id, stage_id, start_time, accuracy)"
            " VALUES (1, 1, 1, 0, 1.5)",
        )
    with pytest.raises(sqlite3.IntegrityError):  # foreign key: no such topic
        await execute(
            db,
            "INSERT INTO session (user_id, topic_id, stage_id, start_time) VALUES (1, 99, 1, 0)",
        )


async def test_pragmas(migrated_db: Database) -> None:
    row = await fetchone(migrated_db, "PRAGMA journal_mode")
    assert row is not None
    assert row[0] == "wal"
    row = await fetchone(migrated_db, "PRAGMA foreign_keys")
    assert row is not None
    assert row[0] == 1


async def test_newer_database_is_refused_untouched(migrated_db: Database) -> None:
    await execute(
        migrated_db,
        "INSERT INTO schema_migration (version, name, applied_at) VALUES (999, 'future', 0)"
    )
    before = await schema_of(migrated_db)
    with pytest.raises(StorageError, match="newer"):
        await migrate_up(migrated_db)
    with pytest.raises(StorageError, match="newer"):
        await migrate_down(migrated_db, 0)
    assert await schema_of(migrated_db) == before


async def test_down_to_unknown_version_is_refused(migrated_db: Database) -> None:
    with pytest.raises(StorageError, match="no migration 99"):
        await migrate_down(migrated_db, 99)
    assert (await status(migrated_db)).current == available_migrations()[-1].version


async def test_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StorageError, match="not a SQLite database"):
        await Database.open(path)
    assert path.read_text().startswith("these are my notes")


async def test_transaction_rolls_back_on_error(migrated_db: Database) -> None:
    async def insert_then_fail() -> None:
        async with migrated_db.transaction() as tx:
            await tx.execute(
                "INSERT INTO user (user_id, first_name, created_at, last_seen_at)"
                " VALUES (7, 'B', 0, 0)"
            )
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await insert_then_fail()
    assert await fetchone(migrated_db, "SELECT 1 FROM user WHERE user_id = 7") is None

