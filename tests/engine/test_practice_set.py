"""A running set: spaced retries of wrong answers, its end, and its JSON form."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dojobot.engine.complexity import LEVEL_IDS, STAGE_IDS
from dojobot.engine.practice_set import (
    SetState,
    after_answer,
    from_json,
    position,
    remaining,
    retry_gap,
    start_set,
    to_json,
)
from dojobot.engine.problems import TOPICS, generate_set


def run(state: SetState, correct: Callable[[int, str], bool]) -> tuple[list[str], SetState]:
    """Answer until the set ends; correct(position, question) decides each answer."""
    asked: list[str] = []
    for _ in range(1000):
        if state.current is None:
            return asked, state
        asked.append(state.current.question)
        before = remaining(state)
        is_right = correct(position(state), state.current.question)
        state = after_answer(state, is_right)
        # a right answer removes one problem, a wrong one keeps its retry in the set
        assert remaining(state) == before - (1 if is_right else 0)
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


def test_wrong_until_right_keeps_coming_back() -> None:
    state = start_set("sub", 2, 101, 3)
    target = state.current
    assert target is not None
    misses = {"left": 3}

    def correct(pos: int, question: str) -> bool:
        if question == target.question and misses["left"]:
            misses["left"] -= 1
            return False
        return True

    asked, end = run(state, correct)
    assert asked.count(target.question) == 4
    assert end.answered == state.size + 3


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
    wrong: set[str] = set()
    last_right: dict[str, int] = {}

    def correct(pos: int, question: str) -> bool:
        # follow the pattern, then answer right so the set must end
        ok = pattern[pos - 1] if pos <= len(pattern) else True
        (last_right.__setitem__(question, pos) if ok else wrong.add(question))
        return ok

    asked = []
    while state.current is not None:
        assert from_json(to_json(state)) == state
        asked.append(state.current.question)
        state = after_answer(state, correct(position(state), state.current.question))
        assert len(asked) < 1000
    assert from_json(to_json(state)) == state
    assert set(asked) == fresh
    assert all(q in last_right for q in wrong)  # every miss was finally answered right
    assert (
        state.answered
        == len(asked)
        == state.size + sum(not pattern[i] for i in range(min(len(pattern), len(asked))))
    )
    repeats = [i for i in range(1, len(asked)) if asked[i] == asked[i - 1]]
    for i in repeats:
        # back-to-back only when the set had nothing else left to ask
        assert set(asked[i:]) == {asked[i]}, (i, asked)


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
