"""Adaptive sets: weak and due facts first, unseen at a steady rate, fluent rarely."""

from __future__ import annotations

import itertools
import random
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from dojobot.engine.adaptive import build_set, checkup_set, spread
from dojobot.engine.facts import Fact, map_space
from dojobot.engine.memory import DAY_MS, FactMemory, is_fluent, remember

PACE = 3000
NOW = 100 * DAY_MS


def _space(topic: str) -> tuple[Fact, ...]:
    facts = map_space(topic, 1)
    assert facts is not None
    return facts


MUL = _space("mul")


def history(draw: st.DrawFn, facts: tuple[Fact, ...]) -> dict[str, FactMemory]:
    memories = {}
    for fact in facts:
        answers = draw(st.lists(st.tuples(st.booleans(), st.integers(500, 9000)), max_size=5))
        if not answers:
            continue
        memory = FactMemory()
        start = draw(st.integers(0, 99)) * DAY_MS
        for i, (right, ms) in enumerate(answers):
            memory = remember(memory, right, ms, start + i * 60_000, PACE)
        memories[fact.key] = memory
    return memories


@st.composite
def learners(draw: st.DrawFn) -> tuple[dict[str, FactMemory], int, int]:
    return history(draw, MUL), draw(st.integers(1, 80)), draw(st.integers(0, 2**31))


def no_repeat_in_a_row(chosen: tuple[Fact, ...]) -> bool:
    return all(a != b for a, b in itertools.pairwise(chosen))


@given(learners())
def test_sets_have_their_size_no_fact_twice_in_a_row_and_weak_first(
    learner: tuple[dict[str, FactMemory], int, int],
) -> None:
    memories, size, seed = learner
    chosen = build_set(MUL, memories, now_ms=NOW, pace_ms=PACE, size=size, seed=seed)
    assert len(chosen) == size
    assert build_set(MUL, memories, now_ms=NOW, pace_ms=PACE, size=size, seed=seed) == chosen
    assert no_repeat_in_a_row(chosen)
    assert set(chosen) <= set(MUL)
    weak = {f for f in MUL if f.key in memories and not is_fluent(memories[f.key], PACE)}
    unseen = {f for f in MUL if f.key not in memories}
    fluent_resting = {
        f for f in MUL
        if f.key in memories and is_fluent(memories[f.key], PACE)
        and memories[f.key].due_at > NOW
    }
    picked = Counter(chosen)
    # weak facts are all asked when the set has room for them beside its new and rare slots
    room = size - min(len(unseen), -(-size // 5)) - min(len(fluent_resting), -(-size * 2 // 25))
    if len(weak) <= room:
        assert weak <= set(picked)
    # unseen facts come in at a steady rate: a fifth of the set when there are enough
    assert sum(picked[f] for f in unseen) >= min(len(unseen), -(-size // 5))
    # fluent facts that are not due yet come rarely: only when nothing else fills the set
    if len(weak) + len(unseen) >= size:
        assert sum(picked[f] for f in fluent_resting) <= -(-size * 2 // 25)


def test_a_missed_fact_leads_and_a_fluent_one_rests() -> None:
    mul78, mul23 = MUL[(7 - 2) * 8 + 6], MUL[1]
    assert mul78.label == "7 × 8"
    memories = {f.key: FactMemory() for f in MUL}
    for fact in MUL:
        memories[fact.key] = remember(
            remember(FactMemory(), True, 900, NOW - DAY_MS // 2, PACE), True, 900,
            NOW - DAY_MS // 2 + 1, PACE,
        )
    memories[mul78.key] = remember(memories[mul78.key], False, 5000, NOW - 10, PACE)
    chosen = build_set(MUL, memories, now_ms=NOW, pace_ms=PACE, size=25, seed=1)
    # nothing unseen, one weak fact: it comes three times, fluent facts fill the rest
    assert Counter(chosen)[mul78] == 3
    assert mul23 in MUL
    assert no_repeat_in_a_row(chosen)


@given(st.lists(st.integers(0, 4), min_size=1, max_size=40), st.integers(0, 999))
def test_spread_separates_whenever_possible(items: list[int], seed: int) -> None:
    facts = [MUL[i] for i in items]
    order = spread(facts, random.Random(seed))
    assert Counter(order) == Counter(facts)
    top = max(Counter(facts).values())
    if top * 2 <= len(facts) + 1:
        assert no_repeat_in_a_row(order)


@given(st.sampled_from(["mul", "exp", "root", "add_w_negatives", "mod"]), st.integers(0, 999))
def test_test_out_draws_evenly_from_the_whole_space(topic: str, seed: int) -> None:
    facts = map_space(topic, 2)
    assert facts is not None
    chosen = checkup_set(facts, seed)
    assert len(chosen) == 30
    counts = Counter(chosen)
    low, high = 30 // len(facts), -(-30 // len(facts))
    assert all(low <= counts[f] <= high for f in facts if counts[f] or low)
    assert len(counts) == min(30, len(facts))
    assert no_repeat_in_a_row(chosen)
