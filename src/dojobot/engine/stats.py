"""Practice statistics computed from the answers themselves.

Fixes the seed's getSessionStats, which averaged per-session medians and called the
result a median, and showed NaN accuracy for empty sessions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Answer:
    """One answered problem: right or wrong, and the response time in milliseconds."""

    correct: bool
    ms: int


@dataclass(frozen=True)
class Stats:
    """Summary of a run of answers; the averages are None when there are no answers."""

    reps: int
    correct: int
    accuracy: float | None
    mean_ms: float | None
    median_ms: float | None


def median(values: Sequence[float]) -> float | None:
    """True median (mean of the middle two for even counts); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def histogram_median(counts: list[tuple[int, int]]) -> float | None:
    """The true median of values given as sorted (value, how many) pairs (the mean of the
    middle two when the total is even); None for no values."""
    total = sum(n for _, n in counts)
    if total == 0:
        return None
    wanted = sorted({(total - 1) // 2, total // 2})  # 0-based positions of the middle
    found: list[float] = []
    seen = 0
    for value, n in counts:
        while wanted and wanted[0] < seen + n:
            found.append(float(value))
            wanted.pop(0)
        seen += n
    return sum(found) / len(found)


def summarize(answers: Iterable[Answer]) -> Stats:
    """Reps, correct count, accuracy, mean and median response time of the answers."""
    items = list(answers)
    if not items:
        return Stats(reps=0, correct=0, accuracy=None, mean_ms=None, median_ms=None)
    correct = sum(1 for answer in items if answer.correct)
    times = [answer.ms for answer in items]
    return Stats(
        reps=len(items),
        correct=correct,
        accuracy=correct / len(items),
        mean_ms=sum(times) / len(times),
        median_ms=median(times),
    )


def whole_percent(acc: float) -> int:
    """Accuracy as a whole percentage that never claims 100 or 0 unless it is exact."""
    percent = int((Decimal(str(acc)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    # 99.6% is not perfect and 0.4% is not nothing; don't let rounding claim otherwise
    if acc < 1:
        percent = min(percent, 99)
    if acc > 0:
        percent = max(percent, 1)
    return percent
