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
The paper's fitted values: c = 0.217, a = 0.177, tau = -0.704, s = 0.255, h = 0.025; other
settings are passed in (benchmarks/memory_week.py's models).

Answers (`respond`): recalled with probability p, then right in F * exp(-m) + 0.8 s
(ACT-R's latency, plus typing), times a log-normal factor (sigma 0.25); not recalled, the
learner works it out (right in 5-10 s) with probability `compute`, else answers wrong in
3-8 s. Before practice, a fact is known with probability `prior` (two traces, 30 and 10
days earlier). Each learner has an intercept b (how well their memory holds), drawn per
child.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

C, ALPHA, TAU, S, H = 0.217, 0.177, -0.704, 0.255, 0.025
LATENCY_F = 2.5  # seconds
DAY_S = 86_400.0


def respond(rng: random.Random, p: float, activation: float,
            compute: float) -> tuple[bool, int]:
    """(right, response ms) of a learner who recalls the fact with probability `p`, at
    ACT-R `activation` (which sets how fast a recalled answer comes)."""
    if rng.random() < p:
        seconds = (LATENCY_F * math.exp(-activation) + 0.8) * math.exp(rng.gauss(0, 0.25))
        return True, int(seconds * 1000)
    if rng.random() < compute:
        return True, int(rng.uniform(5, 10) * 1000)
    return False, int(rng.uniform(3, 8) * 1000)


@dataclass
class Learner:
    """What every simulated child has: a random stream, the share of facts known before
    practice, and the chance of working out a fact not recalled."""

    rng: random.Random
    prior: float = 0.2
    compute: float = 0.75


@dataclass
class Mind(Learner):
    """One child's memory: traces per fact on a psychological clock (seconds)."""

    intercept: float = 0.0
    c: float = C
    alpha: float = ALPHA
    h: float = H
    traces: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # (t, d)
    psych: float = 0.0  # the psychological clock, seconds
    real_ms: int = 0  # the real clock it was last advanced to

    def advance(self, to_ms: int, *, in_session: bool) -> None:
        """Move both clocks to `to_ms`; time between sets counts h of its length."""
        gap = max(0, to_ms - self.real_ms) / 1000
        self.psych += gap if in_session else gap * self.h
        self.real_ms = max(self.real_ms, to_ms)

    def start(self, keys: list[str], at_ms: int) -> None:
        """Before any practice, which begins at `at_ms`: each fact known from before with
        probability `prior`."""
        self.real_ms = at_ms  # the clocks start here: no psychological time before it
        for key in keys:
            traces: list[tuple[float, float]] = []
            if self.rng.random() < self.prior:  # two old traces, 30 and 10 days back
                for days in (30, 10):
                    t = self.psych - days * DAY_S * self.h
                    traces.append((t, self._decay(self._m(traces, t))))
            self.traces[key] = traces

    def _decay(self, m: float) -> float:
        return self.c * math.exp(m) + self.alpha if m != -math.inf else self.alpha

    def _m(self, traces: list[tuple[float, float]], at: float) -> float:
        total = sum(max(at - t, 1.0) ** -d for t, d in traces)
        return self.intercept + math.log(total) if total > 0 else -math.inf

    def _p(self, m: float) -> float:
        return 0.0 if m == -math.inf else 1 / (1 + math.exp((TAU - m) / S))

    def recall(self, key: str, at: float | None = None) -> float:
        """Probability of recall of a fact now (or at psychological time `at`)."""
        return self._p(self._m(self.traces.get(key, []), self.psych if at is None else at))

    def answer(self, key: str) -> tuple[bool, int]:
        """(right, response ms) to a question, and the trace it leaves."""
        traces = self.traces.setdefault(key, [])
        m = self._m(traces, self.psych)
        answer = respond(self.rng, self._p(m), m, self.compute)
        traces.append((self.psych, self._decay(m)))
        return answer

    def mean_recall(self, keys: list[str], after_ms: int) -> float:
        """Mean recall over `keys`, `after_ms` of real time (no practice) from now."""
        at = self.psych + after_ms / 1000 * self.h
        return sum(self.recall(k, at) for k in keys) / len(keys)
