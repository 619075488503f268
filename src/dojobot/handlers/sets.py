"""What a set does, whichever way the learner plays it (the chat or the Mini App): plan a
new one at the learner's stage, and judge an answer in the one transaction storage makes
of it. No Telegram here: the chat's handlers and dojobot.web render the results."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal

from dojobot.engine import practice_set
from dojobot.engine.adaptive import plan_set, to_work_on
from dojobot.engine.answering import GivenAnswer
from dojobot.engine.cards import DEFAULT_RETENTION
from dojobot.engine.complexity import FINAL_STAGE
from dojobot.engine.facts import space
from dojobot.engine.memory import DAY_MS
from dojobot.engine.practice_set import SetState
from dojobot.handlers.set_memory import memory_for_set
from dojobot.handlers.texts import test_out_result
from dojobot.i18n import _
from dojobot.ops import metrics
from dojobot.storage import memory as memory_store
from dojobot.storage import practice as store
from dojobot.storage.catalogue import Catalogue, Topic
from dojobot.storage.db import Database
from dojobot.storage.flags import scheduler_arm


@dataclass(frozen=True)
class NewSet:
    """A set planned and stored."""

    session_id: int
    state: SetState
    pace_ms: int
    closed: store.SetSummary | None  # the set it replaced, if one was running


async def plan_new_set(
    db: Database, user_id: int, topic: Topic, level_id: int, now_ms: int, *, test_out: bool,
    arm: str, default_zone: str,
) -> tuple[SetState, int]:
    """A new set (or test-out) at the learner's stage, drawn by the scheduler `arm`: its
    state and the learner's pace."""
    stage_id = await store.stage_for(db, user_id, topic.topic_id)
    seed = secrets.randbits(31)
    pace = await memory_store.pace_ms(db, user_id)
    needs_memory = not test_out and space(topic.code, stage_id, level_id) is not None
    memory = await memory_for_set(db, user_id, topic.topic_id, now_ms, arm=arm,
                                  needed=needs_memory, default_zone=default_zone)
    plan = plan_set(topic.code, stage_id, level_id, seed, memory=memory, now_ms=now_ms,
                    pace_ms=pace, test_out=test_out)
    return practice_set.start_set(topic.code, stage_id, level_id, seed, plan, test_out), pace


async def start_new_set(
    db: Database, user_id: int, topic: Topic, level_id: int, now_ms: int, *,
    test_out: bool = False, message_id: int = 0, default_zone: str = "UTC",
) -> NewSet | None:
    """Plan and store a set, closing any running one; None when `message_id` already
    started the running set (see storage.practice.start_set). `default_zone`: the day of a
    learner who never set a timezone (due reviews are due per local day)."""
    # Fixed for the whole set: a flag changed meanwhile applies from the next set.
    arm = await scheduler_arm(db, user_id, now_ms)
    state, pace = await plan_new_set(db, user_id, topic, level_id, now_ms, test_out=test_out,
                                     arm=arm, default_zone=default_zone)
    started = await store.start_set(db, user_id, topic.topic_id, level_id, state, now_ms,
                                    message_id, arm=arm)
    if started is None:
        return None
    return NewSet(started[0], state, pace, started[1])


async def judge(
    db: Database, topic: Topic, current: store.OpenSet, given: Decimal, *,
    response_ms: int, now_ms: int, message_id: int | None,
    timed_by: str | None = None, device_ms: int | None = None,
    retention: float = DEFAULT_RETENTION,
) -> store.Judged | None:
    """Judge `given` against the set's current problem and keep it (None: already
    judged, or the set moved on meanwhile)."""
    answer = GivenAnswer(current.state, given, response_ms, now_ms, current.pace_ms,
                         topic.progression, timed_by, device_ms, retention)
    judged = await store.record_answer(db, current, answer, message_id)
    if judged is not None:  # the Mini App's answers count beside the chat's, by arm
        metrics.ANSWERS.labels(
            "correct" if judged.outcome.correct else "wrong", current.arm or "none"
        ).inc()
    return judged


async def test_out_refusal(
    db: Database, catalogue: Catalogue, user_id: int, topic: Topic, now_ms: int
) -> str | None:
    """Why the learner cannot test out of their stage in `topic` now (None: they can)."""
    stage_id = await store.stage_for(db, user_id, topic.topic_id)
    if stage_id == FINAL_STAGE:
        return _("You are at Ku, the final stage: there is nothing to test out of.")
    last = await memory_store.last_test_out(db, user_id, topic.topic_id, stage_id)
    if last is not None and now_ms - last < DAY_MS:
        hours = -(-(last + DAY_MS - now_ms) // 3_600_000)
        return _("One test-out of {stage} per day: try again in {hours} h.").format(
            stage=catalogue.stage(stage_id).display_name, hours=hours
        )
    return None


async def test_out_verdict(db: Database, session_id: int, passed: bool, pace_ms: int) -> str:
    """The verdict under a finished test-out: what to work on, and the answers that came
    too fast to count, when it was not passed."""
    attempts: list[tuple[str, bool, int]] = []
    too_fast = 0
    if not passed:
        attempts = await store.set_answers(db, session_id)
        too_fast = await store.too_fast_in_set(db, session_id)
    return test_out_result(passed, to_work_on(attempts, pace_ms), pace_ms, too_fast)
