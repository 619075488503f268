"""Memory that lasts: a simulated week of practice under several published memory models.

    .venv/bin/python -m benchmarks.memory_week                     # every model, same/varied
    .venv/bin/python -m benchmarks.memory_week --times back-to-back,early-late
    .venv/bin/python -m benchmarks.memory_week --models act-r --times same --learners 8

Children whose memory follows a published model practise Hatsu multiplication at Sapling
(the 64 facts 2..9 × 2..9), two sets a day for a week. Each arm drives the real engine
(adaptive.plan_set with the arm's memory, practice_set's in-set retries, the cards and
memories updated per answer by engine/cards.review and engine/memory.remember, as the bot
does):
  random        the seed's generated sets
  leitner       the bot's Leitner arm (adaptive.build_set)
  fsrs          the bot's FSRS arm (review_set.build_review_set over engine/cards.py)
  offline-fsrs  the fsrs library's own scheduler as Anki runs it: its due dates exact to
                the minute, learning steps of 1 and 10 minutes, the cards due now lowest
                recall first, new cards at 20 a day (10 a set)
  oracle        the 25 facts the model says are weakest: a bound no scheduler sees
Reported: the model's mean probability of recall over the 64 facts a day after the week's
last set and a week after it (no practice between).

Models (--models):
  act-r         Pavlik & Anderson 2005 (benchmarks/act_r_learner.py) with the paper's
                fitted values (c 0.217, a 0.177, h 0.025)
  act-r-forgetful  the same model forgetting more between days: h 0.05 (psychological time
                runs twice as fast away from practice), a 0.2, c 0.25 (stronger spacing
                effect), intercepts 0.4 higher so a week still teaches about as much
  multiscale    Mozer et al. 2009's multiscale context model
                (benchmarks/multiscale_learner.py)
Practice times (--times):
  same          08:00 and 18:00 every day
  varied        each child's first set between 07:00 and 11:00 and second between 15:00
                and 21:00, drawn per day
  back-to-back  18:00 and 18:20 (one sitting a day)
  early-late    07:00 and 22:00
Four children, fixed seeds (--learners N: the first N), each with their own memory
strength (ACT-R intercept, multiscale learning rate).
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from fsrs import Card, Rating, Scheduler

from benchmarks.act_r_learner import Mind
from benchmarks.multiscale_learner import MultiscaleMind
from dojobot.engine import cards as card_engine
from dojobot.engine import practice_set
from dojobot.engine.adaptive import FSRS, LEITNER, Memory, plan_set
from dojobot.engine.calendar import day_bounds
from dojobot.engine.facts import Fact, fact_of, map_space
from dojobot.engine.memory import DAY_MS, FactMemory, remember

PACE_MS = 3000
HOUR_MS = 3_600_000
WEEK_START_MS = int(datetime(2026, 1, 5, tzinfo=UTC).timestamp() * 1000)  # a Monday
WEEK_DAYS = 7
SET_SIZE = 25
ARMS = ("random", LEITNER, FSRS, "offline-fsrs", "oracle")
OFFLINE = Scheduler(enable_fuzzing=False)  # Anki's defaults: steps of 1 and 10 minutes
OFFLINE_NEW_PER_SET = 10


class Child(Protocol):
    """A simulated learner's memory (act_r_learner.Mind, multiscale_learner.MultiscaleMind)."""

    def start(self, keys: list[str], at_ms: int) -> None: ...
    def advance(self, to_ms: int, *, in_session: bool) -> None: ...
    def recall(self, key: str, at: float | None = None) -> float: ...
    def answer(self, key: str) -> tuple[bool, int]: ...
    def mean_recall(self, keys: list[str], after_ms: int) -> float: ...


def _act_r(seed: int, strength: float) -> Child:
    return Mind(random.Random(seed), intercept=strength)


def _act_r_forgetful(seed: int, strength: float) -> Child:
    return Mind(random.Random(seed), intercept=strength + 0.4, c=0.25, alpha=0.2, h=0.05)


def _multiscale(seed: int, strength: float) -> Child:
    return MultiscaleMind(random.Random(seed), eps=min(0.95, 0.55 + strength / 2))


MODELS: dict[str, Callable[[int, float], Child]] = {
    "act-r": _act_r, "act-r-forgetful": _act_r_forgetful, "multiscale": _multiscale,
}


def same_times(_day: int, _rng: random.Random) -> tuple[int, int]:
    """08:00 and 18:00, in hours after midnight."""
    return 8 * HOUR_MS, 18 * HOUR_MS


def varied_times(_day: int, rng: random.Random) -> tuple[int, int]:
    """A morning set between 07:00 and 11:00 and an evening one between 15:00 and 21:00."""
    return rng.randrange(7 * HOUR_MS, 11 * HOUR_MS), rng.randrange(15 * HOUR_MS, 21 * HOUR_MS)


def back_to_back(_day: int, _rng: random.Random) -> tuple[int, int]:
    """Both sets in one sitting: 18:00 and 18:20 (massed practice)."""
    return 18 * HOUR_MS, 18 * HOUR_MS + 20 * 60_000


def early_and_late(_day: int, _rng: random.Random) -> tuple[int, int]:
    """07:00 and 22:00: the longest day, the shortest night."""
    return 7 * HOUR_MS, 22 * HOUR_MS


