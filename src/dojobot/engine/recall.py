"""Next-day recall, the learning KPI of a scheduler experiment, and its confidence interval.

A review counts when it was asked at least NEXT_DAY_MS after the learner's previous answer
to the same fact: 20 hours, so a learner who practises a little earlier the next day still
counts, and repeats within one sitting (which test short-term memory) never do. It is
recalled when answered right within the learner's pace.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

NEXT_DAY_MS = 20 * 3600 * 1000
Z_95 = 1.959964  # the normal quantile of a two-sided 95% interval


@dataclass(frozen=True)
class Recall:
    """Reviews asked a day or more after the last answer, and how many were recalled."""

    reviews: int
    recalled: int

    @property
    def share(self) -> float | None:
        """recalled / reviews; None without reviews."""
        return self.recalled / self.reviews if self.reviews else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """The 95% Wilson score interval of the share; None without reviews."""
        return wilson_interval(self.recalled, self.reviews)


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (Wilson 1927): unlike p ± z·√(p(1−p)/n),
    it stays inside 0..1 and is honest for small n and for shares near 0 or 1."""
    if n == 0:
        return None
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)
