"""The schema moves up and down cleanly and the catalogue holds what learners navigate."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from tests.support.db import execute, executescript, fetchall, fetchone
from tests.support.postgres import fresh_database

from dojobot.storage.catalogue import load_catalogue
from dojobot.storage.connect import open_url
from dojobot.storage.db import Database, SqliteDatabase, StorageError
from dojobot.storage.dialect import POSTGRES, SQLITE
from dojobot.storage.migrator import available_migrations, migrate_down, migrate_up, status

TOPIC_CODES = [
    "add", "sub", "mul", "div", "mod", "exp", "root", "add_w_negatives", "subtract_w_negatives",
]


# Every table, index and constraint with its definition, as each engine describes it.
SCHEMA_QUERY = {
    "sqlite": "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    " ORDER BY name",
    "postgresql": """
        SELECT 'table' AS type, table_name::text AS name, string_agg(
            concat_ws(' ', column_name, data_type, is_nullable, is_identity, column_default),
            ', ' ORDER BY ordinal_position) AS sql
        FROM information_schema.columns WHERE table_schema = current_schema()
        GROUP BY table_name
        UNION ALL
        SELECT 'index', indexname::text, indexdef FROM pg_indexes
        WHERE schemaname = current_schema()
        UNION ALL
        SELECT 'constraint', conname::text, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE connamespace = current_schema()::regnamespace
        ORDER BY 2, 1, 3""",
}


async def schema_of(db: Database) -> list[tuple[str, str, str]]:
    rows = await fetchall(db, SCHEMA_QUERY[db.dialect.name])
    return [(r["type"], r["name"], r["sql"]) for r in rows]


async def test_up_down_up_gives_the_same_schema(
    empty_db: Database,
) -> None:
    db = empty_db
    await migrate_up(db)
    first = await schema_of(db)
    # The catalogue's reads take no parameters, so they run on either engine already.
    catalogue_first = await load_catalogue(db)
    rolled_back = await migrate_down(db, 0)
    assert [m.version for m in rolled_back] == sorted(
        (m.version for m in available_migrations()), reverse=True
    )
    assert [name for kind, name, _ in await schema_of(db) if kind == "table"] == [
        "schema_migration"
    ]
    await migrate_up(db)
    assert await schema_of(db) == first
    assert await load_catalogue(db) == catalogue_first


# Per table, its columns (name, may be NULL); the indexes a migration names (not the ones a
# key or UNIQUE makes).
SHAPE_QUERIES = {
    "sqlite": (
        """SELECT m.name AS tbl, c.name AS col, NOT (c."notnull" OR c.pk > 0) AS nullable
           FROM sqlite_master AS m, pragma_table_info(m.name) AS c
           WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'""",
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
    ),
    "postgresql": (
        """SELECT table_name AS tbl, column_name AS col, is_nullable = 'YES' AS nullable
           FROM information_schema.columns WHERE table_schema = current_schema()""",
        """SELECT indexname AS name FROM pg_indexes AS i WHERE schemaname = current_schema()
           AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = i.indexname)""",
    ),
}
# Indexes one engine has and the other has no equivalent of (named in the migration twin
# that creates them): PostgreSQL's BRIN over answered_at (postgres/0011).
ENGINE_ONLY_INDEXES = {"sqlite": set(), "postgresql": {"attempt_time_brin"}}
# 32-bit on PostgreSQL would overflow: Telegram ids pass 2^31, epoch milliseconds pass 2^40.
NARROW_WIDE_COLUMNS = r"""
    SELECT table_name || '.' || column_name AS name FROM information_schema.columns
    WHERE table_schema = current_schema() AND data_type = 'integer'
    AND column_name ~ '(user_id|chat_id|used_by|message_id|_at|_ms|_time|_week)$'"""


async def shape_of(db: Database) -> tuple[dict[str, Any], set[str]]:
    columns_sql, indexes_sql = SHAPE_QUERIES[db.dialect.name]
    tables: dict[str, Any] = {}
    for r in await fetchall(db, columns_sql):
        tables.setdefault(r["tbl"], set()).add((r["col"], bool(r["nullable"])))
    indexes = {r["name"] for r in await fetchall(db, indexes_sql)}
    own = ENGINE_ONLY_INDEXES[db.dialect.name]
    assert own <= indexes  # a name left here after its index was dropped is stale
    return tables, indexes - own


async def test_postgres_migrations_build_the_same_schema(sqlite_db: Database) -> None:
    """Every migration exists for PostgreSQL: same tables, columns, nullability, indexes.

    A migration added to migrations/ whose SQL PostgreSQL reads differently needs its twin in
    migrations/postgres/ (same file name; see dojobot.storage.dialect for the type rules).
    """
    async with fresh_database() as url:
        postgres = await open_url(url)
        try:
            await migrate_up(postgres)
            assert await shape_of(postgres) == await shape_of(sqlite_db)
            assert await status(postgres) == await status(sqlite_db)
            assert [r["name"] for r in await fetchall(postgres, NARROW_WIDE_COLUMNS)] == []
        finally:
            await postgres.close()


