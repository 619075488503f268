"""Which facts a set asks, drawn from the learner's memory; and a test-out's even draw.

An adaptive set of n problems:
  - unseen facts at a steady rate: NEW_SHARE of the set (a fifth), in a seeded order;
  - fluent facts not yet due: rarely, FLUENT_SHARE of the set (two of 25), soonest due
    first, so each comes back later the more often it was fluent (memory.py's boxes);
  - the rest, the large share, goes to weak facts (missed first, then slow, then the ones
    answered fluently once, those recovering from a miss first) and to fluent facts due
    for review (oldest due first);
  - slots still free take more unseen facts, then second and third copies of weak facts,
    then fluent ones, so a small space still fills the set.
Order is shuffled by the seed and never asks the same fact twice in a row when the set
holds any other fact.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dojobot.engine.calendar import Bounds
from dojobot.engine.cards import MemoryCard
from dojobot.engine.complexity import complexity
from dojobot.engine.facts import STANDARD_LEVEL, Fact, map_space, space
from dojobot.engine.memory import FactMemory, Standing, is_fluent, standing
from dojobot.engine.problems import Problem, generate_set
from dojobot.engine.review_set import build_review_set

NEW_SHARE = 0.2
FLUENT_SHARE = 0.08
MAX_COPIES = 3
CHECKUP_SIZE = 30
FSRS, LEITNER = "fsrs", "leitner"  # the arms of the scheduler flag


def _weak_rank(memory: FactMemory, pace_ms: int) -> tuple[int, int, int]:
    """Missed, then slow, then right once after a miss, then right once; the longest
    unseen first within each."""
    state = standing(memory, pace_ms)
    if state is Standing.MISSED:
        kind = 0
    elif memory.last_ms is not None and memory.last_ms > pace_ms:
        kind = 1
    elif memory.prev_ms is not None and not memory.prev_right:
        kind = 2  # recovering from a miss: confirm it before newer facts
    else:
        kind = 3
    return kind, memory.last_seen_at or 0, -(memory.last_ms or 0)


def build_set(
    facts: Sequence[Fact],
    memories: Mapping[str, FactMemory],
    *,
    now_ms: int,
    pace_ms: int,
    size: int,
    seed: int,
) -> tuple[Fact, ...]:
    """The facts of an adaptive set of `size` problems (see the module docstring)."""
    if not facts or size < 1:
        raise ValueError("an adaptive set needs facts and a size of at least 1")
    rng = random.Random(seed)
    unseen = [f for f in facts if f.key not in memories or memories[f.key].answers == 0]
    rng.shuffle(unseen)
    seen = [(f, memories[f.key]) for f in facts if f.key in memories and memories[f.key].answers]
    weak = sorted(
        ((f, m) for f, m in seen if not is_fluent(m, pace_ms)),
        key=lambda fm: _weak_rank(fm[1], pace_ms),
    )
    fluent = sorted(
        ((f, m) for f, m in seen if is_fluent(m, pace_ms)), key=lambda fm: fm[1].due_at
    )
    due = [f for f, m in fluent if m.due_at <= now_ms]
    resting = [f for f, m in fluent if m.due_at > now_ms]
    priority = [f for f, _m in weak] + due

    chosen: list[Fact] = []

    def take(pool: list[Fact], count: int) -> None:
        count = max(0, min(count, size - len(chosen), len(pool)))
        chosen.extend(pool[:count])
        del pool[:count]

    take(unseen, math.ceil(size * NEW_SHARE))
    take(resting, math.ceil(size * FLUENT_SHARE))
    weak_only = [f for f, _m in weak]
    take(priority, size)
    take(unseen, size)
    for _copy in range(MAX_COPIES - 1):
        take(list(weak_only), size)
    take(resting, size)
    while len(chosen) < size:
        chosen.extend(facts[: size - len(chosen)])
    return spread(chosen, rng)


def spread(items: Sequence[Fact], rng: random.Random) -> tuple[Fact, ...]:
    """A seeded shuffle in which no fact follows itself, whenever that is possible.

    Greedy: take the first remaining fact (shuffled order) unlike the last one, unless one
    fact is so frequent that it must be placed now to keep the rest separable.
    """
    pool = list(items)
    rng.shuffle(pool)
    counts = Counter(pool)
    order: list[Fact] = []
    while pool:
        last = order[-1] if order else None
        crowded, most = counts.most_common(1)[0]
        if most * 2 > len(pool) and crowded != last:
            pick = crowded
        else:
            pick = next((f for f in pool if f != last), pool[0])
        pool.remove(pick)
        counts[pick] -= 1
        order.append(pick)
    return tuple(order)


def checkup_set(facts: Sequence[Fact], seed: int, size: int = CHECKUP_SIZE) -> tuple[Fact, ...]:
    """`size` facts spread evenly over the whole space (every fact once per n/size)."""
    if not facts:
        raise ValueError("a test-out needs facts")
    rng = random.Random(seed)
    offset = rng.random()
    n = len(facts)
    picked = [facts[int((i + offset) * n / size) % n] for i in range(size)]
    return spread(picked, rng)


@dataclass(frozen=True)
class Memory:
    """What a set is drawn from: the learner's cards (FSRS) or Leitner memories, by arm."""

    scheduler: str  # "fsrs" or "leitner"
    memories: Mapping[str, FactMemory]
    cards: Mapping[str, MemoryCard]
    day: Bounds  # the learner's local day at the set's start


def plan_set(
    topic: str, stage_id: int, level_id: int, seed: int, *,
    memory: Memory, now_ms: int, pace_ms: int, test_out: bool = False,
) -> tuple[Problem, ...] | None:
    """A set's problems fixed at its start, or None to keep the seed's generated set.

    A test-out spreads CHECKUP_SIZE problems over the stage's standard (Sapling) space: the
    facts evenly where the space is enumerable, else the generator's first distinct draws.
    An ordinary set over an enumerable space is drawn from the learner's memory: spaced
    reviews of their FSRS cards (review_set.py), or Leitner boxes (build_set), by arm.
    """
    if test_out:
        whole = map_space(topic, stage_id)
        if whole is not None:
            return tuple(f.problem for f in checkup_set(whole, seed))
        return generate_set(topic, stage_id, STANDARD_LEVEL, seed)[:CHECKUP_SIZE]
    facts = space(topic, stage_id, level_id)
    if facts is None:
        return None
    size = complexity(stage_id, level_id).count
    if memory.scheduler == FSRS:
        chosen = build_review_set(
            facts, memory.cards, now_ms=now_ms, day_start_ms=memory.day.start_ms,
            day_end_ms=memory.day.end_ms, size=size, seed=seed,
        )
    else:
        chosen = build_set(
            facts, memory.memories, now_ms=now_ms, pace_ms=pace_ms, size=size, seed=seed
        )
    return tuple(f.problem for f in chosen)


def to_work_on(
    answers: Sequence[tuple[str, bool, int]], pace_ms: int, limit: int = 6
) -> list[str]:
    """Questions to practise after a failed test-out: missed ones, then the slowest."""
    missed = [q for q, right, _ms in answers if not right]
    slow = [q for q, right, ms in sorted(answers, key=lambda a: -a[2]) if right and ms > pace_ms]
    return list(dict.fromkeys(missed + slow))[:limit]
