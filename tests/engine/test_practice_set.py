"""A running set: spaced retries of wrong answers, its end, and its JSON form."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dojobot.engine.complexity import LEVEL_IDS, STAGE_IDS
from dojobot.engine.practice_set import (
    MAX_RETURNS,
    SetState,
    after_answer,
    from_json,
    max_growth,
    position,
    remaining,
    retry_gap,
    start_set,
    to_json,
)
from dojobot.engine.problems import TOPICS, Problem, generate_set


def run(state: SetState, correct: Callable[[int, str], bool]) -> tuple[list[str], SetState]:
    """Answer until the set ends; correct(position, question) decides each answer."""
    asked: list[str] = []
    for _ in range(1000):
        if state.current is None:
            return asked, state
        asked.append(state.current.question)
        before, grown = remaining(state), state.grown
        is_right = correct(position(state), state.current.question)
        state = after_answer(state, is_right)
        # each answer removes one problem; a miss may queue one retry (bounded)
        assert state.grown - grown in ((0,) if is_right else (0, 1))
        assert remaining(state) == before - 1 + (state.grown - grown)
    raise AssertionError("set did not finish")


def test_start_set_shows_the_first_problem() -> None:
    state = start_set("mul", 2, 102, 5)
    problems = generate_set("mul", 2, 102, 5)
    assert state.current == problems[0]
    assert (state.size, position(state), remaining(state)) == (50, 1, 50)


def test_all_right_ends_after_size_in_order() -> None:
    state = start_set("add", 1, 101, 11)
    asked, end = run(state, lambda pos, q: True)
    assert asked == [p.question for p in generate_set("add", 1, 101, 11)]
    assert end.answered == state.size == 25
    assert remaining(end) == 0


@pytest.mark.parametrize("seed", range(30))
def test_a_wrong_answer_comes_back_three_to_five_later(seed: int) -> None:
    wrong_at = 1 + seed % 20
    state = start_set("add", 4, 101, seed)  # 50 distinct problems, so no look-alikes
    missed: list[str] = []

    def correct(pos: int, question: str) -> bool:
        if pos == wrong_at:
            missed.append(question)
            return False
        return True

    asked, end = run(state, correct)
    again = [i + 1 for i, q in enumerate(asked) if q == missed[0]]
    assert again[0] == wrong_at
    assert len(again) == 2
    assert again[1] - wrong_at in (3, 4, 5), again
    assert end.answered == state.size + 1


def test_retry_gaps_use_all_of_three_to_five_deterministically() -> None:
    gaps = [retry_gap(seed, n) for seed in range(10) for n in range(10)]
    assert set(gaps) == {3, 4, 5}
    assert gaps == [retry_gap(seed, n) for seed in range(10) for n in range(10)]


def test_a_missed_problem_comes_back_at_most_twice() -> None:
    state = start_set("add", 4, 101, 3)  # 50 distinct problems
    target = state.current
    assert target is not None
    misses = {"left": 3}

    def correct(pos: int, question: str) -> bool:
        if question == target.question and misses["left"]:
            misses["left"] -= 1
            return False
        return True

    asked, end = run(state, correct)
    assert asked.count(target.question) == 1 + MAX_RETURNS == 3
    assert end.answered == state.size + 2


@pytest.mark.parametrize(("topic", "stage"), [("mul", 1), ("add", 4), ("root", 7)])
def test_a_learner_who_misses_everything_still_finishes(topic: str, stage: int) -> None:
    state = start_set(topic, stage, 102, 9)
    asked, end = run(state, lambda pos, q: False)
    assert end.current is None
    assert len(asked) == state.size + max_growth(state.size)
    assert max_growth(25) == 10


def test_a_test_out_asks_each_problem_once() -> None:
    plan = tuple(generate_set("mul", 1, 102, 4))
    state = start_set("mul", 1, 102, 4, plan=plan, test_out=True)
    asked, end = run(state, lambda pos, q: pos % 2 == 0)
    assert asked == [p.question for p in plan]
    assert end.grown == 0


def test_a_planned_set_asks_its_plan_and_survives_json() -> None:
    plan = (Problem("7 × 8", Decimal(56)), Problem("2 + 2", Decimal(4)))
    state = start_set("mul", 1, 102, 1, plan=plan)
    assert from_json(to_json(state)) == state
    state = after_answer(state, False)
    assert state.current == plan[1]
    assert from_json(to_json(state)) == state
    asked, _end = run(state, lambda pos, q: True)
    assert asked == ["2 + 2", "7 × 8"]


def test_a_set_stored_before_bounded_retries_still_loads() -> None:
    old = (
        '{"v":1,"topic":"add","stage":1,"level":101,"seed":5,"size":25,"fresh":3,'
        '"answered":2,"current":["1 + 2","3"],"retries":[[5,"4 + 4","8"]]}'
    )
    state = from_json(old)
    assert state.retries == ((5, Problem("4 + 4", Decimal(8)), 1),)
    assert state.plan is None
    assert not state.test_out


def test_a_miss_on_the_last_problem_comes_straight_back() -> None:
    state = start_set("add", 1, 101, 2)
    asked, end = run(state, lambda pos, q: pos != 25)
    assert asked[-1] == asked[-2]
    assert len(asked) == 26
    assert end.current is None


@given(
    st.sampled_from(TOPICS),
    st.sampled_from(list(STAGE_IDS)),
    st.sampled_from(LEVEL_IDS),
    st.integers(min_value=0, max_value=10**9),
    st.lists(st.booleans(), min_size=1, max_size=150),
)
def test_any_answers_finish_the_set_and_survive_json(
    topic: str, stage: int, level: int, seed: int, pattern: list[bool]
) -> None:
    state = start_set(topic, stage, level, seed)
    fresh = {p.question for p in generate_set(topic, stage, level, seed)}

    def correct(pos: int, question: str) -> bool:
        # follow the pattern, then answer right
        return pattern[pos - 1] if pos <= len(pattern) else True

    asked = []
    while state.current is not None:
        assert from_json(to_json(state)) == state
        asked.append(state.current.question)
        state = after_answer(state, correct(position(state), state.current.question))
        assert len(asked) < 1000
    assert from_json(to_json(state)) == state
    assert set(asked) == fresh
    misses = sum(not pattern[i] for i in range(min(len(pattern), len(asked))))
    assert state.answered == len(asked) == state.size + state.grown
    assert state.grown == min(state.grown, misses, max_growth(state.size))
    fresh_counts = Counter(p.question for p in generate_set(topic, stage, level, seed))
    assert all(n <= fresh_counts[q] * (1 + MAX_RETURNS) for q, n in Counter(asked).items())
    repeats = [i for i in range(1, len(asked)) if asked[i] == asked[i - 1]]
    for i in repeats:
        # back-to-back only when the set had nothing else left to ask, or in a space so
        # small (Seedling roots: 4 facts) that a retry and the next fresh problem coincide
        assert set(asked[i:]) == {asked[i]} or len(fresh) < 5, (i, asked)


def test_json_is_compact_and_exact() -> None:
    state = start_set("root", 7, 105, 4)
    while state.current is not None and "." not in state.current.question:
        state = after_answer(state, False)
    text = to_json(state)
    assert " " not in text.replace(state.current.question if state.current else "", "")
    data = json.loads(text)
    assert isinstance(data["current"][1], str)
    assert from_json(text) == state


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        "{}",
        '{"v":2}',
        to_json(start_set("add", 1, 101, 0)).replace('"seed":0', '"seed":"0"'),
    ],
)
def test_from_json_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError, match="set state"):
        from_json(text)


def test_answering_a_finished_set_is_an_error() -> None:
    _, end = run(start_set("add", 1, 101, 0), lambda pos, q: True)
    with pytest.raises(ValueError, match="finished"):
        after_answer(end, True)
