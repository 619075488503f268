"""A learner's memory of one fact, and when to ask it again (Leitner boxes).

Fluent: answered right within the learner's threshold (3 s by default; 6 or 12 s by
choice, XtraMath's mastery rule) the last two times it was asked.

Spacing scheme: Leitner boxes with doubling intervals. A fact's box counts its recent
fluent answers in a row (right within the threshold):
  box 0   new, missed or slow   due at once (a weak fact)
  box 1   one fluent answer     due at once (asked again to confirm it)
  box 2+  fluent                due 1, 2, 4, 8, 16 days later (box 2, 3, 4, 5, 6+)
A miss sends the fact back to box 0; a right but slow answer keeps it at box 0.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

DAY_MS = 86_400_000
MAX_BOX = 6
PACES_S = (3, 6, 12)
DEFAULT_PACE_MS = 3_000


class Standing(StrEnum):
    """How a fact looks on the fluency map."""

    FLUENT = "fluent"
    SLOW = "slow"  # right last time, but slow or only once
    MISSED = "missed"  # missed the last time it was asked
    UNSEEN = "unseen"


@dataclass(frozen=True)
class FactMemory:
    """What one learner did with one fact; times in ms (epoch ms for moments)."""

    answers: int = 0
    correct: int = 0
    last_ms: int | None = None
    last_right: bool = False
    prev_ms: int | None = None
    prev_right: bool = False
    box: int = 0
    last_seen_at: int | None = None
    due_at: int = 0


def interval_ms(box: int) -> int:
    """Leitner interval for a box: none below 2, then 1, 2, 4, 8, 16 days."""
    if box < 2:
        return 0
    return DAY_MS * 2 ** (min(box, MAX_BOX) - 2)


def remember(memory: FactMemory, correct: bool, response_ms: int, now_ms: int,
             pace_ms: int) -> FactMemory:
    """The memory after one more answer to the fact."""
    fluent_answer = correct and response_ms <= pace_ms
    box = min(memory.box + 1, MAX_BOX) if fluent_answer else 0
    return replace(
        memory,
        answers=memory.answers + 1,
        correct=memory.correct + int(correct),
        prev_ms=memory.last_ms,
        prev_right=memory.last_right,
        last_ms=response_ms,
        last_right=correct,
        box=box,
        last_seen_at=now_ms,
        due_at=now_ms + interval_ms(box),
    )


def is_fluent(memory: FactMemory, pace_ms: int) -> bool:
    """Right within the threshold the last two times it was asked."""
    return (
        memory.last_right
        and memory.prev_right
        and memory.last_ms is not None
        and memory.prev_ms is not None
        and memory.last_ms <= pace_ms
        and memory.prev_ms <= pace_ms
    )


def standing(memory: FactMemory | None, pace_ms: int) -> Standing:
    """The fact's colour on the map."""
    if memory is None or memory.answers == 0:
        return Standing.UNSEEN
    if not memory.last_right:
        return Standing.MISSED
    return Standing.FLUENT if is_fluent(memory, pace_ms) else Standing.SLOW


def check_pace(seconds: int) -> int:
    """The threshold in ms for a pace of 3, 6 or 12 s; ValueError otherwise."""
    if seconds not in PACES_S:
        raise ValueError(f"pace must be one of {PACES_S}")
    return seconds * 1000
