"""should_advance and friends at their boundaries, including the seed's 999/1000 tests."""

import pytest

from dojobot.engine.progression import (
    CLASS,
    STANDARD,
    Answer,
    Progression,
    needs_window,
    next_stage,
    should_advance,
)


def answers(correct: int, wrong: int = 0, ms: int = 2000) -> list[Answer]:
    """`wrong` wrong answers followed by `correct` right ones, newest last."""
    return [Answer(False, ms)] * wrong + [Answer(True, ms)] * correct


def test_seed_advances_from_hatsu_after_1000_reps() -> None:
    assert should_advance(1, 1000, answers(1000), STANDARD)
    assert next_stage(1) == 2


def test_seed_does_not_advance_after_999_reps() -> None:
    assert not should_advance(1, 999, answers(999), STANDARD)


@pytest.mark.parametrize(("stage", "needed"), [(1, 100), (2, 150), (6, 400)])
def test_class_progression_boundaries(stage: int, needed: int) -> None:
    assert not should_advance(stage, needed - 1, answers(100), CLASS)
    assert should_advance(stage, needed, answers(100), CLASS)


def test_reps_are_counted_in_the_current_stage_only() -> None:
    # the seed's bug: 5000 topic reps earned elsewhere must not pass stage 6's 1000
    assert not should_advance(6, 999, answers(100), STANDARD)


@pytest.mark.parametrize(
    ("correct", "wrong", "advance"),
    [(90, 10, True), (89, 11, False), (100, 0, True), (0, 100, False)],
)
def test_accuracy_floor_is_inclusive(correct: int, wrong: int, advance: bool) -> None:
    assert should_advance(3, 1000, answers(correct, wrong), STANDARD) is advance


def test_only_the_last_window_counts() -> None:
    old_mistakes = answers(correct=0, wrong=500) + answers(100)
    assert should_advance(2, 1000, old_mistakes, STANDARD)
    recent_mistakes = answers(500) + answers(correct=0, wrong=11) + answers(89)
    assert not should_advance(2, 1000, recent_mistakes, STANDARD)


def test_short_history_uses_what_there_is() -> None:
    small = Progression({s: 10 for s in range(1, 7)})
    assert should_advance(1, 10, answers(9, 1), small)
    assert not should_advance(1, 10, answers(8, 2), small)


def test_no_recent_answers_means_no_proof() -> None:
    assert not should_advance(1, 1000, [], STANDARD)


def test_fluency_gate() -> None:
    fluent = Progression(CLASS.requirements, fluency_ms=3000)
    assert should_advance(1, 100, answers(100, ms=3000), fluent)
    assert not should_advance(1, 100, answers(100, ms=3001), fluent)
    # median, not mean: a few very slow answers do not block a fluent learner
    mixed = answers(60, ms=1000) + answers(40, ms=60000)
    assert should_advance(1, 100, mixed, fluent)
    assert not should_advance(1, 100, answers(40, ms=1000) + answers(60, ms=60000), fluent)
    assert STANDARD.fluency_ms is None


def test_final_stage_never_advances() -> None:
    assert not should_advance(7, 10**6, answers(100), STANDARD)
    assert not needs_window(7, 10**6, STANDARD)
    assert next_stage(7) == 7


def test_needs_window_tracks_the_requirement() -> None:
    assert not needs_window(4, 999, STANDARD)
    assert needs_window(4, 1000, STANDARD)
    assert needs_window(4, 250, CLASS)
    assert not needs_window(4, 249, CLASS)


def test_next_stage_steps_by_one() -> None:
    assert [next_stage(s) for s in range(1, 8)] == [2, 3, 4, 5, 6, 7, 7]


@pytest.mark.parametrize("stage", [0, 8])
def test_unknown_stage(stage: int) -> None:
    with pytest.raises(ValueError, match=str(stage)):
        should_advance(stage, 1000, answers(100), STANDARD)
    with pytest.raises(ValueError, match=str(stage)):
        next_stage(stage)


def test_progression_validates_itself() -> None:
    with pytest.raises(ValueError, match=r"\[6\]"):
        Progression({1: 1, 2: 1, 3: 1, 4: 1, 5: 1})
    with pytest.raises(ValueError, match="accuracy_floor"):
        Progression(STANDARD.requirements, accuracy_floor=1.5)
    with pytest.raises(ValueError, match="window"):
        Progression(STANDARD.requirements, window=0)


def test_class_is_shorter_and_increasing() -> None:
    reqs = [CLASS.requirements[s] for s in range(1, 7)]
    assert reqs == sorted(reqs)
    assert all(CLASS.requirements[s] < STANDARD.requirements[s] for s in range(1, 7))


def test_progression_is_immutable_and_hashable() -> None:
    requirements = {s: 10 for s in range(1, 7)}
    progression = Progression(requirements)
    requirements[1] = 10**6
    assert progression.requirements[1] == 10
    twin = Progression({s: 10 for s in range(1, 7)})
    assert progression == twin
    assert hash(progression) == hash(twin)
    assert len({STANDARD, CLASS, twin, progression}) == 3
