"""When a learner leaves a stage: enough reps in THIS stage, accurate and (optionally) fast.

Fixes the seed's checkAndAdvanceStage, which compared the topic's reps over all stages
with the current stage's requirement, so one stage's work unlocked every later stage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from dojobot.engine.complexity import FINAL_STAGE, STAGE_IDS
from dojobot.engine.stats import Answer, Stats, median

__all__ = [
    "CLASS",
    "STANDARD",
    "Answer",
    "Progression",
    "needs_window",
    "next_stage",
    "passes_test_out",
    "should_advance",
]

TEST_OUT_ACCURACY = Fraction(95, 100)


@dataclass(frozen=True)
class Progression:
    """Reps needed to leave stages 1..6, plus the accuracy and fluency gates."""

    requirements: Mapping[int, int]
    accuracy_floor: float = 0.9
    # median response time gate in ms; None because one threshold cannot suit both
    # Hatsu's 3 + 4 and Ku's 3-digit products (teachers may opt in per class)
    fluency_ms: int | None = None
    window: int = 100

    def __post_init__(self) -> None:
        # copy into a read-only view so a caller's later dict edits cannot leak in
        object.__setattr__(self, "requirements", MappingProxyType(dict(self.requirements)))
        missing = [s for s in STAGE_IDS if s != FINAL_STAGE and s not in self.requirements]
        if missing:
            raise ValueError(f"progression lacks requirements for stages {missing}")
        if any(self.requirements[s] < 1 for s in STAGE_IDS if s != FINAL_STAGE):
            raise ValueError("stage requirements must be at least 1 rep")
        if not 0 <= self.accuracy_floor <= 1:
            raise ValueError(f"accuracy_floor {self.accuracy_floor} is not within 0..1")
        if self.window < 1:
            raise ValueError(f"window {self.window} must be at least 1")

    def __hash__(self) -> int:
        # the generated hash would fail on the mapping; hash its items instead
        items = tuple(sorted(self.requirements.items()))
        return hash((items, self.accuracy_floor, self.fluency_ms, self.window))


# The seed's default: 1000 reps per stage (difficulty_progression falls back to 1000).
STANDARD = Progression({1: 1000, 2: 1000, 3: 1000, 4: 1000, 5: 1000, 6: 1000})

# For classrooms: a term has ~12 weeks of ~5 short sessions of ~25-50 problems, about
# 1400-2000 answers per topic, so 100..400 (1400 in all) lets a diligent class see every
# stage in a term; later stages ask more because their sets are longer and harder.
CLASS = Progression({1: 100, 2: 150, 3: 200, 4: 250, 5: 300, 6: 400})


def _check_stage(stage_id: int) -> None:
    """Raise ValueError for a stage id outside 1..7."""
    if isinstance(stage_id, bool) or stage_id not in STAGE_IDS:
        raise ValueError(f"unknown stage id {stage_id!r}; expected 1..7")


def next_stage(stage_id: int) -> int:
    """The stage after stage_id; the final stage stays final."""
    _check_stage(stage_id)
    return min(stage_id + 1, FINAL_STAGE)


def needs_window(stage_id: int, reps_in_stage: int, progression: Progression) -> bool:
    """True when the rep requirement is met, so the recent-answers window can matter."""
    _check_stage(stage_id)
    if stage_id == FINAL_STAGE:
        return False
    return reps_in_stage >= progression.requirements[stage_id]


def should_advance(
    stage_id: int, reps_in_stage: int, recent: Sequence[Answer], progression: Progression
) -> bool:
    """Leave the stage: reps done in it, accurate and fluent over the last window."""
    if not needs_window(stage_id, reps_in_stage, progression):
        return False
    window = list(recent)[-progression.window :]
    if not window:
        # the requirement is met but nothing proves accuracy; wait for answers
        return False
    correct = sum(1 for answer in window if answer.correct)
    # exact comparison: 90 of 100 must meet a 0.9 floor, whatever float rounding says
    if Fraction(correct, len(window)) < Fraction(str(progression.accuracy_floor)):
        return False
    if progression.fluency_ms is not None:
        middle = median([answer.ms for answer in window])
        if middle is None or middle > progression.fluency_ms:
            return False
    return True


def passes_test_out(stats: Stats, pace_ms: int, size: int) -> bool:
    """A test-out passes: every problem answered, at least 95% right, median within pace."""
    if stats.reps < size or stats.reps == 0 or stats.median_ms is None:
        return False
    return Fraction(stats.correct, stats.reps) >= TEST_OUT_ACCURACY and stats.median_ms <= pace_ms