TIMES: dict[str, Callable[[int, random.Random], tuple[int, int]]] = {
    "same": same_times, "varied": varied_times, "back-to-back": back_to_back,
    "early-late": early_and_late,
}


def offline_plan(facts: list[Fact], offline: dict[str, Card], now: int, size: int,
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


class Week:
    """One child's week of practice in one arm: the bot's memories and cards, the offline
    scheduler's cards, and the child's mind."""

    def __init__(self, arm: str, child: Child, seed: int) -> None:
        facts = map_space("mul", 1)
        assert facts is not None
        self.facts = list(facts)
        self.keys = [f.key for f in self.facts]
        self.arm = arm
        self.child = child
        self.child.start(self.keys, WEEK_START_MS)
        self.sets = random.Random(seed + 1)
        self.memories: dict[str, FactMemory] = {}
        self.cards: dict[str, card_engine.MemoryCard] = {}
        self.offline: dict[str, Card] = {}
        self.answers = 0

    def plan(self, now: int, set_seed: int) -> tuple | None:
        """The set's problems as the arm picks them (None: the seed's generated set)."""
        if self.arm in (LEITNER, FSRS):
            memory = Memory(self.arm, self.memories, self.cards, day_bounds(now, "UTC"))
            return plan_set("mul", 1, 102, set_seed, memory=memory, now_ms=now,
                            pace_ms=PACE_MS)
        if self.arm == "oracle":
            weakest = sorted(self.facts, key=lambda f: self.child.recall(f.key))[:SET_SIZE]
            return tuple(f.problem for f in weakest)
        if self.arm == "offline-fsrs":
            chosen = offline_plan(self.facts, self.offline, now, SET_SIZE,
                                  random.Random(set_seed))
            return tuple(f.problem for f in chosen)
        return None

    def keep(self, key: str, right: bool, ms: int, now: int) -> None:
        """What the bot and the offline scheduler remember of one answer."""
        self.memories[key] = remember(self.memories.get(key, FactMemory()), right, ms, now,
                                      PACE_MS)
        self.cards[key] = card_engine.review(self.cards.get(key), right, ms, now, PACE_MS)
        rating = card_engine.rate(right, ms, PACE_MS)
        moment = datetime.fromtimestamp(now / 1000, tz=UTC)
        self.offline[key] = OFFLINE.review_card(
            self.offline.get(key, Card(card_id=0)), Rating(rating), moment)[0]

    def practise_set(self, now: int) -> None:
        """One set from `now`."""
        self.child.advance(now, in_session=False)
        set_seed = self.sets.randrange(2**31)
        state = practice_set.start_set("mul", 1, 102, set_seed, plan=self.plan(now, set_seed))
        while state.current is not None:
            fact = fact_of("mul", state.current.question)
            assert fact is not None
            right, ms = self.child.answer(fact.key)
            now += ms
            self.child.advance(now, in_session=True)
            self.keep(fact.key, right, ms, now)
            state = practice_set.after_answer(state, right)
            self.answers += 1
            now += 2000  # reading the feedback
            self.child.advance(now, in_session=True)


def practise_week(arm: str, model: str, times: str, seed: int,
                  strength: float) -> tuple[float, float, int]:
    """(mean recall a day after, a week after, answers) for one child and arm."""
    week = Week(arm, MODELS[model](seed, strength), seed)
    clock = random.Random(seed + 2)
    for day in range(WEEK_DAYS):
        for start in TIMES[times](day, clock):
            week.practise_set(WEEK_START_MS + day * DAY_MS + start)
    # The child's clock stands at the end of the week's last set.
    return (week.child.mean_recall(week.keys, DAY_MS),
            week.child.mean_recall(week.keys, 7 * DAY_MS), week.answers)


def children(learners: int) -> list[tuple[int, float]]:
    """(seed, memory strength) of each child: the same children in every model."""
    return [(1000 * i + 11, random.Random(i).gauss(0, 0.3)) for i in range(learners)]


def report(model: str, times: str, learners: int) -> None:
    """Recall a day and a week after a week of practice, per arm (a Markdown table)."""
    print(f"\n{model}, {times} times:\n")
    print("| practice | a day after the week | a week later | answers per child "
          "| per child (a day / a week) |")
    print("| --- | --- | --- | --- | --- |")
    for arm in ARMS:
        runs = [practise_week(arm, model, times, seed, b) for seed, b in children(learners)]
        day = statistics.mean(r[0] for r in runs)
        week = statistics.mean(r[1] for r in runs)
        answers = statistics.mean(r[2] for r in runs)
        per_child = " ".join(f"{r[0]:.3f}/{r[1]:.3f}" for r in runs)
        print(f"| {arm} | {day:.3f} | {week:.3f} | {answers:.0f} | {per_child} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=4)
    parser.add_argument("--models", default=",".join(MODELS),
                        help=f"comma-separated, of {', '.join(MODELS)}")
    parser.add_argument("--times", default="same,varied",
                        help=f"comma-separated, of {', '.join(TIMES)}")
    args = parser.parse_args()
    for model in args.models.split(","):
        for times in args.times.split(","):
            if model not in MODELS or times not in TIMES:
                parser.error(f"unknown model or times: {model}, {times}")
            report(model, times, args.learners)


if __name__ == "__main__":
    main()
