"""Simulated learners practise Hatsu multiplication: random sets against adaptive sets.

Usage: python benchmarks/adaptive_sim.py [--learners 100] [--cap 20000]

Recall that lasts, a day and a week after a week of practice, is
benchmarks/memory_week.py's.

Each learner practises two sets a day (08:00 and 18:00) until the bot's fluency map of
the 64 facts (2..9 × 2..9) is full: every fact answered right within 3 s the last two
times. The same learner (same parameters, same random streams) does it twice: once with
today's random sets (generate_set) and once with adaptive sets (adaptive.build_set over
the bot's fact memory). Both use the same set engine (retries 3-5 later, bounded).

The learner model (per fact; time t in days since the fact was last practised):
  recall probability      p = exp(-t / S); a fact never practised is known beforehand
                          with probability `prior` (then S starts at 30 days)
  stability S             starts at S0; a right answer multiplies it by `growth`, a
                          wrong one (the learner reads the right answer) by 1.2
  recalled                answered right in r = fast_ms + extra_ms * decay^k ms (k =
                          right answers so far), times a log-normal factor (sigma 0.25)
  not recalled            computed: right with probability `compute` in 5-10 s, else
                          wrong in 3-8 s
Fast learners: S0 = 0.05 d, growth 3.0, prior 0.3, fast_ms 1200, extra 2500, decay 0.6,
compute 0.85. Slow learners: S0 = 0.02 d, growth 2.0, prior 0.1, fast_ms 1800,
extra 4000, decay 0.75, compute 0.65. Between answers 2 s pass (reading feedback).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
from dataclasses import dataclass, field

from dojobot.engine import practice_set
from dojobot.engine.adaptive import build_set
from dojobot.engine.facts import Fact, fact_of, map_space
from dojobot.engine.memory import DAY_MS, FactMemory, is_fluent, remember

PACE_MS = 3000
SET_TIMES_H = (8, 18)


@dataclass(frozen=True)
class Profile:
    """A learner's memory model parameters (see the module docstring)."""

    name: str
    s0_days: float
    growth: float
    prior: float
    fast_ms: float
    extra_ms: float
    decay: float
    compute: float


FAST = Profile("fast", 0.05, 3.0, 0.3, 1200, 2500, 0.6, 0.85)
SLOW = Profile("slow", 0.02, 2.0, 0.1, 1800, 4000, 0.75, 0.65)


@dataclass
class Trace:
    """The simulated mind's state of one fact."""

    stability: float
    last_ms: int | None = None
    rights: int = 0


@dataclass
class Learner:
    """One simulated learner: a profile and a random stream for its mind."""

    profile: Profile
    rng: random.Random
    mind: dict[Fact, Trace] = field(default_factory=dict)

    def answer(self, fact: Fact, now_ms: int) -> tuple[bool, int]:
        """(right, response ms) for one question."""
        p = self.profile
        trace = self.mind.get(fact)
        if trace is None:
            known = self.rng.random() < p.prior
            trace = Trace(stability=30.0 if known else p.s0_days, rights=2 if known else 0)
            self.mind[fact] = trace
            recall = 1.0 if known else 0.0
        else:
            days = (now_ms - (trace.last_ms or now_ms)) / DAY_MS
            recall = math.exp(-days / trace.stability)
        if self.rng.random() < recall:
            ms = (p.fast_ms + p.extra_ms * p.decay**trace.rights) * math.exp(
                self.rng.gauss(0, 0.25)
            )
            right = True
        elif self.rng.random() < p.compute:
            right, ms = True, self.rng.uniform(5000, 10000)
        else:
            right, ms = False, self.rng.uniform(3000, 8000)
        trace.stability *= p.growth if right else 1.2
        trace.rights += int(right)
        trace.last_ms = now_ms
        return right, int(ms)


def practise(profile: Profile, seed: int, adaptive: bool, cap: int) -> int:
    """Answers until the map is full (or `cap`)."""
    facts = map_space("mul", 1)
    assert facts is not None
    learner = Learner(profile, random.Random(seed))
    sets = random.Random(seed + 1)
    memory: dict[str, FactMemory] = {}
    answers = 0
    day = 0
    while answers < cap:
        for hour in SET_TIMES_H:
            now = day * DAY_MS + hour * 3_600_000
            set_seed = sets.randrange(2**31)
            plan = None
            if adaptive:
                chosen = build_set(
                    facts, memory, now_ms=now, pace_ms=PACE_MS, size=25, seed=set_seed
                )
                plan = tuple(f.problem for f in chosen)
            state = practice_set.start_set("mul", 1, 102, set_seed, plan=plan)
            while state.current is not None:
                fact = fact_of("mul", state.current.question)
                assert fact is not None
                right, ms = learner.answer(fact, now)
                now += ms + 2000
                memory[fact.key] = remember(
                    memory.get(fact.key, FactMemory()), right, ms, now, PACE_MS
                )
                state = practice_set.after_answer(state, right)
                answers += 1
                if all(f.key in memory and is_fluent(memory[f.key], PACE_MS) for f in facts):
                    return answers
        day += 1
    return cap


def quantiles(values: list[int]) -> str:
    """'median (p10-p90)'."""
    cuts = statistics.quantiles(values, n=10)
    return f"{statistics.median(values):,.0f} ({cuts[0]:,.0f}-{cuts[-1]:,.0f})"


def main() -> None:
    """Run both arms for every learner and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100, help="per profile")
    parser.add_argument("--cap", type=int, default=20_000)
    args = parser.parse_args()
    print("| learners | random sets: answers to a full map, median (p10-p90) | adaptive sets "
          "| adaptive/random per learner, median (p10-p90) | learners ≥30% fewer | capped |")
    print("| --- | --- | --- | --- | --- | --- |")
    everyone: list[float] = []
    for profile in (FAST, SLOW):
        randoms, adaptives, ratios = [], [], []
        for i in range(args.learners):
            seed = 1000 * i + (0 if profile is FAST else 7)
            r = practise(profile, seed, adaptive=False, cap=args.cap)
            a = practise(profile, seed, adaptive=True, cap=args.cap)
            randoms.append(r)
            adaptives.append(a)
            ratios.append(a / r)
        everyone.extend(ratios)
        ratio_cuts = statistics.quantiles(ratios, n=10)
        better = sum(r <= 0.7 for r in ratios)
        capped = sum(x >= args.cap for x in randoms + adaptives)
        print(
            f"| {args.learners} {profile.name} | {quantiles(randoms)} | {quantiles(adaptives)} "
            f"| {statistics.median(ratios):.2f} ({ratio_cuts[0]:.2f}-{ratio_cuts[-1]:.2f}) "
            f"| {better} of {args.learners} | {capped} |"
        )
    print(f"\nAll learners: median adaptive/random = {statistics.median(everyone):.2f} "
          f"({1 - statistics.median(everyone):.0%} fewer answers)")


if __name__ == "__main__":
    main()
