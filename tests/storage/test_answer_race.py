"""Two answers of one learner to the same problem at the same moment (as two replicas would
judge them, each from the set as it read it): exactly one is counted, on either engine."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from tests.support.classes import add_user
from tests.support.db import fetchone

from dojobot.engine import practice_set
from dojobot.engine.answering import GivenAnswer
from dojobot.storage import practice as store
from dojobot.storage.catalogue import load_catalogue
from dojobot.storage.db import Database

LEARNER = 4242
NOW = 1_764_000_000_000


async def test_two_answers_at_once_are_judged_once(migrated_db: Database) -> None:
    db = migrated_db
    catalogue = await load_catalogue(db)
    topic = next(t for t in catalogue.topics if t.code == "add")
    await add_user(db, LEARNER, "Rin")
    state = practice_set.start_set("add", 1, 101, seed=7)
    await store.start_set(db, LEARNER, topic.topic_id, 101, state, NOW)
    current = await store.open_set(db, LEARNER)
    assert current is not None
    assert current.state.current is not None
    # Both replicas read the set before either writes, and judge the same problem.
    right = str(current.state.current.answer)

    async def judge(message_id: int, given: str) -> store.Judged | None:
        answer = GivenAnswer(current.state, Decimal(given), 900, NOW + 900, current.pace_ms,
                             topic.progression)
        return await store.record_answer(db, current, answer, message_id)

    first, second = await asyncio.gather(judge(11, right), judge(12, "-1"))
    assert [judged is not None for judged in (first, second)].count(True) == 1
    attempts = await fetchone(db, "SELECT count(*) FROM attempt WHERE user_id = ?", (LEARNER,))
    assert attempts is not None
    assert attempts[0] == 1
    counted = await fetchone(
        db,
        "SELECT s.total_reps, p.total_reps FROM session s JOIN user_progress p"
        " ON p.user_id = s.user_id AND p.topic_id = s.topic_id WHERE s.user_id = ?",
        (LEARNER,),
    )
    assert counted is not None
    assert tuple(counted) == (1, 1)
