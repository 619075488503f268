"""Closing idle sets from two replicas at once (two leaders after a network split): each set
is closed once, and a set is closed only if it is still idle when its turn comes."""

from __future__ import annotations

import asyncio

from tests.support.classes import add_user
from tests.support.db import fetchone

from dojobot.engine import practice_set
from dojobot.storage import practice as store
from dojobot.storage.catalogue import load_catalogue
from dojobot.storage.db import Database

NOW = 1_764_000_000_000
IDLE_BEFORE = NOW + 60_000


async def test_two_closers_close_an_idle_set_once(migrated_db: Database) -> None:
    db = migrated_db
    topic = next(t for t in (await load_catalogue(db)).topics if t.code == "add")
    for learner in (1, 2):
        await add_user(db, learner, f"L{learner}")
        state = practice_set.start_set("add", 1, 101, seed=learner)
        await store.start_set(db, learner, topic.topic_id, 101, state, NOW)
    # Both closers read the idle sets before either closes one.
    first, second = await asyncio.gather(
        store.close_idle_sets(db, IDLE_BEFORE), store.close_idle_sets(db, IDLE_BEFORE)
    )
    assert sorted(user for user, _ in first + second) == [1, 2]
    row = await fetchone(db, "SELECT count(*) FROM session WHERE end_time IS NULL")
    assert row is not None
    assert row[0] == 0
