"""Problems and problem sets for a topic, stage and level (rules: see generators.py).

A set is deterministic for its seed, never repeats a question back to back, and
draws each slot a few times to avoid repeats, so small spaces (Hatsu + Seedling
addition has 100 pairs for 25 slots) still give a varied set.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from decimal import Decimal

from dojobot.engine.complexity import check_ids, complexity
from dojobot.engine.generators import GENERATORS

TOPICS: tuple[str, ...] = (
    "add",
    "sub",
    "mul",
    "div",
    "mod",
    "exp",
    "root",
    "add_w_negatives",
    "subtract_w_negatives",
)

# draws per slot before accepting a repeat; enough to find the unused pairs of a
# 100-pair space, cheap enough for a 100-problem set
_FRESH_TRIES = 40


@dataclass(frozen=True)
class Problem:
    """One question as shown to the learner and its exact answer."""

    question: str
    answer: Decimal


def _check_topic(topic: str) -> None:
    """Raise ValueError naming an unknown topic."""
    if topic not in GENERATORS:
        raise ValueError(f"unknown topic {topic!r}; expected one of {', '.join(TOPICS)}")


def generate_problem(topic: str, stage_id: int, level_id: int, rng: random.Random) -> Problem:
    """Generate one problem for a topic, stage and level from the given rng."""
    _check_topic(topic)
    c = complexity(stage_id, level_id)
    question, answer = GENERATORS[topic](c, stage_id, rng)
    return Problem(question, answer)


@functools.lru_cache(maxsize=1024)
def generate_set(topic: str, stage_id: int, level_id: int, seed: int) -> tuple[Problem, ...]:
    """Generate the deterministic problem set for a seed (length = complexity count)."""
    _check_topic(topic)
    check_ids(stage_id, level_id)
    rng = random.Random(seed)
    seen: set[str] = set()
    problems: list[Problem] = []
    for _ in range(complexity(stage_id, level_id).count):
        previous = problems[-1].question if problems else None
        candidate = generate_problem(topic, stage_id, level_id, rng)
        for _ in range(_FRESH_TRIES):
            if candidate.question not in seen:
                break
            candidate = generate_problem(topic, stage_id, level_id, rng)
        # a repeat is tolerated when the space is exhausted, but never back to back
        while candidate.question == previous:
            candidate = generate_problem(topic, stage_id, level_id, rng)
        seen.add(candidate.question)
        problems.append(candidate)
    return tuple(problems)
