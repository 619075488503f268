"""Migration 0008 moves cleanly; fact memory, pace and class aggregates round-trip."""

from __future__ import annotations

from pathlib import Path

from tests.support.db import execute, fetchall, fetchone

from dojobot.engine.answering import FactUpdate
from dojobot.engine.cards import review
from dojobot.engine.memory import DAY_MS, FactMemory, remember
from dojobot.storage.cards import cards, class_facts, fact_card, keep_card
from dojobot.storage.db import Database, SqliteDatabase
from dojobot.storage.memory import (
    fact_memory,
    keep_memory,
    memories,
    pace_ms,
    set_pace,
)
from dojobot.storage.migrator import migrate_down, migrate_up

NOW = 1_764_000_000_000


async def schema_of(db: Database) -> list[tuple[str, str]]:
    rows = await fetchall(db, "SELECT name, sql FROM sqlite_master ORDER BY name")
    return [(r[0], r[1]) for r in rows]


async def test_0008_up_down_up(tmp_path: Path) -> None:
    db = await SqliteDatabase.open(tmp_path / "db.sqlite3")
    try:
        await migrate_up(db, 7)
        before = await schema_of(db)
        levels = await fetchall(db, "SELECT * FROM difficulty_level ORDER BY 1")
        await migrate_up(db)
        assert ("fact_memory",) in [(n,) for n, _ in await schema_of(db)]
        seedling = await fetchone(
            db, "SELECT description FROM difficulty_level WHERE difficulty_level_id = 101"
        )
        assert seedling is not None
        assert "up to 5" in seedling[0]
        await migrate_down(db, 7)
        assert await schema_of(db) == before
        after = await fetchall(db, "SELECT * FROM difficulty_level ORDER BY 1")
        assert [tuple(r) for r in after] == [tuple(r) for r in levels]
        await migrate_up(db)
    finally:
        await db.close()


async def add_user(db: Database, user_id: int) -> None:
    await execute(
        db,
        """INSERT INTO "user" (user_id, first_name, created_at, last_seen_at) """
        """VALUES (?, 'L', 0, 0)""",
        (user_id,),
    )


async def test_memory_pace_and_class_share(migrated_db: Database) -> None:
    db = migrated_db
    for user in (1, 2, 3):
        await add_user(db, user)
    assert await pace_ms(db, 1) == 3000
    await set_pace(db, 2, 6000)
    assert await pace_ms(db, 2) == 6000
    assert await pace_ms(db, 99) == 3000

    def answer(user: int, fact: str, right: bool, ms: int, at: int, pace: int) -> None:
        async def go() -> None:
            async with db.transaction() as tx:
                before = await fact_memory(tx, user, 3, fact)
                after = remember(before or FactMemory(), right, ms, at, pace)
                card = review(await fact_card(tx, user, 3, fact), right, ms, at, pace)
                await keep_memory(tx, user, 3, FactUpdate(fact, after, card))
                await keep_card(tx, user, 3, fact, card)
        pending.append(go)

    pending: list = []
    for i in range(2):
        answer(1, "mul 7 8", True, 2000, NOW + i, 3000)
        answer(2, "mul 7 8", True, 5000, NOW + i, 6000)  # fluent at 6 s
        answer(3, "mul 7 8", True, 5000, NOW + i, 3000)  # slow at 3 s
    answer(1, "mul 6 9", False, 2000, NOW, 3000)
    for go in pending:
        await go()
    mine = await memories(db, 1, 3)
    expected = remember(remember(FactMemory(), True, 2000, NOW, 3000), True, 2000, NOW + 1, 3000)
    assert mine["mul 7 8"] == expected
    assert expected.due_at == NOW + 1 + DAY_MS
    assert mine["mul 6 9"].last_right is False
    assert await memories(db, 1, 4) == {}
    kept = await cards(db, 1, 3)
    assert kept["mul 7 8"] == review(review(None, True, 2000, NOW, 3000), True, 2000, NOW + 1,
                                     3000)
    assert kept["mul 6 9"].last_rating == 1  # a miss: Again
    assert await cards(db, 1, 4) == {}

    await execute(
        db,
        "INSERT INTO class_group (chat_id, title, created_at, updated_at) VALUES (-5, 'C', 0, 0)",
    )
    await execute(db, "INSERT INTO class_member VALUES (-5, 1, 0), (-5, 2, 0), (-5, 3, 0)")
    members, facts = await class_facts(db, -5, 3, NOW + 2, "UTC")  # fluent by their cards
    assert members == 3
    by_fact = {f.fact: (f.seen, f.fluent) for f in facts}
    assert by_fact == {"mul 7 8": (3, 2), "mul 6 9": (1, 0)}


async def test_the_class_grid_judges_each_member_at_their_usual_practice(
    migrated_db: Database,
) -> None:
    """Two members with the same evening card: the one who starts every day at 08:00 is
    fluent for tomorrow's 08:00 set; the one in Tokyo whose usual start is 16:00 local is
    not (at 18:00 UTC it is 03:00 there: their tomorrow's 16:00 is 37 hours on), nor is a
    member without a habit yet (24 hours on)."""
    db = migrated_db
    evening = NOW - NOW % DAY_MS + 18 * 3_600_000  # 18:00 UTC
    card = None
    for minute, right in enumerate((True, False, True)):  # right, missed, right in the retry
        card = review(card, right, 2500, evening - (3 - minute) * 60_000, 3000)
    assert card is not None
    await execute(db, "INSERT INTO class_group (chat_id, title, created_at, updated_at) "
                      "VALUES (-6, 'C', 0, 0)")
    for user, hour in ((11, 8), (12, 7), (13, None)):
        await add_user(db, user)
        await execute(db, "INSERT INTO class_member VALUES (-6, ?, 0)", (user,))
        async with db.transaction() as tx:
            await keep_card(tx, user, 3, "mul 7 8", card)
        for day in (1, 2) if hour is not None else ():
            start = evening - 18 * 3_600_000 - day * DAY_MS + (hour or 0) * 3_600_000
            await execute(db, "INSERT INTO session (user_id, topic_id, stage_id, start_time, "
                              "end_time) VALUES (?, 3, 1, ?, ?)", (user, start, start + 1))
    await execute(db, """UPDATE "user" SET timezone = 'Asia/Tokyo' WHERE user_id = 12""")
    members, facts = await class_facts(db, -6, 3, evening, "UTC")
    assert members == 3
    assert [(f.fact, f.seen, f.fluent) for f in facts] == [("mul 7 8", 3, 1)]
