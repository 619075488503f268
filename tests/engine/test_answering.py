"""judge: one answer's outcome from the answer and what storage read for it."""

from __future__ import annotations

from dataclasses import replace

from dojobot.engine.answering import GivenAnswer, InStage, Seen, judge, to_read
from dojobot.engine.memory import FactMemory
from dojobot.engine.practice_set import SetState, after_answer, start_set
from dojobot.engine.progression import Progression
from dojobot.engine.stats import Answer, Stats

SMALL = Progression({s: 10 for s in range(1, 7)})
PACE = 3000
NOW = 1_764_000_000_000


def given(state: SetState, right: bool = True, ms: int = 900) -> GivenAnswer:
    assert state.current is not None
    answer = state.current.answer
    return GivenAnswer(state, answer if right else answer + 1, ms, NOW, PACE, SMALL)


def last_problem(state: SetState) -> SetState:
    """The set with only its last problem left to answer."""
    while (after := after_answer(state, True)).current is not None:
        state = after
    return state


def test_to_read_asks_for_the_window_only_once_the_reps_are_done() -> None:
    answer = given(start_set("add", 1, 101, seed=3))
    assert to_read(answer, InStage(1, 9)).stage_window == 0
    assert to_read(answer, InStage(1, 10)).stage_window == SMALL.window
    assert not to_read(answer, InStage(1, 10)).set_answers
    last = given(last_problem(start_set("add", 1, 101, seed=3)))
    assert to_read(last, InStage(1, 1)).set_answers


def test_an_accurate_window_after_the_reps_advances_and_resets_the_reps() -> None:
    answer = given(start_set("add", 1, 101, seed=3))
    outcome = judge(answer, Seen(InStage(1, 10), stage_window=[Answer(True, 900)] * 10))
    assert outcome.advanced_to == 2
    assert outcome.stage == InStage(2, 0)
    held = judge(answer, Seen(InStage(1, 10), stage_window=[Answer(False, 900)] * 10))
    assert held.advanced_to is None
    assert held.stage == InStage(1, 10)


def test_a_wrong_answer_is_judged_wrong_and_its_fact_remembered() -> None:
    answer = given(start_set("add", 1, 101, seed=3), right=False, ms=1200)
    outcome = judge(answer, Seen(InStage(1, 1)))
    assert not outcome.correct
    assert outcome.memory is not None
    assert outcome.memory.fact.startswith("add ")
    assert outcome.memory.memory == FactMemory(
        answers=1, correct=0, last_ms=1200, last_right=False, box=0, last_seen_at=NOW,
        due_at=NOW,
    )


def test_the_stage_line_every_tenth_answer_and_at_the_end() -> None:
    state = start_set("add", 1, 101, seed=3)
    shown = []
    while state.current is not None:
        answer = given(state)
        ends = to_read(answer, InStage(1, 1)).set_answers
        seen = Seen(InStage(1, 1), set_answers=[("3", True, 900)] if ends else None)
        outcome = judge(answer, seen)
        if outcome.stage_window:
            shown.append(outcome.next_state.answered)
        assert outcome.finished == ends
        assert (outcome.set_stats is not None) == ends
        state = outcome.next_state
    tenths = list(range(10, state.answered, 10))
    assert state.answered > 10
    assert shown == [*tenths, state.answered]


def answers_of(size: int, ms: int = 900) -> list[tuple[str, bool, int]]:
    """A test-out's answers, each right (its answer "12") in `ms`."""
    return [("12", True, ms)] * size


def test_a_passed_test_out_advances_once() -> None:
    test_out = last_problem(replace(start_set("add", 2, 101, seed=3), test_out=True))
    answer = given(test_out)
    outcome = judge(answer, Seen(InStage(2, 1), set_answers=answers_of(test_out.size)))
    assert outcome.test_out is True
    assert outcome.advanced_to == 3
    # The answer completed the stage's reps too: the stage gate moved on, not twice.
    both = judge(answer, Seen(InStage(2, 10), stage_window=[Answer(True, 900)] * 10,
                              set_answers=answers_of(test_out.size)))
    assert both.advanced_to == 3
    assert both.stage == InStage(3, 0)


def test_a_slow_test_out_fails_and_a_test_out_of_a_left_stage_moves_nothing() -> None:
    test_out = last_problem(replace(start_set("add", 2, 101, seed=3), test_out=True))
    slow = judge(given(test_out), Seen(InStage(2, 1), set_answers=answers_of(test_out.size, 9000)))
    assert slow.test_out is False
    assert slow.advanced_to is None
    assert slow.set_stats == Stats(test_out.size, test_out.size, 1.0, 9000.0, 9000.0)
    # Faster than a person can read and type: those right answers do not count.
    script = judge(given(test_out),
                   Seen(InStage(2, 1), set_answers=answers_of(test_out.size, 270)))
    assert script.test_out is False
    # The learner had left stage 2 while the test-out ran: passing it moves nothing.
    late = judge(given(test_out), Seen(InStage(3, 0), set_answers=answers_of(test_out.size)))
    assert late.test_out is True
    assert late.advanced_to is None
