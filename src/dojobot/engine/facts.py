"""Facts: the problems of a topic's space when that space is small enough to list.

A fact is one problem of an enumerable space, keyed like `mul 7 8` (topic code and the
two grid operands). A space is enumerable exactly when the stage and level give one-digit
operands with no negatives and no decimals: stages Hatsu, Shu and Kan (1-3) at Seedling
and Sapling (101-102). The bound is written down as MAX_FACTS = 400 (the largest space,
the negatives topics, has 243 facts); every larger space keeps the random generator.

The facts are exactly what the generator asks at those stages (see generators.py):

add       a + b, a and b in 1..9                                     81 facts
sub       a - b, 1 <= b <= a <= 9                                    45
mul       a × b, a and b in 2..9                                     64
div       (a·b) ÷ a, divisor a and quotient b in 2..9                64
mod       a mod b, 3 <= a <= 9, 2 <= b < a                           28
exp       b^e, e = 2 with b in 2..10, e = 3 with b in 2..5           13
root      √(r²), r in 2..12                                          11
add_w_negatives, subtract_w_negatives
          a ± b, a and b in -9..9 without 0, at least one negative  243 each

Seedling keeps to the gentle facts (both grid operands at most 5 in size, e.g. 4 × 5,
√25, 3^3); Sapling, the stage's standard level, has them all.

Grid coordinates (row, col) say where a fact sits on the fluency map: the two operands
for + − × (the divisor and the quotient for ÷), dividend and divisor for mod, exponent and
base for powers, and one row of roots.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from dojobot.engine.complexity import GENTLE_TOP, SAPLING, SEEDLING, check_ids
from dojobot.engine.generators import DIVIDE, SQUARE_ROOT, TIMES
from dojobot.engine.problems import TOPICS, Problem

MAX_FACTS = 400
ENUMERABLE_STAGES = (1, 2, 3)
STANDARD_LEVEL = SAPLING

@dataclass(frozen=True, order=True)
class Fact:
    """One problem of an enumerable space, at grid position (row, col)."""

    topic: str
    row: int
    col: int

    @property
    def key(self) -> str:
        """'mul 7 8': stored per learner, stable across releases."""
        return f"{self.topic} {self.row} {self.col}"

    @property
    def problem(self) -> Problem:
        """The question in the generator's notation and its answer."""
        question, answer = _render(self.topic, self.row, self.col)
        return Problem(question, Decimal(answer))

    @property
    def label(self) -> str:
        """The question, as a caption names the fact ('7 × 8')."""
        return self.problem.question

    @property
    def gentle(self) -> bool:
        """A Seedling fact: both grid operands at most GENTLE_TOP in size."""
        if self.topic == "root":
            return self.col <= GENTLE_TOP
        return abs(self.row) <= GENTLE_TOP and abs(self.col) <= GENTLE_TOP


def _render(topic: str, row: int, col: int) -> tuple[str, int]:
    """(question, answer) for a fact's grid operands."""
    match topic:
        case "add" | "add_w_negatives":
            return f"{row} + {col}", row + col
        case "sub" | "subtract_w_negatives":
            return f"{row} - {col}", row - col
        case "mul":
            return f"{row} {TIMES} {col}", row * col
        case "div":
            return f"{row * col} {DIVIDE} {row}", col
        case "mod":
            return f"{row} mod {col}", row % col
        case "exp":
            return f"{col}^{row}", col**row
        case "root":
            return f"{SQUARE_ROOT}{col * col}", col
    raise ValueError(f"unknown topic {topic!r}")


_DIGITS = range(1, 10)
_NONZERO = [n for n in range(-9, 10) if n]


@functools.cache
def _full_space(topic: str) -> tuple[Fact, ...]:
    """Every fact of a topic's one-digit space, in grid order."""
    pairs: list[tuple[int, int]]
    match topic:
        case "add":
            pairs = [(a, b) for a in _DIGITS for b in _DIGITS]
        case "sub":
            pairs = [(a, b) for a in _DIGITS for b in _DIGITS if b <= a]
        case "mul" | "div":
            pairs = [(a, b) for a in range(2, 10) for b in range(2, 10)]
        case "mod":
            pairs = [(a, b) for a in range(3, 10) for b in range(2, a)]
        case "exp":
            pairs = [(2, b) for b in range(2, 11)] + [(3, b) for b in range(2, 6)]
        case "root":
            pairs = [(1, r) for r in range(2, 13)]
        case "add_w_negatives" | "subtract_w_negatives":
            pairs = [(a, b) for a in _NONZERO for b in _NONZERO if a < 0 or b < 0]
        case _:
            raise ValueError(f"unknown topic {topic!r}")
    return tuple(Fact(topic, a, b) for a, b in pairs)


def is_enumerable(stage_id: int, level_id: int) -> bool:
    """True when the stage and level ask one-digit facts that facts.space lists."""
    check_ids(stage_id, level_id)
    return stage_id in ENUMERABLE_STAGES and level_id in (SEEDLING, SAPLING)


@functools.cache
def space(topic: str, stage_id: int, level_id: int) -> tuple[Fact, ...] | None:
    """The facts of a topic at a stage and level, or None where the space is too large."""
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")
    if not is_enumerable(stage_id, level_id):
        return None
    facts = _full_space(topic)
    if level_id == SEEDLING:
        facts = tuple(f for f in facts if f.gentle)
    assert len(facts) <= MAX_FACTS
    return facts


def map_space(topic: str, stage_id: int) -> tuple[Fact, ...] | None:
    """The facts the fluency map shows at a stage: its standard (Sapling) space."""
    return space(topic, stage_id, STANDARD_LEVEL)


@functools.cache
def _by_question() -> dict[tuple[str, str], Fact]:
    return {(f.topic, f.problem.question): f for t in TOPICS for f in _full_space(t)}


def fact_of(topic: str, question: str) -> Fact | None:
    """The fact a question asks, or None for a question outside every enumerable space."""
    return _by_question().get((topic, question))


def from_key(key: str) -> Fact | None:
    """Parse a stored key ('mul 7 8'); None unless it names a fact of a known space."""
    parts = key.split(" ")
    if len(parts) != 3 or parts[0] not in TOPICS:
        return None
    try:
        fact = Fact(parts[0], int(parts[1]), int(parts[2]))
    except ValueError:
        return None
    return fact if fact in _full_space(fact.topic) else None
