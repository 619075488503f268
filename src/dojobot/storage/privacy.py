"""A learner's own data: everything stored about them, read out (/mydata) or erased (/forgetme).

Both lists of tables below must name every table that holds something about a person; the
test that erases a learner who did everything scans every table of the schema, so a new
table left out of `_ERASE` fails it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from dojobot.storage.db import Database, Row, Tx
from dojobot.storage.forgotten import remember_forgotten

CONFIRM_TTL_MS = 10 * 60_000
ANSWER_CHUNK = 2000  # answers read (and written into the export) at a time
ERASE_BATCH = 200  # answers deleted per transaction by an erasure


@dataclass(frozen=True)
class LearnerData:
    """Everything stored about one learner, as plain rows (dicts) per part."""

    profile: dict[str, Any] | None
    progress: list[dict[str, Any]]
    sets: list[dict[str, Any]]
    reminder: dict[str, Any] | None
    classes: list[dict[str, Any]]
    imported_history: list[dict[str, Any]]
    fact_memory: list[dict[str, Any]]
    focuses_set: list[dict[str, Any]]  # weekly focuses they set as a class's admin
    fact_cards: list[dict[str, Any]]
    answer_count: int  # the answers themselves come in chunks: see reading_learner


ANSWER_COLUMNS = (
    "answered_at_ms", "set_id", "topic", "stage", "question", "expected", "given", "correct",
    "response_ms", "since_last_ms", "timed_by", "device_ms",
)

_PROFILE = """
SELECT *
FROM "user" WHERE user_id = ?
"""
_PROGRESS = """
SELECT t.code AS topic, s.code AS stage, p.reps_in_stage, p.total_reps, p.correct_reps,
       p.stage_started_at, p.last_practised_at
FROM user_progress p JOIN topic t USING (topic_id) JOIN stage s USING (stage_id)
WHERE p.user_id = ? ORDER BY t.sort_order
"""
_SETS = """
SELECT x.session_id AS set_id, t.code AS topic, s.code AS stage,
       d.code AS difficulty, x.start_time, x.end_time, x.total_reps, x.correct_reps,
       x.accuracy, x.median_response_time, x.avg_response_time,
       x.is_estimate AS imported_estimate, x.test_out, x.scheduler_arm
FROM session x JOIN topic t USING (topic_id) JOIN stage s USING (stage_id)
LEFT JOIN difficulty_level d USING (difficulty_level_id)
WHERE x.user_id = ? ORDER BY x.start_time, x.session_id
"""
_REMINDER = """
SELECT local_minutes, enabled, paused, next_due_at, ignored_in_a_row, last_sent_at,
       last_sent_on, updated_at
FROM reminder WHERE user_id = ?
"""
_CLASSES = """
SELECT g.chat_id AS group_id, g.title, m.joined_at
FROM class_member m JOIN class_group g USING (chat_id)
WHERE m.user_id = ? ORDER BY m.joined_at
"""
_IMPORTED = """
SELECT a.legacy_user_id, a.linked_at, count(s.legacy_row_id) AS imported_sets,
       coalesce(sum(s.total_reps), 0) AS imported_reps
FROM legacy_account a LEFT JOIN legacy_session s USING (legacy_account_id)
WHERE a.user_id = ?1 OR a.pending_user_id = ?1
GROUP BY a.legacy_account_id ORDER BY a.legacy_account_id
"""
_FACTS = """
SELECT t.code AS topic, f.fact, f.answers, f.correct, f.last_ms, f.last_right, f.prev_ms,
       f.prev_right, f.box, f.last_seen_at, f.due_at
FROM fact_memory f JOIN topic t USING (topic_id)
WHERE f.user_id = ? ORDER BY t.sort_order, f.fact
"""
_FOCUSES = """
SELECT f.chat_id AS group_id, f.week_start, t.code AS topic, d.code AS difficulty,
       f.target_sets, f.set_at
FROM class_focus f JOIN topic t USING (topic_id)
JOIN difficulty_level d USING (difficulty_level_id)
WHERE f.set_by = ? ORDER BY f.set_at
"""
_CARDS = """
SELECT t.code AS topic, f.fact, f.stability, f.difficulty, f.state, f.step, f.last_review_at,
       f.due_at, f.reviews, f.last_rating, f.last_ms
