"""A simulated learner whose memory decays between days: the Multiscale Context Model.

Mozer, M. C., Pashler, H., Cepeda, N., Lindsey, R. & Vul, E. (2009). Predicting the optimal
spacing of study: a multiscale context model of memory. Advances in Neural Information
Processing Systems 22, 1321-1329.

A fact's memory is a cascade of N leaky integrators with time constants
tau_i = tau_1 * nu ** (i - 1) (here a minute up to half a year) and weights
gamma_i proportional to xi ** (i - 1). Between presentations each trace decays,
x_i <- x_i * exp(-dt / tau_i). A presentation (an answer with its feedback) raises each
trace by what the faster scales do not yet hold,
    x_i <- x_i + eps * (1 - s_i),    s_i = sum_{j<=i} gamma_j x_j / sum_{j<=i} gamma_j,
so a fact practised while still fresh (fast scales full) gains little on the slow scales
that last: the spacing effect, without a separate rule for it. The strength s_N is the
probability of recall.

The paper fits tau_1, nu, gamma and xi to each material's forgetting curve after a single
study; no fit exists for children's multiplication facts, so the values here are chosen
to give a plausible curve for them (recall after one presentation: 0.55 at once, about
0.2 a day later; a few spaced presentations keep it above 0.8 for days), and each child's
learning rate eps is drawn around 0.55. Answers come as in the ACT-R learner
(act_r_learner.respond), with the activation that gives the same recall probability.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from benchmarks.act_r_learner import DAY_S, TAU, Learner, S, respond

SCALES = 10
TAU_1_S = 60.0  # the fastest scale: a minute
NU = 4.0
XI = 1.0
WEIGHTS = [XI**i for i in range(SCALES)]
CUMULATIVE = [sum(WEIGHTS[: i + 1]) for i in range(SCALES)]
TIME_CONSTANTS = [TAU_1_S * NU**i for i in range(SCALES)]


def _activation(p: float) -> float:
    """The ACT-R activation with recall probability p (its latency follows from it)."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return TAU - S * math.log(1 / p - 1)


@dataclass
class Trace:
    """One fact's integrators and when they were last brought up to date (real s)."""

    levels: list[float]
    at_s: float


@dataclass
class MultiscaleMind(Learner):
    """One child's memory under the multiscale context model, on the real clock."""

    eps: float = 0.55
    traces: dict[str, Trace] = field(default_factory=dict)
    now_s: float = 0.0

    def advance(self, to_ms: int, *, in_session: bool) -> None:
        """Move the clock to `to_ms` (real time counts fully, in a set or not)."""
        del in_session
        self.now_s = max(self.now_s, to_ms / 1000)

    def _decayed(self, trace: Trace, at_s: float) -> list[float]:
        dt = max(0.0, at_s - trace.at_s)
        return [x * math.exp(-dt / tau)
                for x, tau in zip(trace.levels, TIME_CONSTANTS, strict=True)]

    def _study(self, trace: Trace) -> None:
        levels = self._decayed(trace, self.now_s)
        held = 0.0
        for i in range(SCALES):
            held += WEIGHTS[i] * levels[i]
            levels[i] += self.eps * (1 - held / CUMULATIVE[i])
        trace.levels, trace.at_s = levels, self.now_s

    def start(self, keys: list[str], at_ms: int) -> None:
        """Before any practice, which begins at `at_ms`: each fact known from before with
        probability `prior` (presentations 30 and 10 days back)."""
        self.now_s = at_ms / 1000
        for key in keys:
            trace = Trace([0.0] * SCALES, self.now_s - 30 * DAY_S)
            if self.rng.random() < self.prior:
                self.now_s -= 30 * DAY_S
                self._study(trace)
                self.now_s += 20 * DAY_S
                self._study(trace)
                self.now_s += 10 * DAY_S
            self.traces[key] = trace

    def _strength(self, key: str, at_s: float) -> float:
        trace = self.traces.get(key)
        if trace is None:
            return 0.0
        levels = self._decayed(trace, at_s)
        return min(1.0, sum(w * x for w, x in zip(WEIGHTS, levels, strict=True)) / CUMULATIVE[-1])

    def recall(self, key: str, at: float | None = None) -> float:
        """Probability of recall of a fact now (or at real time `at`, seconds)."""
        return self._strength(key, self.now_s if at is None else at)

    def answer(self, key: str) -> tuple[bool, int]:
        """(right, response ms) to a question, and the presentation it adds."""
        p = self.recall(key)
        answer = respond(self.rng, p, _activation(p), self.compute)
        trace = self.traces.setdefault(key, Trace([0.0] * SCALES, self.now_s))
        self._study(trace)
        return answer

    def mean_recall(self, keys: list[str], after_ms: int) -> float:
        """Mean recall over `keys`, `after_ms` of real time (no practice) from now."""
        at = self.now_s + after_ms / 1000
        return sum(self.recall(k, at) for k in keys) / len(keys)
