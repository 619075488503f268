"""The running set's parsed state kept in memory never outranks the database's."""

from __future__ import annotations

from tests.support.db import execute

from dojobot.engine.answering import GivenAnswer
from dojobot.engine.practice_set import after_answer, start_set, to_json
from dojobot.storage.catalogue import load_catalogue
from dojobot.storage.db import Database
from dojobot.storage.practice import open_set, record_answer
from dojobot.storage.practice import start_set as store_start_set
from dojobot.storage.users import upsert_user

USER = 7


async def test_a_state_written_elsewhere_is_read_from_the_database(
    migrated_db: Database,
) -> None:
    db = migrated_db
    topic = (await load_catalogue(db)).topics[0]
    await upsert_user(db, USER, "A", None, None, 0)
    await store_start_set(db, USER, topic.topic_id, 101, start_set(topic.code, 1, 101, 1), 0)
    current = await open_set(db, USER)
    assert current is not None
    assert current.state.current is not None
    answer = GivenAnswer(current.state, current.state.current.answer, 900, 1000,
                         current.pace_ms, topic.progression)
    written = answer.next_state
    await record_answer(db, current, answer, 1)
    again = await open_set(db, USER)
    assert again is not None
    assert again.state == written  # as this process wrote it
    # Another process (a replica, a restart's predecessor) moves the same set on.
    elsewhere = after_answer(written, False)
    await execute(
        db, "UPDATE session SET state = ? WHERE session_id = ?",
        (to_json(elsewhere), current.session_id),
    )
    seen = await open_set(db, USER)
    assert seen is not None
    assert seen.state == elsewhere != written
