"""Sets, answers and progress: the practice loop's reads and its one write per answer."""

from __future__ import annotations

from dataclasses import dataclass

from dojobot.engine.answering import GivenAnswer, InStage, Outcome, Seen, judge, to_read
from dojobot.engine.human_speed import too_fast
from dojobot.engine.practice_set import SetState, from_json, to_json
from dojobot.engine.stats import Answer, Stats, summarize
from dojobot.storage.cards import fact_card, keep_card
from dojobot.storage.db import Database, Row, Tx
from dojobot.storage.memory import fact_memory, keep_memory


@dataclass(frozen=True)
class Progress:
    """A learner's standing in one topic."""

    topic_id: int
    stage_id: int
    reps_in_stage: int
    total_reps: int
    correct_reps: int
    last_practised_at: int | None


@dataclass(frozen=True)
class OpenSet:
    """A running set as stored: enough to judge the next answer after a restart."""

    session_id: int
    user_id: int
    topic_id: int
    level_id: int
    start_time: int
    state: SetState
    problem_sent_at: int
    last_message_id: int
    total_reps: int
    correct_reps: int
    pace_ms: int  # the learner's fluency threshold
    arm: str | None = None  # the scheduler arm that chose its problems (None: before flags)


@dataclass(frozen=True)
class Judged:
    """An answer as kept: the engine's outcome, and the stage window its reply shows."""

    outcome: Outcome
    stage_window: Stats | None  # when outcome.stage_window asked for the stage line


@dataclass(frozen=True)
class SetSummary:
    """A finished set's statistics, from its own attempts."""

    session_id: int
    topic_id: int
    level_id: int | None
    stats: Stats


# Each running set's state as this process last wrote it, by session: (JSON, parsed). The
# next answer reads the JSON from the database as always (it stays the source of truth)
# and skips parsing it when it is exactly the text written here: parsing an adaptive set's
# plan was ~3% of the answer path's CPU (BENCHMARKS.md#answer-path-2026-11-29).
_written: dict[int, tuple[str, SetState]] = {}
_WRITTEN_MAX = 4096


def _remember_state(session_id: int, state: SetState) -> str:
    """The state's JSON, kept with the state for the set's next read."""
    text = to_json(state)
    _written.pop(session_id, None)
    if state.current is not None:  # a finished set is not read again
        _written[session_id] = (text, state)
        if len(_written) > _WRITTEN_MAX:  # the sets idle the longest are forgotten first
            del _written[next(iter(_written))]
    return text


def _state_from(session_id: int, text: str) -> SetState:
    kept = _written.get(session_id)
    return kept[1] if kept is not None and kept[0] == text else from_json(text)


def _progress(row: Row) -> Progress:
    return Progress(*row)


_PROGRESS_COLUMNS = (
    "topic_id, stage_id, reps_in_stage, total_reps, correct_reps, last_practised_at"
)


async def progress_by_topic(db: Database, user_id: int) -> dict[int, Progress]:
    """Every topic the learner has progress in."""
    async with db.read() as tx:
        rows = await tx.fetchall(
            f"SELECT {_PROGRESS_COLUMNS} FROM user_progress WHERE user_id = ?", (user_id,)
        )
    return {r["topic_id"]: _progress(r) for r in rows}


async def imported_by_topic(db: Database, user_id: int) -> dict[int, tuple[int, int, int]]:
    """The old app's imported sessions per topic: (sessions, reps, last start ms)."""
    async with db.read() as tx:
        rows = await tx.fetchall(
            """SELECT topic_id, count(*), sum(total_reps), max(start_time) FROM session
               WHERE user_id = ? AND is_estimate = 1 GROUP BY topic_id""",
            (user_id,),
        )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


async def stage_for(db: Database, user_id: int, topic_id: int) -> int:
    """The learner's current stage in a topic (Hatsu for a newcomer)."""
    async with db.read() as tx:
        row = await tx.fetchone(
            "SELECT stage_id FROM user_progress WHERE user_id = ? AND topic_id = ?",
            (user_id, topic_id),
        )
    return int(row["stage_id"]) if row else 1


async def last_message_id(db: Database, user_id: int) -> int:
    """The id of the latest learner's message any of their sets remembers (0: none)."""
    async with db.read() as tx:
        row = await tx.fetchone(
            "SELECT max(last_message_id) FROM session WHERE user_id = ?", (user_id,)
        )
    return int(row[0] or 0) if row else 0