def test_every_postgres_migration_file_has_a_twin() -> None:
    """A file in migrations/postgres/ replaces one in migrations/: a stray name is a typo."""
    shared = {e.name for e in files(SQLITE.migration_packages[0]).iterdir()}
    own = {e.name for e in files(POSTGRES.migration_packages[0]).iterdir()
           if e.name.endswith(".sql")}
    assert own
    assert own <= shared


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
        """INSERT INTO "user" (user_id, first_name, created_at, last_seen_at) """
        """VALUES (1, 'A', 0, 0)""",
    )
    with pytest.raises(db.driver_error):
        await execute(
            db,
            "INSERT INTO user_progress (user_id, topic_id, stage_id, stage_started_at)"
            " VALUES (1, 1, 8, 0)",
        )
    with pytest.raises(db.driver_error):
        await execute(
            db,
            "INSERT INTO session (user_id, topic_id, stage_id, start_time, accuracy)"
            " VALUES (1, 1, 1, 0, 1.5)",
        )
    with pytest.raises(db.driver_error):  # foreign key: no such topic
        await execute(
            db,
            "INSERT INTO session (user_id, topic_id, stage_id, start_time) VALUES (1, 99, 1, 0)",
        )


async def test_pragmas(sqlite_db: Database) -> None:
    row = await fetchone(sqlite_db, "PRAGMA journal_mode")
    assert row is not None
    assert row[0] == "wal"
    row = await fetchone(sqlite_db, "PRAGMA foreign_keys")
    assert row is not None
    assert row[0] == 1


async def test_newer_database_is_refused_untouched(
    empty_db: Database,
) -> None:
    db = empty_db
    await migrate_up(db)
    await execute(
        db,
        "INSERT INTO schema_migration (version, name, applied_at) VALUES (999, 'future', 0)"
    )
    before = await schema_of(db)
    with pytest.raises(StorageError, match="newer"):
        await migrate_up(db)
    with pytest.raises(StorageError, match="newer"):
        await migrate_down(db, 0)
    assert await schema_of(db) == before


async def test_down_to_unknown_version_is_refused(
    empty_db: Database,
) -> None:
    await migrate_up(empty_db)
    with pytest.raises(StorageError, match="no migration 99"):
        await migrate_down(empty_db, 99)
    assert (await status(empty_db)).current == available_migrations()[-1].version


async def test_a_failing_migration_leaves_nothing_half_applied(
    empty_db: Database,
) -> None:
    """A migration whose SQL fails midway rolls back whole, on either engine."""
    db = empty_db
    await migrate_up(db, 1)
    await executescript(db, 'CREATE TABLE legacy_import (x INTEGER)')  # 0003 creates it too
    with pytest.raises(StorageError, match="rolled back"):
        await migrate_up(db)
    assert (await status(db)).current == 2  # 0002 went in, 0003 did not
    assert not [n for kind, n, _ in await schema_of(db) if n == "legacy_account"]


async def test_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StorageError, match="not a SQLite database"):
        await SqliteDatabase.open(path)
    assert path.read_text().startswith("these are my notes")


async def test_transaction_rolls_back_on_error(migrated_db: Database) -> None:
    async def insert_then_fail() -> None:
        async with migrated_db.transaction() as tx:
            await tx.execute(
                'INSERT INTO "user" (user_id, first_name, created_at, last_seen_at)'
                " VALUES (7, 'B', 0, 0)"
            )
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await insert_then_fail()
    assert await fetchone(migrated_db, 'SELECT 1 FROM "user" WHERE user_id = 7') is None


async def test_a_refused_migrate_down_names_the_step_and_changes_nothing(
    empty_db: Database,
) -> None:
    """Learners' data needs the catalogue: rolling it back fails, on either engine, whole."""
    db = empty_db
    await migrate_up(db)
    await executescript(db, 
        'INSERT INTO "user" (user_id, first_name, created_at, last_seen_at) '
        "VALUES (701, 'Kai', 0, 0);"
        "INSERT INTO user_progress (user_id, topic_id, stage_id, stage_started_at) "
        "VALUES (701, 1, 1, 0);"
    )
    before = await schema_of(db)
    with pytest.raises(StorageError, match="rolling back 0002 catalogue fails") as refused:
        await migrate_down(db, 0)
    assert str(refused.value).endswith("the lowest version it can go down to is 2")
    assert await schema_of(db) == before
    assert (await status(db)).current == available_migrations()[-1].version
