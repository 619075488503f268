"""The state of one running practice set, small enough to store after every answer.

A wrong answer schedules the same problem again 3-5 problems later (XtraMath style),
bounded so every set ends: each missed problem comes back at most MAX_RETURNS times, and
a set grows by at most MAX_GROWTH of its size. What is still missed meets the learner in
the next sets through their fact memory. A test-out asks each problem once (no retries).
The gap comes from the set's seed and the answer count,
so replaying the same answers gives the same order. Next problem: a due retry first,
else the next fresh problem, else the earliest pending retry; never the same question
twice in a row unless it is the only one left.

Fresh problems come from the seed's generated set, or from a plan fixed when the set
began (an adaptive set drawn from the learner's memory, or a test-out), stored with it.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, replace
from decimal import Decimal

from dojobot.engine.problems import Problem, generate_set

RETRY_GAPS = (3, 4, 5)
MAX_RETURNS = 2
MAX_GROWTH = 0.4
_FORMAT_VERSION = 2


@dataclass(frozen=True)
class SetState:
    """One running set; `retries` holds (due at this `answered` count, problem, returns)."""

    topic: str
    stage_id: int
    level_id: int
    seed: int
    size: int
    fresh_used: int
    answered: int
    current: Problem | None
    retries: tuple[tuple[int, Problem, int], ...]
    plan: tuple[Problem, ...] | None = None
    test_out: bool = False
    grown: int = 0  # retries queued so far, bounded by max_growth(size)
    returns_of_current: int = 0  # how often the current problem has come back already


def start_set(
    topic: str, stage_id: int, level_id: int, seed: int,
    plan: tuple[Problem, ...] | None = None, test_out: bool = False,
) -> SetState:
    """A new set: the first problem of the plan, or of generate_set(...) without one."""
    problems = plan if plan is not None else generate_set(topic, stage_id, level_id, seed)
    if not problems:
        raise ValueError("a set needs at least one problem")
    return SetState(
        topic, stage_id, level_id, seed, len(problems), 1, 0, problems[0], (), plan, test_out
    )


def max_growth(size: int) -> int:
    """How many retries a set of `size` problems may add in all."""
    return math.ceil(size * MAX_GROWTH)


def _fresh(state: SetState, index: int) -> Problem:
    if state.plan is not None:
        return state.plan[index]
    return generate_set(state.topic, state.stage_id, state.level_id, state.seed)[index]


def retry_gap(seed: int, answered: int) -> int:
    """How many problems later a wrong one returns: 3, 4 or 5, fixed by seed and count."""
    return random.Random(f"{seed}:{answered}").choice(RETRY_GAPS)


def after_answer(state: SetState, correct: bool) -> SetState:
    """Record the answer to the current problem and move to the next one."""
    if state.current is None:
        raise ValueError("the set is finished; there is no current problem to answer")
    answered = state.answered + 1
    retries = list(state.retries)
    returns = state.returns_of_current
    grown = state.grown
    bounded = returns < MAX_RETURNS and grown < max_growth(state.size)
    if not correct and not state.test_out and bounded:
        # shown as problem number answered + gap, i.e. `gap` positions after this one
        due = state.answered + retry_gap(state.seed, state.answered)
        retries.append((due, state.current, returns + 1))
        grown += 1
    retries.sort(key=lambda item: item[0])  # stable: equal due dates keep their order
    previous = state.current.question
    state = replace(state, grown=grown, returns_of_current=0)

    def pick_retry(only_due: bool) -> SetState | None:
        for index, (due, problem, times) in enumerate(retries):
            if only_due and due > answered:
                break
            if problem.question != previous:
                rest = tuple(retries[:index] + retries[index + 1 :])
                return replace(state, answered=answered, current=problem, retries=rest,
                               returns_of_current=times)
        return None

    if (due_retry := pick_retry(only_due=True)) is not None:
        return due_retry
    if state.fresh_used < state.size:
        candidate = _fresh(state, state.fresh_used)
        if candidate.question == previous and (other := pick_retry(only_due=False)):
            # a fresh duplicate of what was just asked waits one turn behind a retry
            return other
        return replace(
            state,
            answered=answered,
            fresh_used=state.fresh_used + 1,
            current=candidate,
            retries=tuple(retries),
        )
    if (pending := pick_retry(only_due=False)) is not None:
        return pending
    if retries:
        # only the problem just missed is left: it has to come straight back
        _due, problem, times = retries[0]
        return replace(state, answered=answered, current=problem, retries=tuple(retries[1:]),
                       returns_of_current=times)
    return replace(state, answered=answered, current=None, retries=())


def remaining(state: SetState) -> int:
    """Problems still to answer: the current one, pending retries and unused fresh ones."""
    current = 0 if state.current is None else 1
    return current + len(state.retries) + (state.size - state.fresh_used)


def position(state: SetState) -> int:
    """1-based number of the current problem."""
    return state.answered + 1


def _problem_json(problem: Problem) -> list[str]:
    """A problem as [question, answer] with the answer as an exact string."""
    return [problem.question, str(problem.answer)]


def _problem_from(raw: object) -> Problem:
    """Inverse of _problem_json, checking the shape."""
    if not (isinstance(raw, list) and len(raw) == 2 and all(isinstance(x, str) for x in raw)):
        raise ValueError(f"bad problem in set state: {raw!r}")
    return Problem(raw[0], Decimal(raw[1]))


def to_json(state: SetState) -> str:
    """Compact JSON for the set state; answers are strings so they stay exact."""
    return json.dumps(
        {
            "v": _FORMAT_VERSION,
            "topic": state.topic,
            "stage": state.stage_id,
            "level": state.level_id,
            "seed": state.seed,
            "size": state.size,
            "fresh": state.fresh_used,
            "answered": state.answered,
            "current": None if state.current is None else _problem_json(state.current),
            "retries": [[due, *_problem_json(p), n] for due, p, n in state.retries],
            "plan": None if state.plan is None else [_problem_json(p) for p in state.plan],
            "test_out": state.test_out,
            "grown": state.grown,
            "returns": state.returns_of_current,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def from_json(text: str) -> SetState:
    """Rebuild a SetState from to_json output; ValueError if it is malformed."""
    try:
        data = json.loads(text)
        if data["v"] not in (1, _FORMAT_VERSION):
            raise ValueError(f"unsupported set state version {data['v']!r}")
        if data["v"] == 1:
            # a set begun before bounded retries: each pending retry is its first return
            data.update(plan=None, test_out=False, grown=0, returns=0)
            data["retries"] = [[*item, 1] for item in data["retries"]]
        keys = ("stage", "level", "seed", "size", "fresh", "answered", "grown", "returns")
        ints = [data[key] for key in keys]
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in ints):
            raise ValueError("set state numbers must be integers")
        retries = tuple(
            (int(due), _problem_from([q, a]), int(n)) for due, q, a, n in data["retries"]
        )
        current = None if data["current"] is None else _problem_from(data["current"])
        plan = None if data["plan"] is None else tuple(_problem_from(p) for p in data["plan"])
        return SetState(
            topic=str(data["topic"]),
            stage_id=data["stage"],
            level_id=data["level"],
            seed=data["seed"],
            size=data["size"],
            fresh_used=data["fresh"],
            answered=data["answered"],
            current=current,
            retries=retries,
            plan=plan,
            test_out=bool(data["test_out"]),
            grown=data["grown"],
            returns_of_current=data["returns"],
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as error:
        raise ValueError(f"malformed set state: {error}") from error
