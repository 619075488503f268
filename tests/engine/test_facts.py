"""Facts: enumerable spaces match the generator exactly, within the written-down bound."""

from __future__ import annotations

import random

import pytest

from dojobot.engine.facts import (
    MAX_FACTS,
    fact_of,
    from_key,
    is_enumerable,
    map_space,
    space,
)
from dojobot.engine.problems import TOPICS, generate_problem

SIZES = {
    "add": 81, "sub": 45, "mul": 64, "div": 64, "mod": 28, "exp": 13, "root": 11,
    "add_w_negatives": 243, "subtract_w_negatives": 243,
}


@pytest.mark.parametrize("topic", TOPICS)
def test_each_space_is_what_the_generator_asks(topic: str) -> None:
    rng = random.Random(topic)
    for stage in (1, 2, 3):
        for level in (101, 102):
            facts = space(topic, stage, level)
            assert facts is not None
            asked = {generate_problem(topic, stage, level, rng).question for _ in range(4000)}
            assert asked == {f.problem.question for f in facts}, (stage, level)
    full = map_space(topic, 1)
    assert full is not None
    assert len(full) == SIZES[topic] <= MAX_FACTS


@pytest.mark.parametrize("topic", TOPICS)
def test_seedling_keeps_to_gentle_facts_and_sapling_has_them_all(topic: str) -> None:
    seedling, sapling = space(topic, 1, 101), space(topic, 1, 102)
    assert seedling is not None
    assert sapling is not None
    assert set(seedling) < set(sapling)
    assert all(f.gentle for f in seedling)


def test_larger_spaces_are_not_enumerable() -> None:
    assert [s for s in range(1, 8) if is_enumerable(s, 102)] == [1, 2, 3]
    assert not is_enumerable(1, 103)
    assert space("mul", 4, 102) is None
    with pytest.raises(ValueError, match="unknown topic"):
        space("nope", 1, 101)


@pytest.mark.parametrize("topic", TOPICS)
def test_keys_and_questions_name_their_fact(topic: str) -> None:
    facts = map_space(topic, 1)
    assert facts is not None
    assert len({f.key for f in facts}) == len(facts)
    for fact in facts:
        assert from_key(fact.key) == fact
        assert fact_of(topic, fact.problem.question) == fact


def test_examples() -> None:
    mul = from_key("mul 7 8")
    assert mul is not None
    assert (mul.label, str(mul.problem.answer)) == ("7 × 8", "56")
    div = from_key("div 8 7")
    assert div is not None
    assert (div.label, str(div.problem.answer)) == ("56 ÷ 8", "7")
    assert fact_of("mul", "12 × 3") is None
    assert fact_of("add", "7 × 8") is None
    for bad in ("", "mul 7", "mul 1 8", "mul x 8", "zzz 1 2", "mul 7 8 9"):
        assert from_key(bad) is None
