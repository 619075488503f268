"""A class's weekly focus: what a target may be, and when a member has met it. Pure.

A set counts toward the focus when it is of the focus's topic and level, started in the
focus's week and finished with at least one answer (the rule a streak's day uses). Without
a target, one such set meets it.
"""

from __future__ import annotations

MIN_TARGET = 1
MAX_TARGET = 20  # about three sets a day: more is a typo, not a plan


def check_target(value: int | None) -> int | None:
    """The target as given (None: no target); ValueError outside 1..MAX_TARGET."""
    if value is not None and not MIN_TARGET <= value <= MAX_TARGET:
        raise ValueError(f"a target must be {MIN_TARGET} to {MAX_TARGET} sets")
    return value


def sets_needed(target: int | None) -> int:
    """How many sets meet the focus."""
    return target if target is not None else 1


def has_met(sets_done: int, target: int | None) -> bool:
    """Whether a member's sets this week meet the focus."""
    return sets_done >= sets_needed(target)