FROM fact_card f JOIN topic t USING (topic_id)
WHERE f.user_id = ? ORDER BY t.sort_order, f.fact
"""
# attempt_user_time (user_id, answered_at) gives the answers in order without a sort.
_ANSWERS = """
SELECT a.answered_at, a.session_id, t.code, s.code, a.question, a.expected, a.given,
       a.correct, a.response_ms, a.since_last_ms, a.timed_by, a.device_ms
FROM attempt a INDEXED BY attempt_user_time
JOIN topic t ON t.topic_id = a.topic_id JOIN stage s ON s.stage_id = a.stage_id
WHERE a.user_id = ? ORDER BY a.answered_at, a.attempt_id
"""


async def _dicts(tx: Tx, sql: str, user_id: int) -> list[dict[str, Any]]:
    return [dict(row) for row in await tx.fetchall(sql, (user_id,))]


@asynccontextmanager
async def reading_learner(
    db: Database, user_id: int
) -> AsyncIterator[tuple[LearnerData, AsyncIterator[Sequence[Row]]]]:
    """Everything stored about the learner, read in one snapshot on a heavy reader (off the
    writer's lock): the rows of every part, and their answers (ANSWER_COLUMNS, oldest
    first) ANSWER_CHUNK at a time, to be consumed inside the block. A learner of years has
    100,000 answers: held at once they took 76 MiB of the bot's memory."""
    async with db.read(heavy=True) as tx:
        profile = await _dicts(tx, _PROFILE, user_id)
        reminder = await _dicts(tx, _REMINDER, user_id)
        counted = await tx.fetchone("SELECT count(*) FROM attempt WHERE user_id = ?", (user_id,))
        data = LearnerData(
            profile=profile[0] if profile else None,
            progress=await _dicts(tx, _PROGRESS, user_id),
            sets=await _dicts(tx, _SETS, user_id),
            reminder=reminder[0] if reminder else None,
            classes=await _dicts(tx, _CLASSES, user_id),
            imported_history=await _dicts(tx, _IMPORTED, user_id),
            fact_memory=await _dicts(tx, _FACTS, user_id),
            focuses_set=await _dicts(tx, _FOCUSES, user_id),
            fact_cards=await _dicts(tx, _CARDS, user_id),
            answer_count=int(counted[0]) if counted else 0,
        )
        yield data, tx.stream(_ANSWERS, (user_id,), size=ANSWER_CHUNK)


# ------------------------------------------------------------------ erasure


@dataclass
class Erased:
    """How many rows of each kind an erasure removed (counts only: no identifiers)."""

    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """'attempt=57 session=4 ...' for the log line."""
        return " ".join(f"{name}={n}" for name, n in self.counts.items())


# Children before parents (foreign keys are on). Each statement takes the user id as ?1.
_THEIR_ACCOUNTS = (
    "SELECT legacy_account_id FROM legacy_account WHERE user_id = ?1 OR pending_user_id = ?1"
)
_ERASE = (
    ("forget_request", "DELETE FROM forget_request WHERE user_id = ?1"),
    ("legacy_claim_token",
     f"DELETE FROM legacy_claim_token WHERE used_by = ?1 OR legacy_account_id IN "
     f"({_THEIR_ACCOUNTS})"),
    ("legacy_session",
     f"DELETE FROM legacy_session WHERE legacy_account_id IN ({_THEIR_ACCOUNTS}) "
     "OR session_id IN (SELECT session_id FROM session WHERE user_id = ?1)"),
    ("legacy_progress_change", "DELETE FROM legacy_progress_change WHERE user_id = ?1"),
    ("legacy_account", "DELETE FROM legacy_account WHERE user_id = ?1 OR pending_user_id = ?1"),
    ("fact_memory", "DELETE FROM fact_memory WHERE user_id = ?1"),
    ("fact_card", "DELETE FROM fact_card WHERE user_id = ?1"),
    ("attempt", "DELETE FROM attempt WHERE user_id = ?1"),
    ("session", "DELETE FROM session WHERE user_id = ?1"),
    ("user_progress", "DELETE FROM user_progress WHERE user_id = ?1"),
    ("reminder", "DELETE FROM reminder WHERE user_id = ?1"),
    ("class_member", "DELETE FROM class_member WHERE user_id = ?1"),
    # A focus belongs to its class: it stays for the members, without who set it.
    ("class_focus", "UPDATE class_focus SET set_by = NULL WHERE set_by = ?1"),
    ("user", 'DELETE FROM "user" WHERE user_id = ?1'),
)


