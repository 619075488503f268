"""One generator per topic; each returns (question text, exact answer).

Digit counts d are drawn uniformly from the complexity's [lo, hi] = [min_digits,
max_digits] (see operands.py for how digits are counted). What each topic does:

add, sub      two operands of d digits (one digit: 1..9). sub stays >= 0 until
              negatives are allowed
              (Ha+ at Bamboo+); then each operand is negative with chance 1/3.
              Decimals (1-2 places) only at Ku with Cedar+, so add/sub are whole
              numbers at Ri and the seed's `^-?\\d+ \\+ -?\\d+$` test holds there.
add_w_negatives, subtract_w_negatives
              like add/sub at every stage, operands never 0, and always at least
              one negative operand (first, second or both, equally likely).
mul           one factor of d digits, the other of lo..lo+(hi-lo)//2 digits (a kinder
              "n-digit by m-digit"); one-digit factors are 2..9 so 0 x n and 1 x n
              never flood. Where decimals are allowed (Ri+ at Cedar+) half the
              problems carry 1-2 decimal places in total, so products have <= 2.
div           divisor (lower-half digits, 2..9 at one digit) times quotient (d digits,
              2..9 at one digit) is the dividend: exact, never by 0 or 1. Where
              decimals are allowed half the quotients have 1-2 places.
mod           dividend of d digits (3..9 at one digit), divisor 2..min(dividend - 1,
              9/19/49 for lo = 1/2/3). Whole non-negative numbers only, so there are
              no sign conventions to learn.
exp           base^exponent, exponent 2..3 (Hatsu-Kan), 2..4 (Ha, Toi), 2..5 (Ri, Ku);
              base 2..5+5*hi for squares; for higher powers 2..2+3*hi, at most 10
              for cubes, 6 for 4th and 4 for 5th powers, so answers stay far below
              10^6. No negatives: -2^4 is ambiguous.
root          perfect squares with root 2..10*hi+2; from Ha on a third are cubes (root
              2..3+2*hi, cube-root sign); where decimals are allowed a third of the
              squares have a one-place root, as in the square root of 6.25.

Seedling at the one-digit stages (Hatsu-Kan) is gentle: every one-digit operand, base
and root is at most 5 (3 + 4, 4 × 5, 20 ÷ 4, 5^2, √25). Elsewhere it is Sapling's space.

Operators are rendered with the Unicode signs for times, divide, square and cube root.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from dojobot.engine.complexity import FINAL_STAGE, GENTLE_TOP, Complexity
from dojobot.engine.notation import format_number as fmt
from dojobot.engine.operands import decimal, maybe_negate, pick_digits, whole

Generated = tuple[str, Decimal]
Generator = Callable[[Complexity, int, random.Random], Generated]

NEGATIVE_CHANCE = 1 / 3

# Unicode operator signs, spelled as escapes so the source stays ASCII-unambiguous
TIMES = "\u00d7"
DIVIDE = "\u00f7"
SQUARE_ROOT = "\u221a"
CUBE_ROOT = "\u221b"


def _top(c: Complexity, top: int = 9) -> int:
    """The largest one-digit operand: GENTLE_TOP at a gentle (Seedling) level."""
    return min(top, GENTLE_TOP) if c.gentle else top


def _smaller_digits(rng: random.Random, c: Complexity) -> int:
    """Digits for the second factor/divisor: the lower half of the digit range."""
    return rng.randint(c.min_digits, c.min_digits + (c.max_digits - c.min_digits) // 2)


def _sum_operand(rng: random.Random, c: Complexity, stage_id: int, floor: int) -> Decimal:
    """An add/sub operand: whole below Ku, a 1-2 place decimal half the time at Ku."""
    digits = pick_digits(rng, c.min_digits, c.max_digits)
    if c.allow_decimals and stage_id == FINAL_STAGE and rng.random() < 0.5:
        return decimal(rng, digits, places=rng.randint(1, 2))
    return Decimal(whole(rng, digits, floor=floor, top=_top(c)))


def add(c: Complexity, stage_id: int, rng: random.Random) -> Generated:
    """a + b, negatives only where the complexity allows them."""
    chance = NEGATIVE_CHANCE if c.allow_negatives else 0.0
    # Single digits start at 1: `n + 0` teaches nothing and learners find it a waste.
    a = maybe_negate(rng, _sum_operand(rng, c, stage_id, 1), chance)
    b = maybe_negate(rng, _sum_operand(rng, c, stage_id, 1), chance)
    return f"{fmt(a)} + {fmt(b)}", a + b


def sub(c: Complexity, stage_id: int, rng: random.Random) -> Generated:
    """a - b, never below zero until negatives are allowed."""
    chance = NEGATIVE_CHANCE if c.allow_negatives else 0.0
    a = maybe_negate(rng, _sum_operand(rng, c, stage_id, 1), chance)
    b = maybe_negate(rng, _sum_operand(rng, c, stage_id, 1), chance)
    if not c.allow_negatives and a < b:
        a, b = b, a
    return f"{fmt(a)} - {fmt(b)}", a - b


def _with_negatives(c: Complexity, stage_id: int, rng: random.Random) -> tuple[Decimal, Decimal]:
    """Two non-zero operands, at least one of them negative."""
    a = _sum_operand(rng, c, stage_id, 1)
    b = _sum_operand(rng, c, stage_id, 1)
    pattern = rng.randrange(3)  # 0: first negative, 1: second, 2: both
    if pattern in (0, 2):
        a = -a
    if pattern in (1, 2):
        b = -b
    return a, b


def add_w_negatives(c: Complexity, stage_id: int, rng: random.Random) -> Generated:
    """a + b with at least one negative operand, at every stage."""
    a, b = _with_negatives(c, stage_id, rng)
    return f"{fmt(a)} + {fmt(b)}", a + b


def subtract_w_negatives(c: Complexity, stage_id: int, rng: random.Random) -> Generated:
    """a - b with at least one negative operand, at every stage."""
    a, b = _with_negatives(c, stage_id, rng)
    return f"{fmt(a)} - {fmt(b)}", a - b


def _factor(rng: random.Random, digits: int, places: int, top: int) -> Decimal:
    """A multiplication factor: 2..top at one digit, or a decimal with `places` places."""
    if places:
        return decimal(rng, digits, places)
    return Decimal(whole(rng, digits, floor=2, top=top))


def mul(c: Complexity, stage_id: int, rng: random.Random) -> Generated:
    """a times b; at most two decimal places in total so the product has at most two."""
    places_a, places_b = 0, 0
    if c.allow_decimals and rng.random() < 0.5:
        places_a, places_b = rng.choice(((1, 0), (2, 0), (1, 1)))
    a = _factor(rng, pick_digits(rng, c.min_digits, c.max_digits), places_a, _top(c))
    b = _factor(rng, _smaller_digits(rng, c), places_b, _top(c))
    if rng.random() < 0.5:
        a, b = b, a
    chance = NEGATIVE_CHANCE if c.allow_negatives else 0.0
    a, b = maybe_negate(rng, a, chance), maybe_negate(rng, b, chance)
    return f"{fmt(a)} {TIMES} {fmt(b)}", a * b


def div(c: Complexity, stage_id: int, rng: random.Random) -> Generated:
    """(b * q) / b = q, exact by construction; the divisor is a whole number >= 2."""
    divisor = Decimal(whole(rng, _smaller_digits(rng, c), floor=2, top=_top(c)))
    q_digits = pick_digits(rng, c.min_digits, c.max_digits)
    if c.allow_decimals and rng.random() < 0.5:
        quotient = decimal(rng, q_digits, places=rng.randint(1, 2))
    else:
        quotient = Decimal(whole(rng, q_digits, floor=2, top=_top(c)))
    chance = NEGATIVE_CHANCE if c.allow_negatives else 0.0
    divisor, quotient = maybe_negate(rng, divisor, chance), maybe_negate(rng, quotient, chance)
    return f"{fmt(divisor * quotient)} {DIVIDE} {fmt(divisor)}", quotient


_MOD_MAX_DIVISOR = {1: 9, 2: 19, 3: 49}


def mod(c: Complexity, stage_id: int, rng: random.Random) -> Generated:
    """a mod b with whole a >= 3 and 2 <= b < a, so it is never just `a mod a`."""
    a = whole(rng, pick_digits(rng, c.min_digits, c.max_digits), floor=3, top=_top(c))
    b = rng.randint(2, min(a - 1, _MOD_MAX_DIVISOR[c.min_digits]))
    return f"{a} mod {b}", Decimal(a % b)


def _exponents(stage_id: int) -> tuple[int, ...]:
    """Exponents offered at a stage: higher powers arrive later."""
    if stage_id <= 3:
        return (2, 3)
    if stage_id <= 5:
        return (2, 3, 4)
    return (2, 3, 4, 5)


# largest base per exponent (squares use the level-dependent cap instead)
_EXP_BASE_CAP = {3: 10, 4: 6, 5: 4}


def exp(c: Complexity, stage_id: int, rng: random.Random) -> Generated:
    """a^b with a small exponent and an answer below 10^6."""
    exponent = rng.choice(_exponents(stage_id))
    square_cap = 5 + 5 * c.max_digits
    # Cubes and up start small (2..5 at one digit): 9^3 is no first step for a beginner.
    cap = square_cap if exponent == 2 else min(2 + 3 * c.max_digits, _EXP_BASE_CAP[exponent])
    base = rng.randint(2, _top(c, cap))
    return f"{base}^{exponent}", Decimal(base**exponent)


def root(c: Complexity, stage_id: int, rng: random.Random) -> Generated:
    """Root of a perfect square, or of a perfect cube from Ha on; decimal squares if allowed."""
    roll = rng.random()
    if stage_id >= 4 and roll < 1 / 3:
        r = Decimal(rng.randint(2, 3 + 2 * c.max_digits))
        return f"{CUBE_ROOT}{fmt(r**3)}", r
    top = 10 * c.max_digits + 2
    if c.allow_decimals and roll > 2 / 3:
        tenths = rng.choice([m for m in range(11, top + 1) if m % 10])
        r = Decimal(tenths).scaleb(-1)
    else:
        r = Decimal(rng.randint(2, _top(c, top)))
    return f"{SQUARE_ROOT}{fmt(r * r)}", r


GENERATORS: dict[str, Generator] = {
    "add": add,
    "sub": sub,
    "mul": mul,
    "div": div,
    "mod": mod,
    "exp": exp,
    "root": root,
    "add_w_negatives": add_w_negatives,
    "subtract_w_negatives": subtract_w_negatives,
}
