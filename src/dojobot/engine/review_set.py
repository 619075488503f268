"""Which facts a set asks under FSRS: spaced reviews for memory that lasts.

A set of n problems, in this order:
  1. due reviews: facts due at any time of the learner's local day, lowest predicted
     recall first (FSRS's recall in whole days, cards.review_recall; a learner who
     practises at the same time each day finds yesterday's facts due, not due a few
     minutes after the set was built);
  2. facts being learnt: missed or slow the last time and not yet due again;
  3. new facts at a steady rate: NEW_SHARE of the set (two fifths) is kept for them
     while any are left, however many reviews are due, so the whole space is met in the
     first days (a fact never practised is the one most surely forgotten).
Slots still free take more new facts, then facts not yet due, lowest predicted recall
first. A fact answered right today (within the pace or not) is left for another day:
practice while a memory is fresh adds little that lasts, spaced practice adds much
(the spacing effect); it is asked only when nothing else is left. A miss may come back in
the day's next set, and its in-set retry (practice_set) is kept.

Why these numbers: benchmarks/memory_week.py (BENCHMARKS.md#memory-that-lasts). A
new-fact share of a fifth met the 64 facts of Hatsu multiplication only on the fifth day
and lost 0.025 of recall a week later against two fifths; asking a slow right answer again
the same evening lost 0.01.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence

from dojobot.engine.cards import MemoryCard, done_today, is_due, review_recall
from dojobot.engine.facts import Fact

NEW_SHARE = 0.4


def build_review_set(
    facts: Sequence[Fact],
    cards: Mapping[str, MemoryCard],
    *,
    now_ms: int,
    day_start_ms: int,
    day_end_ms: int,
    size: int,
    seed: int,
) -> tuple[Fact, ...]:
    """The facts of a set of `size` problems, in the order asked (module docstring)."""
    if not facts or size < 1:
        raise ValueError("a set needs facts and a size of at least 1")
    rng = random.Random(seed)
    new = [f for f in facts if f.key not in cards]
    rng.shuffle(new)
    seen = [(f, cards[f.key]) for f in facts if f.key in cards]
    # Predicted recall now, once per card; the seeded tie-break spreads equal facts.
    order = {f: (review_recall(c, now_ms), rng.random()) for f, c in seen}
    rested = sorted(((f, c) for f, c in seen if done_today(c, day_start_ms)),
                    key=lambda fc: order[fc[0]])
    open_ = sorted(((f, c) for f, c in seen if not done_today(c, day_start_ms)),
                   key=lambda fc: order[fc[0]])
    due = [f for f, c in open_ if is_due(c, day_end_ms)]
    learning = [f for f, c in open_ if not is_due(c, day_end_ms) and not c.within_pace]
    later = [f for f, c in open_ if not is_due(c, day_end_ms) and c.within_pace]

    chosen: list[Fact] = []
    kept_for_new = min(len(new), math.ceil(size * NEW_SHARE))
    for pool, room in ((due, size - kept_for_new), (learning, size - kept_for_new),
                       (new, size), (later, size), ([f for f, _c in rested], size)):
        take = max(0, min(room - len(chosen), len(pool)))
        chosen.extend(pool[:take])
        del pool[:take]
    while len(chosen) < size:  # a space smaller than the set: go round it again
        chosen.extend(chosen[: size - len(chosen)])
    return tuple(chosen)
