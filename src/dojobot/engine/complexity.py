"""Problem complexity per stage and difficulty level (the seed's getComplexity).

Stages 1..7 are Hatsu, Shu, Kan, Ha, Toi, Ri, Ku; levels 101..105 are Seedling,
Sapling, Bamboo, Cedar, Ancient Oak. Unlike the seed, unknown ids raise instead of
silently falling back to Hatsu/Seedling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

STAGE_IDS = range(1, 8)
LEVEL_IDS = (101, 102, 103, 104, 105)
FINAL_STAGE = 7

# stage -> (base digits, set-size multiplier); multipliers are exact fractions so
# count = floor(50 * multiplier) never suffers float rounding.
_STAGES: dict[int, tuple[int, Fraction]] = {
    1: (1, Fraction(1, 2)),
    2: (1, Fraction(1)),
    3: (1, Fraction(3, 2)),
    4: (2, Fraction(1)),
    5: (2, Fraction(3, 2)),
    6: (3, Fraction(1)),
    7: (3, Fraction(2)),
}

# level -> extra digits on top of the stage's base
_LEVEL_DIGITS: dict[int, int] = {101: 0, 102: 0, 103: 1, 104: 1, 105: 2}


@dataclass(frozen=True)
class Complexity:
    """Digit range, set size and number kinds allowed for one stage and level."""

    min_digits: int
    max_digits: int
    count: int
    allow_negatives: bool
    allow_decimals: bool
    # Seedling where operands have one digit: numbers up to GENTLE_TOP only (facts.py)
    gentle: bool = False


GENTLE_TOP = 5
SEEDLING, SAPLING = 101, 102  # the first two difficulty levels' catalogue ids


def check_ids(stage_id: int, level_id: int) -> None:
    """Raise ValueError naming the stage or level id that does not exist."""
    # bool is an int subclass; True must not pass for stage 1
    if isinstance(stage_id, bool) or stage_id not in _STAGES:
        raise ValueError(f"unknown stage id {stage_id!r}; expected 1..7")
    if isinstance(level_id, bool) or level_id not in _LEVEL_DIGITS:
        raise ValueError(f"unknown difficulty level id {level_id!r}; expected 101..105")


def complexity(stage_id: int, level_id: int) -> Complexity:
    """Return the complexity for a stage (1..7) and difficulty level (101..105)."""
    check_ids(stage_id, level_id)
    base, multiplier = _STAGES[stage_id]
    return Complexity(
        min_digits=base,
        max_digits=base + _LEVEL_DIGITS[level_id],
        count=math.floor(50 * multiplier),
        allow_negatives=stage_id >= 4 and level_id >= 103,
        allow_decimals=stage_id >= 6 and level_id >= 104,
        gentle=level_id == SEEDLING and base == 1,
    )
