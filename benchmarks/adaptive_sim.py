"""Simulated learners practise Hatsu multiplication: random sets against adaptive sets.

Usage: python benchmarks/adaptive_sim.py [--learners 100] [--cap 20000]
       python benchmarks/adaptive_sim.py --week [--learners 4]

--week: memory that lasts (issue 22). Children whose memory follows the ACT-R spacing
model (benchmarks/act_r_learner.py, Pavlik & Anderson 2005) practise two sets a day
(08:00 and 18:00) for a week, each arm driving the real engine (adaptive.plan_set and
practice_set, retries included): random sets, Leitner (adaptive.build_set), FSRS
(review_set.build_review_set over engine/cards.py's cards) and, for reference, an
offline FSRS scheduler (the fsrs library's own due dates and learning steps, the cards
due now lowest recall first, new ones at 20 a day) and an oracle that always asks the
facts the model says are weakest. Reported: the model's mean recall of the
64 facts a day after the week's last set and a week after it.

Map mode (below, without --week):

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
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler

from benchmarks.act_r_learner import Mind
from dojobot.engine import cards as card_engine
from dojobot.engine import practice_set
from dojobot.engine.adaptive import FSRS, LEITNER, Memory, build_set, plan_set
from dojobot.engine.calendar import day_bounds
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


WEEK_START_MS = int(datetime(2026, 1, 5, tzinfo=UTC).timestamp() * 1000)  # a Monday
WEEK_DAYS = 7
ARMS = ("random", LEITNER, FSRS, "offline-fsrs", "oracle")
OFFLINE = Scheduler(enable_fuzzing=False)  # Anki's defaults: steps of 1 and 10 minutes
OFFLINE_NEW_PER_SET = 10


def _offline_plan(facts: list[Fact], offline: dict[str, Card], now: int, size: int,
                  rng: random.Random) -> tuple[Fact, ...]:
    """The offline scheduler's set: the cards its own due dates (exact, with learning
    steps) say are due now, lowest recall first; new cards at Anki's 20 a day (10 a set)
    kept free; then the lowest recall of the rest. Each fact once."""
    moment = datetime.fromtimestamp(now / 1000, tz=UTC)

    def recall(f: Fact) -> float:
        return OFFLINE.get_card_retrievability(offline[f.key], moment)

    seen = [f for f in facts if f.key in offline]
    new = [f for f in facts if f.key not in offline]
    rng.shuffle(new)
    due = sorted((f for f in seen if offline[f.key].due <= moment), key=recall)
    rest = sorted((f for f in seen if offline[f.key].due > moment), key=recall)
    fresh = min(len(new), OFFLINE_NEW_PER_SET)
    chosen = due[: size - fresh] + new[:fresh]
    return tuple((chosen + [f for f in new[fresh:] + rest + due if f not in chosen])[:size])


def practise_week(arm: str, seed: int, intercept: float) -> tuple[float, float, int]:
    """(mean recall a day after, a week after, answers) for one child and arm."""
    facts = map_space("mul", 1)
    assert facts is not None
    keys = [f.key for f in facts]
    mind = Mind(random.Random(seed), intercept=intercept)
    mind.start(keys)
    sets = random.Random(seed + 1)
    memories: dict[str, FactMemory] = {}
    cards: dict[str, card_engine.MemoryCard] = {}
    offline: dict[str, Card] = {}
    answers = 0
    now = WEEK_START_MS
    for day in range(WEEK_DAYS):
        for hour in SET_TIMES_H:
            now = WEEK_START_MS + day * DAY_MS + hour * 3_600_000
            mind.advance(now, in_session=False)
            set_seed = sets.randrange(2**31)
            plan = None
            if arm in (LEITNER, FSRS):
                memory = Memory(arm, memories, cards, day_bounds(now, "UTC"))
                plan = plan_set("mul", 1, 102, set_seed, memory=memory, now_ms=now,
                                pace_ms=PACE_MS)
            elif arm == "oracle":  # the model's weakest facts: a bound no scheduler sees
                weakest = sorted(facts, key=lambda f: mind.recall(f.key))[:25]
                plan = tuple(f.problem for f in weakest)
            elif arm == "offline-fsrs":
                chosen = _offline_plan(list(facts), offline, now, 25, random.Random(set_seed))
                plan = tuple(f.problem for f in chosen)
            state = practice_set.start_set("mul", 1, 102, set_seed, plan=plan)
            while state.current is not None:
                fact = fact_of("mul", state.current.question)
                assert fact is not None
                right, ms = mind.answer(fact.key)
                now += ms
                mind.advance(now, in_session=True)
                memories[fact.key] = remember(
                    memories.get(fact.key, FactMemory()), right, ms, now, PACE_MS
                )
                cards[fact.key] = card_engine.review(cards.get(fact.key), right, ms, now,
                                                     PACE_MS)
                moment = datetime.fromtimestamp(now / 1000, tz=UTC)
                rating = card_engine.rate(right, ms, PACE_MS)
                offline[fact.key] = OFFLINE.review_card(
                    offline.get(fact.key, Card(card_id=0)), Rating(rating), moment)[0]
                state = practice_set.after_answer(state, right)
                answers += 1
                now += 2000  # reading the feedback
                mind.advance(now, in_session=True)
    # `now` is the end of the week's last set.
    return mind.mean_recall(keys, DAY_MS), mind.mean_recall(keys, 7 * DAY_MS), answers


def week_report(learners: int) -> None:
    """Recall a day and a week after a week of practice, per arm (Markdown table)."""
    children = [(1000 * i + 11, random.Random(i).gauss(0, 0.3)) for i in range(learners)]
    print("| practice | a day after the week | a week later | answers per child "
          "| per child (a day / a week) |")
    print("| --- | --- | --- | --- | --- |")
    for arm in ARMS:
        runs = [practise_week(arm, seed, b) for seed, b in children]
        day = statistics.mean(r[0] for r in runs)
        week = statistics.mean(r[1] for r in runs)
        answers = statistics.mean(r[2] for r in runs)
        per_child = " ".join(f"{r[0]:.3f}/{r[1]:.3f}" for r in runs)
        print(f"| {arm} | {day:.3f} | {week:.3f} | {answers:.0f} | {per_child} |")


def quantiles(values: list[int]) -> str:
    """'median (p10-p90)'."""
    cuts = statistics.quantiles(values, n=10)
    return f"{statistics.median(values):,.0f} ({cuts[0]:,.0f}-{cuts[-1]:,.0f})"


def main() -> None:
    """Run both arms for every learner and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100, help="per profile")
    parser.add_argument("--cap", type=int, default=20_000)
    parser.add_argument("--week", action="store_true", help="recall after a week, per arm")
    args = parser.parse_args()
    if args.week:
        week_report(args.learners)
        return
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
