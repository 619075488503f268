"""A simulated learner whose memory decays between days: the ACT-R spacing model.

Pavlik, P. I. & Anderson, J. R. (2005). Practice and forgetting effects on vocabulary
memory: an activation-based model of the spacing effect. Cognitive Science 29, 559-586.

Each presentation i of a fact (an answer with its feedback) leaves a trace. At time t the
fact's activation is
    m(t) = b + ln( sum_i (t - t_i) ** -d_i )
and each trace decays at a rate set by the activation when it was laid down,
    d_i = c * exp(m(t_i)) + a
so practice while a fact is still fresh (high activation) decays fast: the spacing effect.
Recall probability p = 1 / (1 + exp((tau - m) / s)). Time between practice sessions counts
as h of its length ("psychological time", the paper's h), time inside a set counts fully.
The paper's fitted values: c = 0.217, a = 0.177, tau = -0.704, s = 0.255, h = 0.025.

Answers: recalled with probability p, then right in F * exp(-m) + 0.8 s (ACT-R's latency,
plus typing), times a log-normal factor (sigma 0.25); not recalled, the learner works it
out (right in 5-10 s) with probability `compute`, else answers wrong in 3-8 s. Before
practice, a fact is known with probability `prior` (two traces, 30 and 10 days earlier).
Each learner has an intercept b (how well their memory holds), drawn per child.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

C, ALPHA, TAU, S, H = 0.217, 0.177, -0.704, 0.255, 0.025
LATENCY_F = 2.5  # seconds
DAY_S = 86_400.0


@dataclass
class Mind:
    """One child's memory: traces per fact on a psychological clock (seconds)."""

    rng: random.Random
    intercept: float = 0.0
    prior: float = 0.2
    compute: float = 0.75
    traces: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # (t, d)
    psych: float = 0.0  # the psychological clock, seconds
    real_ms: int = 0  # the real clock it was last advanced to

    def advance(self, to_ms: int, *, in_session: bool) -> None:
        """Move both clocks to `to_ms`; time between sets counts h of its length."""
        gap = max(0, to_ms - self.real_ms) / 1000
        self.psych += gap if in_session else gap * H
        self.real_ms = max(self.real_ms, to_ms)

    def start(self, keys: list[str]) -> None:
        """Before any practice: each fact known from before with probability `prior`."""
        for key in keys:
            traces: list[tuple[float, float]] = []
            if self.rng.random() < self.prior:  # two old traces, 30 and 10 days back
                for days in (30, 10):
                    t = self.psych - days * DAY_S * H
                    traces.append((t, C * math.exp(self._m(traces, t)) + ALPHA))
            self.traces[key] = traces

    def _m(self, traces: list[tuple[float, float]], at: float) -> float:
        total = sum(max(at - t, 1.0) ** -d for t, d in traces)
        return self.intercept + math.log(total) if total > 0 else -math.inf

    def recall(self, key: str, at: float | None = None) -> float:
        """Probability of recall of a fact now (or at psychological time `at`)."""
        traces = self.traces.get(key, [])
        m = self._m(traces, self.psych if at is None else at)
        if m == -math.inf:
            return 0.0
        return 1 / (1 + math.exp((TAU - m) / S))

    def answer(self, key: str) -> tuple[bool, int]:
        """(right, response ms) to a question, and the trace it leaves."""
        traces = self.traces.setdefault(key, [])
        m = self._m(traces, self.psych)
        p = self.recall(key)
        if self.rng.random() < p:
            seconds = (LATENCY_F * math.exp(-m) + 0.8) * math.exp(self.rng.gauss(0, 0.25))
            right = True
        elif self.rng.random() < self.compute:
            right, seconds = True, self.rng.uniform(5, 10)
        else:
            right, seconds = False, self.rng.uniform(3, 8)
        decay = C * math.exp(m) + ALPHA if m != -math.inf else ALPHA
        traces.append((self.psych, decay))
        return right, int(seconds * 1000)

    def mean_recall(self, keys: list[str], after_ms: int) -> float:
        """Mean recall over `keys`, `after_ms` of real time (no practice) from now."""
        at = self.psych + after_ms / 1000 * H
        return sum(self.recall(k, at) for k in keys) / len(keys)