# The channel dialect.announce_erasure notifies: the payload is the erased user id.
ERASED_CHANNEL = "dojobot_erased"


async def _erase(
    tx: Tx, announce: str, user_id: int, now_ms: int, erasure_key: str | None
) -> Erased:
    # Kept as keyed hashes only, so a re-import of the old app's data skips them.
    legacy_ids = [str(r[0]) for r in await tx.fetchall(
        "SELECT legacy_user_id FROM legacy_account WHERE user_id = ?1 OR pending_user_id = ?1",
        (user_id,),
    )]
    await remember_forgotten(tx, user_id, legacy_ids, now_ms, erasure_key)
    erased = Erased()
    for name, sql in _ERASE:
        erased.counts[name] = await tx.execute(sql, (user_id,))
    if announce:  # other replicas forget them from memory once this commits
        await tx.fetchone(announce, (ERASED_CHANNEL, str(user_id)))
    return erased


async def _delete_answers(db: Database, user_id: int) -> int:
    """The learner's answers, ERASE_BATCH per transaction: 100,000 of them in one statement
    held the database (and every other learner's answer) for half a second. Each batch is a
    short transaction of its own, off the event loop (a batch's COMMIT may checkpoint the
    WAL); answers waiting for the lock go in between."""
    deleted = 0
    while True:
        started = time.monotonic()
        async with db.transaction(heavy=True) as tx:
            batch = await tx.execute(
                "DELETE FROM attempt WHERE attempt_id IN (SELECT attempt_id FROM attempt"
                " WHERE user_id = ? LIMIT ?)",
                (user_id, ERASE_BATCH),
            )
        deleted += batch
        if batch < ERASE_BATCH:
            return deleted
        # As long a pause as the batch took: an answer needs the lock a few times (its set,
        # its transaction), and with no pause each of those waited for a batch (answers
        # 100-170 ms slower while a 100,000-answer learner was erased; BENCHMARKS.md).
        await asyncio.sleep(time.monotonic() - started)


# ------------------------------------------------------------------ the confirmation


async def request_erasure(db: Database, user_id: int, nonce: str, now_ms: int) -> None:
    """Remember a /forgetme awaiting its button (a new request replaces an older one)."""
    async with db.transaction() as tx:
        await tx.execute(
            """INSERT INTO forget_request (user_id, nonce, expires_at) VALUES (?, ?, ?)
               ON CONFLICT (user_id) DO UPDATE SET nonce = excluded.nonce,
                   expires_at = excluded.expires_at""",
            (user_id, nonce, now_ms + CONFIRM_TTL_MS),
        )


async def cancel_erasure(db: Database, user_id: int) -> None:
    """"Keep my data": the pending request is gone, so its Delete button erases nothing."""
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM forget_request WHERE user_id = ?", (user_id,))


async def confirm_erasure(
    db: Database, user_id: int, nonce: str, now_ms: int, erasure_key: str | None
) -> Erased | str:
    """Erase the learner if `nonce` is their pending, unexpired request; else why not
    ('unknown': used, replaced or never theirs; 'expired').

    Confirmed, their answers go first, in short batches (_delete_answers); then one
    transaction checks the request again and erases everything else, the request included.
    Should the process stop between the two, the request stands and the button finishes it.
    `erasure_key`: what the forgotten ids are hashed with (storage/forgotten.py).
    """
    async with db.transaction() as tx:
        why = await _unconfirmable(tx, user_id, nonce, now_ms)
    if why is not None:
        return why
    answers = await _delete_answers(db, user_id)
    async with db.transaction() as tx:
        why = await _unconfirmable(tx, user_id, nonce, now_ms)
        if why is not None:  # a second tap got there first
            return why
        erased = await _erase(tx, db.dialect.announce_erasure, user_id, now_ms, erasure_key)
    erased.counts["attempt"] += answers
    return erased


async def _unconfirmable(tx: Tx, user_id: int, nonce: str, now_ms: int) -> str | None:
    """None if `nonce` is the learner's pending, unexpired request; else why not (an
    expired request is deleted)."""
    row = await tx.fetchone(
        "SELECT expires_at FROM forget_request WHERE user_id = ? AND nonce = ?",
        (user_id, nonce),
    )
    if row is None:
        return "unknown"
    if row[0] <= now_ms:
        await tx.execute("DELETE FROM forget_request WHERE user_id = ?", (user_id,))
        return "expired"
    return None
