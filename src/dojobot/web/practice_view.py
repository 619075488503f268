"""The practice API's answers: a set, the stage bar, feedback and endings as JSON.

Endings (summary, celebration, test-out verdict) are the chat's own texts (handlers/texts):
the same words, already translated and HTML-escaped the way Telegram needs, which the page
shows as HTML. Numbers are sent raw (ms, counts) and written by the page in the learner's
locale (Intl), except inside those texts, which display.formats wrote."""

from __future__ import annotations

from typing import Any

from dojobot.display.formats import exact, written
from dojobot.engine.practice_set import SetState, position, remaining
from dojobot.handlers.sets import test_out_verdict
from dojobot.handlers.texts import (
    celebration,
    requirement,
    set_summary,
    stage_label,
)
from dojobot.i18n.names import shown
from dojobot.storage import practice as store
from dojobot.storage.catalogue import Catalogue, Topic
from dojobot.storage.db import Database
from dojobot.web.strings import locale_info, page_strings

FRACTION_TOPICS = frozenset({"div"})  # answers a learner may write as a/b


def _problem(session_id: int, topic: Topic, state: SetState) -> dict[str, Any] | None:
    if state.current is None:
        return None
    return {
        "id": session_id,
        "n": position(state),
        "of": state.answered + remaining(state),
        "question": written(state.current.question),
        "fraction": topic.code in FRACTION_TOPICS,
        "test_out": state.test_out,
    }


def _stage(catalogue: Catalogue, topic: Topic, progress: store.Progress | None) -> dict[str, Any]:
    stage_id = progress.stage_id if progress else 1
    return {
        "name": stage_label(catalogue.stage(stage_id)),
        "reps": progress.reps_in_stage if progress else 0,
        "needed": requirement(topic, stage_id),
        "final": requirement(topic, stage_id) is None,
    }


def title(catalogue: Catalogue, topic: Topic, level_id: int | None) -> str:
    """'Addition · Seedling', as the chat's set summary names a set."""
    level = catalogue.level(level_id) if level_id is not None else None
    name = shown(topic.display_name)
    return f"{name} · {shown(level.display_name)}" if level else name


async def state_of(
    db: Database, catalogue: Catalogue, running: store.OpenSet, *, first: bool = False
) -> dict[str, Any]:
    """A running set as the page draws it, with the page's words and locale."""
    topic = catalogue.topic(running.topic_id)
    assert topic is not None
    progress = (await store.progress_by_topic(db, running.user_id)).get(topic.topic_id)
    answers = [] if first else await store.set_answers(db, running.session_id)
    return {
        "title": title(catalogue, topic, running.level_id),
        "set": _problem(running.session_id, topic, running.state),
        "stage": _stage(catalogue, topic, progress),
        "done": [[int(right), ms] for _q, right, ms in answers],
        "t": page_strings(),
        "locale": locale_info(),
    }


async def current_or_none(
    db: Database, catalogue: Catalogue, running: store.OpenSet | None
) -> dict[str, Any]:
    """The running set, or `set: null` when none runs."""
    if running is None or running.state.current is None:
        return {"set": None, "t": page_strings(), "locale": locale_info()}
    return await state_of(db, catalogue, running)


async def stale(
    db: Database, catalogue: Catalogue, user_id: int, set_id: int,
    running: store.OpenSet | None,
) -> dict[str, Any]:
    """An answer to a set that is no longer running (finished in the chat, in another tab,
    by this very answer sent twice, or by the idle job): the set running now, else the
    summary of the one answered, when it was the learner's."""
    if running is not None and running.state.current is not None:
        return {"stale": True, **await state_of(db, catalogue, running)}
    body = {"stale": True, **await current_or_none(db, catalogue, None)}
    ended = await store.finished_set(db, user_id, set_id)
    topic = catalogue.topic(ended.topic_id) if ended else None
    if ended is not None and topic is not None:
        body["summary"] = set_summary(title(catalogue, topic, ended.level_id), ended.stats)
    return body


async def judged(
    db: Database, catalogue: Catalogue, topic: Topic, running: store.OpenSet,
    result: store.Judged, response_ms: int, timed_by: str,
) -> dict[str, Any]:
    """One answer's outcome: feedback, the next problem or the set's ending."""
    asked = running.state.current
    assert asked is not None
    outcome = result.outcome
    stage = store.Progress(topic.topic_id, outcome.stage.stage_id, outcome.stage.reps, 0, 0,
                           None)
    body: dict[str, Any] = {
        "feedback": {
            "correct": outcome.correct,
            "question": written(asked.question),
            "answer": exact(asked.answer),
            "ms": response_ms,
            "timed_by": timed_by,
        },
        "set": _problem(running.session_id, topic, outcome.next_state),
        "stage": _stage(catalogue, topic, stage),
    }
    if outcome.set_stats is not None:
        body["summary"] = set_summary(title(catalogue, topic, running.level_id),
                                      outcome.set_stats)
        if outcome.test_out is not None:
            body["test_out_result"] = await test_out_verdict(
                db, running.session_id, outcome.test_out, running.pace_ms)
    if outcome.advanced_to is not None:
        body["celebration"] = celebration(catalogue, topic, outcome.advanced_to)
    return body