async def open_set(db: Database, user_id: int) -> OpenSet | None:
    """The learner's running set, if any."""
    async with db.read() as tx:
        row = await tx.fetchone(
            """SELECT s.session_id, s.user_id, s.topic_id, s.difficulty_level_id, s.start_time,
                      s.state, s.problem_sent_at, s.last_message_id, s.total_reps,
                      s.correct_reps, u.pace_ms, s.scheduler_arm
               FROM session s JOIN "user" u ON u.user_id = s.user_id
               WHERE s.user_id = ? AND s.end_time IS NULL""",
            (user_id,),
        )
    if row is None:
        return None
    return OpenSet(
        session_id=row["session_id"],
        user_id=row["user_id"],
        topic_id=row["topic_id"],
        level_id=row["difficulty_level_id"],
        start_time=row["start_time"],
        state=_state_from(row["session_id"], row["state"]),
        problem_sent_at=row["problem_sent_at"],
        last_message_id=row["last_message_id"],
        total_reps=row["total_reps"],
        correct_reps=row["correct_reps"],
        pace_ms=row["pace_ms"],
        arm=row["scheduler_arm"],
    )


async def start_set(
    db: Database, user_id: int, topic_id: int, level_id: int, state: SetState, now_ms: int,
    message_id: int = 0, arm: str | None = None,
) -> tuple[int, SetSummary | None] | None:
    """Close any running set, then open a new one; returns (session id, closed summary).

    `message_id`: the learner's message that asked for the set (a deep link), remembered as
    the set's last message. The same message again (Telegram sending a handled update once
    more) starts nothing and returns None: the set it started keeps its answers.
    `arm`: the scheduler arm that chose the set's problems (storage/flags.scheduler_arm)."""

    async with db.transaction() as tx:
        if message_id and await tx.fetchone(
            """SELECT 1 FROM session
               WHERE user_id = ? AND end_time IS NULL AND last_message_id >= ?""",
            (user_id, message_id),
        ):
            return None
        closed = await _close_open_set(tx, user_id)
        await tx.execute(
            """INSERT INTO user_progress (user_id, topic_id, stage_started_at)
               VALUES (?, ?, ?) ON CONFLICT DO NOTHING""",
            (user_id, topic_id, now_ms),
        )
        created = await tx.fetchone(
            """INSERT INTO session (user_id, topic_id, stage_id, difficulty_level_id,
                                    start_time, state, problem_sent_at, test_out,
                                    last_message_id, scheduler_arm)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING session_id""",
            (user_id, topic_id, state.stage_id, level_id, now_ms, to_json(state), now_ms,
             "taken" if state.test_out else None, message_id, arm),
        )
    assert created is not None
    return int(created[0]), closed


