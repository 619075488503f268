"""The bot's FSRS arm of benchmarks/memory_week.py played through the real bot.

    .venv/bin/python -m benchmarks.memory_week_bot            # every model, same/varied times
    .venv/bin/python -m benchmarks.memory_week_bot --models act-r --times same --learners 2

The same simulated children (models, seeds, practice times) as memory_week.py, but each
set is the bot's: the real Application over HTTP against the Bot API stand-in, a fresh
SQLite file (the scheduler flag at 100% FSRS, as on a new database), a fake clock moved
by the child's response times. A child starts each set with the Sapling deep link of
Multiplication, reads each problem from the bot's message and answers it (right or wrong
as its memory says), until the bot says the set is complete. Printed per model and times:
the child's recall a day and a week after, beside memory_week.py's engine-driven FSRS arm
and offline FSRS for the same children. The bot draws its set seeds itself
(`secrets`), so its runs differ from the engine's by the order of problems.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
from pathlib import Path

from tests.support.clock import FakeClock
from tests.support.db import fetchall
from tests.support.dojo import Dojo, run_dojo
from tests.support.learner import QUESTION, solve

from benchmarks.memory_week import (
    MODELS,
    TIMES,
    WEEK_DAYS,
    WEEK_START_MS,
    children,
    practise_week,
)
from dojobot.engine.facts import fact_of, map_space
from dojobot.engine.memory import DAY_MS
from telegram_standin import BotApiStandIn, User

DEEP_LINK = "/start math-arithmetic-multiplication-d102"
READING_MS = 2000  # reading the feedback before answering the next problem


async def say(dojo: Dojo, child: User, text: str) -> str:
    """Send a text as the child; the bot's next message once it is idle again."""
    standin = dojo.standin
    await standin.send_text(child, text)
    message = await standin.next_message(child)
    await standin.settle(0.005)  # the bot has noted when its problem went out
    return message.plain_text


async def bot_week(dojo: Dojo, user_id: int, model: str, times: str, seed: int,
                   strength: float, days: int = WEEK_DAYS) -> tuple[float, float, int]:
    """(recall a day after, a week after, answers) of one child practising in the bot for
    `days` days."""
    facts = map_space("mul", 1)
    assert facts is not None
    keys = [f.key for f in facts]
    child = MODELS[model](seed, strength)
    child.start(keys, WEEK_START_MS)
    clock = random.Random(seed + 2)
    learner = await dojo.standin.user(user_id, f"Child {user_id}")
    answers = 0
    for day in range(days):
        for start in TIMES[times](day, clock):
            dojo.clock.now_ms = WEEK_START_MS + day * DAY_MS + start
            child.advance(dojo.clock(), in_session=False)
            text = await say(dojo, learner, DEEP_LINK)
            while "Set complete" not in text:
                question = QUESTION.search(text).group(3)  # type: ignore[union-attr]
                fact = fact_of("mul", question)
                assert fact is not None, question
                right, ms = child.answer(fact.key)
                dojo.clock.advance(ms)
                child.advance(dojo.clock(), in_session=True)
                value = solve(question)
                text = await say(dojo, learner, str(value if right else value + 1))
                answers += 1
                dojo.clock.advance(READING_MS)
                child.advance(dojo.clock(), in_session=True)
    arms = await fetchall(dojo.db, "SELECT DISTINCT scheduler_arm FROM session "
                                   "WHERE user_id = ?", (user_id,))
    assert [r[0] for r in arms] == ["fsrs"], arms
    return child.mean_recall(keys, DAY_MS), child.mean_recall(keys, 7 * DAY_MS), answers


async def report(model: str, times: str, learners: int) -> None:
    """One table: the bot's FSRS arm beside the engine's arms, for the same children."""
    group = children(learners)
    with tempfile.TemporaryDirectory(prefix="dojobot-memory-week-") as folder:
        async with BotApiStandIn() as standin, run_dojo(
            standin, Path(folder) / "dojobot.sqlite3", FakeClock(WEEK_START_MS - DAY_MS)
        ) as dojo:
            bot = [await bot_week(dojo, 9000 + i, model, times, seed, strength)
                   for i, (seed, strength) in enumerate(group)]
    rows = [("FSRS through the bot", bot)] + [
        (arm, [practise_week(arm, model, times, seed, b) for seed, b in group])
        for arm in ("fsrs", "offline-fsrs")
    ]
    print(f"\n{model}, {times} times:\n")
    print("| practice | a day after the week | a week later | answers per child "
          "| per child (a day / a week) |")
    print("| --- | --- | --- | --- | --- |")
    for name, runs in rows:
        per_child = " ".join(f"{r[0]:.3f}/{r[1]:.3f}" for r in runs)
        print(f"| {name} | {statistics.mean(r[0] for r in runs):.3f} "
              f"| {statistics.mean(r[1] for r in runs):.3f} "
              f"| {statistics.mean(r[2] for r in runs):.0f} | {per_child} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=4)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--times", default="same,varied")
    args = parser.parse_args()
    for model in args.models.split(","):
        for times in args.times.split(","):
            if model not in MODELS or times not in TIMES:
                parser.error(f"unknown model or times: {model}, {times}")
            asyncio.run(report(model, times, args.learners))


if __name__ == "__main__":
    main()
