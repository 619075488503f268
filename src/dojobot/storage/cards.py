"""FSRS cards (per learner, topic and fact): the answer's update, and the reads of the map,
the class grid, set building and nudges."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from dojobot.engine.cards import DAY_MS, DEFAULT_RETENTION, MemoryCard, is_fluent, replay
from dojobot.storage.db import Database, Tx
from dojobot.storage.memory import ClassFact
from dojobot.storage.practice_times import members_next_practice

_COLUMNS = (
    "stability, difficulty, last_review_at, due_at, reviews, last_rating, last_ms, state, step"
)
_UPDATE_ALL = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS.split(", "))
UPSERT = f"""INSERT INTO fact_card (user_id, topic_id, fact, {_COLUMNS})
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (user_id, topic_id, fact) DO UPDATE SET {_UPDATE_ALL}"""


def card_columns() -> str:
    """The columns card_of reads, in its order."""
    return _COLUMNS


def card_of(row: Sequence[Any]) -> MemoryCard:
    """A card from its stored columns (_COLUMNS' order)."""
    stability, difficulty, last, due, reviews, rating, last_ms, state, step = row
    return MemoryCard(
        float(stability), float(difficulty), int(last), int(due), int(reviews), int(rating),
        int(last_ms), int(state), step,
    )


def card_row(user_id: int, topic_id: int, fact: str, card: MemoryCard) -> tuple[Any, ...]:
    """UPSERT's arguments for one card."""
    return (user_id, topic_id, fact, card.stability, card.difficulty, card.last_review_ms,
            card.due_ms, card.reviews, card.last_rating, card.last_ms, card.state, card.step)


async def fact_card(tx: Tx, user_id: int, topic_id: int, fact: str) -> MemoryCard | None:
    """Inside the answer's transaction: the fact's card before the answer (None: new)."""
    row = await tx.fetchone(
        f"SELECT {_COLUMNS} FROM fact_card WHERE user_id = ? AND topic_id = ? AND fact = ?",
        (user_id, topic_id, fact),
    )
    return card_of(tuple(row)) if row else None


async def keep_card(tx: Tx, user_id: int, topic_id: int, fact: str, card: MemoryCard) -> None:
    """Inside the answer's transaction: store the fact's card after the answer."""
    await tx.execute(UPSERT, card_row(user_id, topic_id, fact, card))


async def cards(db: Database, user_id: int, topic_id: int) -> dict[str, MemoryCard]:
    """Every card of a learner in a topic, by fact key."""
    async with db.read() as tx:
        rows = await tx.fetchall(
            f"SELECT fact, {_COLUMNS} FROM fact_card WHERE user_id = ? AND topic_id = ?",
            (user_id, topic_id),
        )
    return {r[0]: card_of(tuple(r)[1:]) for r in rows}


async def due_cards(db: Database, user_id: int, before_ms: int) -> int:
    """How many of the learner's cards, in every topic, fall due before `before_ms`."""
    async with db.read() as tx:
        row = await tx.fetchone(
            "SELECT count(*) FROM fact_card WHERE user_id = ? AND due_at < ?",
            (user_id, before_ms),
        )
    return int(row[0]) if row else 0


async def class_facts(
    db: Database, chat_id: int, topic_id: int, now_ms: int, default_zone: str
) -> tuple[int, list[ClassFact]]:
    """(members, per fact: members who met it, members fluent in it by their cards), the
    learner map's definition of fluent (engine.cards.is_fluent at each member's own next
    usual practice time); nothing per member is returned."""
    next_practice = await members_next_practice(db, chat_id, now_ms, default_zone)
    async with db.read(heavy=True) as tx:
        rows = await tx.fetchall(
            f"""SELECT user_id, fact, {_COLUMNS} FROM fact_card
                WHERE topic_id = ? AND user_id IN
                    (SELECT user_id FROM class_member WHERE chat_id = ?)""",
            (topic_id, chat_id),
        )
    seen: Counter[str] = Counter()
    fluent: Counter[str] = Counter()
    for row in rows:
        user_id, fact = row[0], row[1]
        seen[fact] += 1
        # A member who left between the two reads is judged at +24 h.
        at = next_practice.get(user_id, now_ms + DAY_MS)
        fluent[fact] += is_fluent(card_of(tuple(row)[2:]), at)
    return len(next_practice), [ClassFact(fact, n, fluent[fact]) for fact, n in seen.items()]


async def learners_with_answers(db: Database) -> list[int]:
    """Every learner who has answered anything, in id order (a history to build from)."""
    async with db.read(heavy=True) as tx:
        rows = await tx.fetchall(
            'SELECT user_id FROM "user" u WHERE EXISTS '
            "(SELECT 1 FROM attempt a WHERE a.user_id = u.user_id) ORDER BY user_id"
        )
    return [int(r[0]) for r in rows]


# The rebuild's write: a card already stored with a later review than the replay's last
# answer is newer than what the rebuild read, and stays.
_KEEP_NEWER = UPSERT + " WHERE fact_card.last_review_at <= excluded.last_review_at"


async def rebuild_cards(db: Database, user_id: int, retention: float = DEFAULT_RETENTION
                        ) -> int:
    """Write the cards the learner's stored answers give (engine.replay), in one
    transaction; returns how many. Running it again changes nothing. Safe beside a running
    bot on both engines: on SQLite the write transaction holds the file, so an answer comes
    before or after it whole; on PostgreSQL it first locks the learner's topic rows, which an
    answer's transaction updates before it reads the fact's card (storage/practice.py), so
    an answer either commits before the answers are read here, or waits and then reads the
    rebuilt card. A card newer than the answers read is never overwritten."""
    async with db.transaction() as tx:
        pace = await tx.fetchone('SELECT pace_ms FROM "user" WHERE user_id = ?', (user_id,))
        if pace is None:
            return 0
        await tx.fetchall(
            "SELECT topic_id FROM user_progress WHERE user_id = ? ORDER BY topic_id"
            + db.dialect.lock_rows,
            (user_id,),
        )
        rows = await tx.fetchall(
            """SELECT t.code, a.question, a.correct, a.response_ms, a.answered_at
               FROM attempt a INDEXED BY attempt_user_time JOIN topic t USING (topic_id)
               WHERE a.user_id = ? ORDER BY a.answered_at, a.attempt_id""",
            (user_id,),
        )
        topics = {r[0]: r[1] for r in await tx.fetchall("SELECT code, topic_id FROM topic")}
        built = replay(((r[0], r[1], bool(r[2]), int(r[3]), int(r[4])) for r in rows),
                       int(pace[0]), retention)
        # No card is deleted: a card exists only for a fact with answers (an erasure takes
        # both), so the replay gives every card there is.
        await tx.executemany(_KEEP_NEWER, [card_row(user_id, topics[topic], fact, card)
                                           for (topic, fact), card in built.items()])
    return len(built)