async def record_answer(
    db: Database, current: OpenSet, answer: GivenAnswer, message_id: int | None
) -> Judged | None:
    """Judge and keep one answer in one transaction: the attempt, the set's counters and
    state, the topic's reps and stage, the fact's memory, the set's end and a test-out's
    result; the rules are engine/answering.py's. `message_id`: the learner's message,
    which makes the answer count once; None for the Mini App's answer, which has none
    (the set keeps the chat's last message id; the set's reps key the answer). None when
    this message was already judged (a redelivered update) or the set moved on without
    it."""
    asked = current.state
    problem = answer.problem
    state_json = _remember_state(current.session_id, answer.next_state)
    where = (current.user_id, current.topic_id)

    async with db.transaction() as tx:
        # First, and conditional on the set being as `current` read it: this UPDATE locks
        # the set's row, so a second answer to the same problem (another replica, at the
        # same moment) waits here, then finds total_reps moved on and is judged as already
        # answered. On SQLite the write lock serialises the two the same way.
        changed = await tx.execute(
            """UPDATE session SET total_reps = total_reps + 1,
                   correct_reps = correct_reps + ?,
                   total_response_ms = total_response_ms + ?,
                   state = ?, problem_sent_at = ?,
                   last_message_id = coalesce(?, last_message_id)
               WHERE session_id = ? AND end_time IS NULL
                 AND last_message_id < coalesce(?, last_message_id + 1)
                 AND total_reps = ?""",
            (int(answer.correct), answer.response_ms, state_json, answer.at_ms, message_id,
             current.session_id, message_id, current.total_reps),
        )
        if changed != 1:
            return None
        # The topic's reps count the answers given in the stage the learner is in: a set
        # begun in an earlier stage (before an advancement) adds to total_reps only.
        # Before the fact's card is read: this UPDATE locks the topic's row, which
        # `dojobot build-cards` holds while it rebuilds the learner's cards (PostgreSQL), so
        # an answer reads either the card before the rebuild, committing before the rebuild
        # reads the answers, or the rebuilt one (rebuild_cards).
        row = await tx.fetchone(
            """UPDATE user_progress SET
                   reps_in_stage = reps_in_stage + CASE WHEN stage_id = ? THEN 1 ELSE 0 END,
                   total_reps = total_reps + 1,
                   correct_reps = correct_reps + ?,
                   last_practised_at = ?
               WHERE user_id = ? AND topic_id = ?
               RETURNING stage_id, reps_in_stage""",
            (asked.stage_id, int(answer.correct), answer.at_ms, *where),
        )
        assert row is not None
        # The fact's memory and card as they were before this answer: read once, for the
        # gap since its last answer (next-day recall) and for the engine's judgement.
        fact = answer.fact
        memory = await fact_memory(tx, *where, fact) if fact else None
        card = await fact_card(tx, *where, fact) if fact else None
        last_seen = memory.last_seen_at if memory else None
        await tx.execute(
            """INSERT INTO attempt (session_id, user_id, topic_id, stage_id, question,
                                    expected, given, correct, response_ms, answered_at,
                                    since_last_ms, timed_by, device_ms)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (current.session_id, *where, asked.stage_id, problem.question,
             str(problem.answer), answer.given_text, int(answer.correct), answer.response_ms,
             answer.at_ms, None if last_seen is None else answer.at_ms - last_seen,
             answer.timed_by, answer.device_ms),
        )
        counted = InStage(row[0], row[1])
        needed = to_read(answer, counted)
        outcome = judge(answer, Seen(
            counted,
            stage_window=await _recent_answers(tx, *where, counted.stage_id,
                                               needed.stage_window),
            set_answers=(await _expected_answers(tx, current.session_id)
                         if needed.set_answers else None),
            memory=memory,
            card=card,
        ))
        if outcome.memory is not None:
            await keep_memory(tx, *where, outcome.memory)
            await keep_card(tx, *where, outcome.memory.fact, outcome.memory.card)
        if outcome.advanced_to is not None:
            await tx.execute(
                """UPDATE user_progress SET stage_id = ?, reps_in_stage = ?,
                       stage_started_at = ?
                   WHERE user_id = ? AND topic_id = ?""",
                (outcome.stage.stage_id, outcome.stage.reps, answer.at_ms, *where),
            )
        if outcome.set_stats is not None:
            await _finish(tx, current.session_id, outcome.set_stats)
        if outcome.test_out:
            await tx.execute(
                "UPDATE session SET test_out = 'passed' WHERE session_id = ?",
                (current.session_id,),
            )
        window = None
        if outcome.stage_window:
            window = summarize(await _recent_answers(
                tx, *where, outcome.stage.stage_id, outcome.stage_window
            ))
        return Judged(outcome, window)


@dataclass(frozen=True)
class StoredAnswer:
    """An answer as it was judged and stored: what its reply is made of, sent again."""

    session_id: int
    topic_id: int
    level_id: int
    question: str
    expected: str
    given: str
    correct: bool
    response_ms: int
    state: SetState | None  # the set after this answer; None once the set has ended
    passed_test_out: bool | None  # a finished test-out: passed or not
    pace_ms: int


async def judged_answer(db: Database, user_id: int, message_id: int) -> StoredAnswer | None:
    """The answer the learner's message `message_id` gave, while it is the last answer its
    set took (a set remembers the message of its last answer); None otherwise."""
    async with db.read() as tx:
        # Pinned: a file without statistics would walk all the learner's answers first.
        found = await tx.fetchone(
            """SELECT s.session_id, s.topic_id, s.difficulty_level_id, s.start_time, s.state,
                      s.test_out, u.pace_ms
               FROM session s INDEXED BY session_user_topic
               JOIN "user" u ON u.user_id = s.user_id
               WHERE s.user_id = ? AND s.last_message_id = ?""",
            (user_id, message_id),
        )
        if found is None:
            return None
        last = await tx.fetchone(
            """SELECT question, expected, given, correct, response_ms
               FROM attempt INDEXED BY attempt_user_time
               WHERE user_id = ? AND answered_at >= ? AND session_id = ?
               ORDER BY answered_at DESC, attempt_id DESC LIMIT 1""",
            (user_id, found["start_time"], found["session_id"]),
        )
    if last is None:  # the message started the set (a deep link): it gave no answer
        return None
    return StoredAnswer(
        session_id=found["session_id"], topic_id=found["topic_id"],
        level_id=found["difficulty_level_id"], question=last["question"],
        expected=last["expected"], given=last["given"], correct=bool(last["correct"]),
        response_ms=last["response_ms"],
        state=None if found["state"] is None else _state_from(found["session_id"],
                                                              found["state"]),
        passed_test_out=None if found["test_out"] is None else found["test_out"] == "passed",
        pace_ms=found["pace_ms"],
    )


async def _recent_answers(
    tx: Tx, user_id: int, topic_id: int, stage_id: int, limit: int
) -> list[Answer]:
    """The learner's last `limit` answers in a topic's stage, oldest first."""
    if limit < 1:
        return []
    # Pinned: walking the learner's answers newest first stops at `limit`. Left to itself
    # the planner may pick attempt_topic_time (no ANALYZE statistics, as in a running bot's
    # file: a walk through every learner's answers in the topic) or attempt_user_response.
    rows = await tx.fetchall(
        """SELECT correct, response_ms FROM attempt INDEXED BY attempt_user_time
           WHERE user_id = ? AND topic_id = ? AND stage_id = ?
           ORDER BY answered_at DESC, attempt_id DESC LIMIT ?""",
        (user_id, topic_id, stage_id, limit),
    )
    return [Answer(bool(r[0]), r[1]) for r in reversed(rows)]


async def recent_in_stage(
    db: Database, user_id: int, topic_id: int, stage_id: int, limit: int
) -> Stats:
    """Accuracy and times over the learner's last `limit` answers in a stage."""
    async with db.read() as tx:
        return summarize(await _recent_answers(tx, user_id, topic_id, stage_id, limit))


async def _set_stats(tx: Tx, session_id: int) -> Stats:
    # The user/time bounds let SQLite use attempt_user_time instead of a full scan.
    rows = await tx.fetchall(
        """SELECT a.correct, a.response_ms FROM session s JOIN attempt a
               ON a.user_id = s.user_id AND a.answered_at >= s.start_time
              AND a.session_id = s.session_id
           WHERE s.session_id = ?""",
        (session_id,),
    )
    return summarize(Answer(bool(r[0]), r[1]) for r in rows)


async def _expected_answers(tx: Tx, session_id: int) -> list[tuple[str, bool, int]]:
    """(expected, right, response ms) of each answer in a set (for the human floor)."""
    rows = await tx.fetchall(
        """SELECT a.expected, a.correct, a.response_ms FROM session s JOIN attempt a
               ON a.user_id = s.user_id AND a.answered_at >= s.start_time
              AND a.session_id = s.session_id
           WHERE s.session_id = ?""",
        (session_id,),
    )
    return [(str(r[0]), bool(r[1]), int(r[2])) for r in rows]


async def too_fast_in_set(db: Database, session_id: int) -> int:
    """How many of a set's answers came faster than a person could give them."""
    async with db.read() as tx:
        return too_fast(await _expected_answers(tx, session_id))


async def set_answers(db: Database, session_id: int) -> list[tuple[str, bool, int]]:
    """(question, right, response ms) of each answer in a set, in order."""
    async with db.read() as tx:
        rows = await tx.fetchall(
            """SELECT a.question, a.correct, a.response_ms FROM session s JOIN attempt a
                   ON a.user_id = s.user_id AND a.answered_at >= s.start_time
                  AND a.session_id = s.session_id
               WHERE s.session_id = ? ORDER BY a.attempt_id""",
            (session_id,),
        )
    return [(r[0], bool(r[1]), r[2]) for r in rows]


async def set_stats(db: Database, session_id: int) -> Stats:
    """Statistics of one set from its attempts (a true median)."""
    async with db.read() as tx:
        return await _set_stats(tx, session_id)


async def finished_set(db: Database, user_id: int, session_id: int) -> SetSummary | None:
    """The learner's set `session_id` with its statistics once it has ended; None while it
    runs, or when it is not theirs."""
    async with db.read() as tx:
        row = await tx.fetchone(
            """SELECT topic_id, difficulty_level_id FROM session
               WHERE session_id = ? AND user_id = ? AND end_time IS NOT NULL""",
            (session_id, user_id),
        )
        if row is None:
            return None
        return SetSummary(session_id, row[0], row[1], await _set_stats(tx, session_id))


async def _finish(tx: Tx, session_id: int, stats: Stats | None = None) -> SetSummary:
    """Close a set with its statistics (read here unless given); it ended at its last
    answer (its start if none)."""
    if stats is None:
        stats = await _set_stats(tx, session_id)
    row = await tx.fetchone(
        """UPDATE session SET state = NULL, accuracy = ?, avg_response_time = ?,
               median_response_time = ?,
               end_time = coalesce((SELECT max(a.answered_at) FROM attempt a
                                    WHERE a.user_id = session.user_id
                                      AND a.answered_at >= session.start_time
                                      AND a.session_id = session.session_id), start_time)
           WHERE session_id = ?
           RETURNING topic_id, difficulty_level_id""",
        (stats.accuracy, stats.mean_ms, stats.median_ms, session_id),
    )
    assert row is not None
    return SetSummary(session_id, row[0], row[1], stats)


async def _close_open_set(tx: Tx, user_id: int) -> SetSummary | None:
    row = await tx.fetchone(
        "SELECT session_id FROM session WHERE user_id = ? AND end_time IS NULL", (user_id,)
    )
    return await _finish(tx, row[0]) if row else None


async def stop_set(db: Database, user_id: int) -> SetSummary | None:
    """End the learner's running set early (/stop); None if nothing was running."""
    async with db.transaction() as tx:
        return await _close_open_set(tx, user_id)


async def close_idle_sets(db: Database, idle_before_ms: int) -> list[tuple[int, SetSummary]]:
    """Close sets whose current problem has waited since before idle_before_ms."""
    async with db.read() as tx:
        rows = await tx.fetchall(
            "SELECT session_id, user_id FROM session"
            " WHERE end_time IS NULL AND problem_sent_at < ?",
            (idle_before_ms,),
        )
    closed = []
    for row in rows:
        # One short transaction per set, so answers are never kept waiting long. The set is
        # closed only if it is still open and idle: an answer may have come in since the
        # read, or another replica (two leaders after a network split) closed it first; the
        # conditional UPDATE locks the row, so the two take turns and re-check.
        async with db.transaction() as tx:
            still_idle = await tx.execute(
                "UPDATE session SET state = NULL"
                " WHERE session_id = ? AND end_time IS NULL AND problem_sent_at < ?",
                (row["session_id"], idle_before_ms),
            )
            if still_idle:
                closed.append((int(row["user_id"]), await _finish(tx, row["session_id"])))
    return closed


@dataclass(frozen=True)
class SetPoint:
    """One finished set, for the progress chart."""

    start_time: int
    reps: int
    accuracy: float | None
    median_ms: float | None
    is_estimate: bool


async def recent_sets(
    db: Database, user_id: int, topic_id: int, limit: int = 20
) -> list[SetPoint]:
    """The learner's last finished sets of a topic with answers, oldest first."""
    async with db.read() as tx:
        rows = await tx.fetchall(
            """SELECT start_time, total_reps, accuracy, median_response_time, is_estimate
               FROM session
               WHERE user_id = ? AND topic_id = ? AND end_time IS NOT NULL AND total_reps > 0
               ORDER BY start_time DESC LIMIT ?""",
            (user_id, topic_id, limit),
        )
    return [SetPoint(r[0], r[1], r[2], r[3], bool(r[4])) for r in reversed(rows)]


@dataclass(frozen=True)
class GivenTo:
    """One of a learner's answers to one question."""

    correct: bool
    response_ms: int
    answered_at: int


async def answers_to(
    db: Database, user_id: int, topic_id: int, question: str, limit: int
) -> list[GivenTo]:
    """The learner's last `limit` answers to `question`, newest first (the attempt table keeps
    the question, not the fact's key). Pinned to the learner's index: without statistics the
    planner would walk every learner's answers in the topic. A heavy read, off the event
    loop: for a fact answered fewer than `limit` times the walk goes through all of the
    learner's answers, 8-9 ms for 31,000 (BENCHMARKS.md#fact-answers)."""
    async with db.read(heavy=True) as tx:
        rows = await tx.fetchall(
            """SELECT correct, response_ms, answered_at
               FROM attempt INDEXED BY attempt_user_time
               WHERE user_id = ? AND topic_id = ? AND question = ?
               ORDER BY answered_at DESC, attempt_id DESC LIMIT ?""",
            (user_id, topic_id, question, limit),
        )
    return [GivenTo(bool(r[0]), int(r[1]), int(r[2])) for r in rows]
