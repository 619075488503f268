"""Drawing operands of a given digit count from an explicit random.Random.

Digit count of an operand = its digits with sign, point and leading zeros removed,
so 7 has 1, 123 has 3, 1.25 has 3 and 0.5 has 1. One-digit operands come from a
caller-chosen floor up to 9 (1-9 for addition; 2-9 where 0 and 1 make dull problems).
"""

from __future__ import annotations

import random
from decimal import Decimal


def pick_digits(rng: random.Random, min_digits: int, max_digits: int) -> int:
    """Choose a digit count uniformly in [min_digits, max_digits]."""
    return rng.randint(min_digits, max_digits)


def whole(rng: random.Random, digits: int, floor: int = 0, top: int = 9) -> int:
    """A non-negative whole number with exactly `digits` digits (one digit: floor..top)."""
    if digits == 1:
        return rng.randint(floor, top)
    return rng.randint(10 ** (digits - 1), 10**digits - 1)


def decimal(rng: random.Random, digits: int, places: int) -> Decimal:
    """A positive decimal with `digits` digits and `places` places (capped at digits)."""
    # 0.05-style operands are unkind; with one digit we use one place (0.1..0.9)
    places = min(places, digits)
    mantissa = whole(rng, digits, floor=1)
    # a trailing zero would vanish in display (2.50 -> 2.5) and shrink the digit count
    while mantissa % 10 == 0:
        mantissa = whole(rng, digits, floor=1)
    return Decimal(mantissa).scaleb(-places)


def maybe_negate(rng: random.Random, value: Decimal, chance: float) -> Decimal:
    """Negate a non-zero value with the given chance (zero stays zero: no `-0`)."""
    if value != 0 and rng.random() < chance:
        return -value
    return value
