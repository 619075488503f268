"""A crowded classroom: one learner floods /progress (a chart each) while others practise.

    .venv/bin/python -m benchmarks.crowded_classroom
    .venv/bin/python -m benchmarks.crowded_classroom --baseline-src /path/to/old/checkout/src

The bot is the real Application in a child process (answer_path.py's BotProcess, the
shipped 30 messages/s limit) against the Bot API stand-in. --practising learners answer
problems after a think time; each answer's latency runs from its enqueueing at the stand-in
to the arrival of the sendMessage carrying the next problem (one clock, the stand-in's).
After --quiet seconds of practice, one more learner (who has finished a set, so /progress
draws a chart) sends --burst /progress at once, again each time the last burst is answered,
for --flood seconds.

Reported per bot: the practising learners' p50/p99 quiet and during the flood, and how far
the response times the bot stored (attempt.response_ms) are from the true ones (the
problem's sendMessage at the stand-in -> the answer's enqueueing). With --baseline-src the
same run is made first with `dojobot` imported from that source tree (PYTHONPATH), so
before and after are measured minutes apart on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.answer_path import DEEP_LINKS, TOKEN, BotProcess
from benchmarks.common import percentile
from benchmarks.practising import Learner, Practising
from telegram_standin import ApiCall, BotApiStandIn

LIMIT = 30  # the shipped overall limit
FLOODER = 800_000


class Classroom(Practising):
    """The stand-in, the practising learners and the flooder."""

    def __init__(self, think: float, seed: int) -> None:
        super().__init__(BotApiStandIn(token=TOKEN), think, seed, ("quiet", "flood"))
        self.photos = 0
        self.photo_arrived = asyncio.Event()
        self.flooder: Learner | None = None

    async def start(self, practising: int) -> None:
        """Serve and create the learners."""
        await self.standin.start()
        self.standin.on_call = self._on_call
        for i in range(practising):
            user = await self.standin.user(900_000 + i, f"Practising {i}")
            self.learners[user.id] = Learner(user, DEEP_LINKS[i % len(DEEP_LINKS)])
        user = await self.standin.user(FLOODER, "Flooder")
        self.flooder = self.learners[user.id] = Learner(user, DEEP_LINKS[0])

    def _on_call(self, call: ApiCall) -> None:
        chat_id = call.params.get("chat_id")
        if call.method == "sendPhoto" and call.ok and chat_id == FLOODER:
            self.photos += 1
            self.photo_arrived.set()
            return
        self.saw(call)

    async def finish_a_set(self, learner: Learner) -> None:
        """Play one whole set quickly, so /progress has a chart to draw."""
        await self.say(learner, f"/start {learner.link}")
        while learner.question is not None:
            await self.answer(learner)

    async def flood(self, burst: int) -> int:
        """Bursts of /progress, each sent once the last one's charts have all arrived."""
        assert self.flooder is not None
        sent = 0
        while not self.stop.is_set():
            target = self.photos + burst
            for _ in range(burst):
                await self.standin.send_text(self.flooder.user, "/progress")
            sent += burst
            await self.photos_reach(target)
        return sent

    async def photos_reach(self, count: int) -> None:
        """Wait until the flooder has received `count` charts (or the run stops)."""
        while self.photos < count and not self.stop.is_set():
            self.photo_arrived.clear()
            await asyncio.wait_for(self.photo_arrived.wait(), 120)


def stored_vs_true(db: Path, learners: list[Learner]) -> dict[str, dict[str, float]]:
    """Per phase: how far the stored response times are from the true ones (ms)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    diffs: dict[str, list[float]] = {"quiet": [], "flood": []}
    for learner in learners:
        stored = [r for (r,) in conn.execute(
            "SELECT response_ms FROM attempt WHERE user_id = ? ORDER BY rowid",
            (learner.user.id,))]
        assert len(stored) == len(learner.true_ms), (len(stored), len(learner.true_ms))
        for (phase, true), got in zip(learner.true_ms, stored, strict=True):
            if phase in diffs:
                diffs[phase].append(got - true)
    conn.close()
    return {phase: {"answers": len(d), "median_signed_ms": round(percentile(d, 50), 1),
                    "abs_p99_ms": round(percentile([abs(x) for x in d], 99), 1),
                    "abs_max_ms": round(max((abs(x) for x in d), default=0), 1)}
            for phase, d in diffs.items()}


def latency(values: list[float]) -> dict[str, float]:
    """Count, p50, p99, max in ms."""
    return {"answers": len(values), "p50_ms": round(percentile(values, 50), 1),
            "p99_ms": round(percentile(values, 99), 1),
            "max_ms": round(max(values, default=float("nan")), 1)}


async def start_bot(base_url: str, db: Path, src: str | None) -> BotProcess:
    """The bot of this checkout, or of the source tree `src` (by PYTHONPATH), in a child
    process at the shipped limit, once it polls."""
    saved = os.environ.get("PYTHONPATH")
    if src:
        os.environ["PYTHONPATH"] = src
    try:
        bot = BotProcess("dojo", base_url, f"sqlite:///{db}", LIMIT)
    finally:
        if src:
            os.environ.pop("PYTHONPATH") if saved is None else os.environ.update(PYTHONPATH=saved)
    await bot.ready(timeout=60)
    return bot


def report(runs: list[dict[str, Any]], started: str, json_path: str | None) -> None:
    """Print the runs as JSON (and write them to `json_path`)."""
    text = json.dumps({"date": started, "cores": os.cpu_count(), "runs": runs}, indent=2)
    print(text)
    if json_path:
        Path(json_path).write_text(text)


async def one_run(args: argparse.Namespace, label: str, src: str | None) -> dict[str, Any]:
    """A fresh database and bot: quiet practice, then the flood."""
    workdir = Path(tempfile.mkdtemp(prefix=f"dojobot-crowd-{label}-"))
    db = workdir / "dojobot.sqlite3"
    room = Classroom(args.think, args.seed)
    await room.start(args.practising)
    bot = await start_bot(room.standin.base_url, db, src)
    assert room.flooder is not None
    await room.finish_a_set(room.flooder)
    # The first chart starts whatever the bot needs for charts (a worker, imports).
    await room.standin.send_text(room.flooder.user, "/progress")
    await room.photos_reach(1)
    practising = [lr for lr in room.learners.values() if lr is not room.flooder]
    tasks = [asyncio.create_task(room.practise(lr)) for lr in practising]
    await asyncio.sleep(3)
    room.phase = "quiet"
    await asyncio.sleep(args.quiet)
    room.phase = "flood"
    cpu0 = bot.cpu_seconds()
    flood = asyncio.create_task(room.flood(args.burst))
    await asyncio.sleep(args.flood)
    room.phase = "done"
    cpu1 = bot.cpu_seconds()
    room.stop.set()
    await asyncio.wait([*tasks, flood], timeout=120)
    code = await bot.stop()
    await room.standin.stop()
    return {
        "bot": label,
        "source": src or "this checkout",
        "latency_quiet": latency(room.latencies["quiet"]),
        "latency_flood": latency(room.latencies["flood"]),
        "p99_ratio": round(percentile(room.latencies["flood"], 99)
                           / percentile(room.latencies["quiet"], 99), 2),
        "stored_minus_true": stored_vs_true(db, practising),
        "progress_sent": flood.result() if flood.done() else None,
        "charts_during_flood": room.photos,
        "bot_cpu_share_flood": round((cpu1 - cpu0) / args.flood, 2),
        "exit_code": code,
    }


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Baseline (if asked) then this checkout, alternating --rounds times."""
    results = []
    for _ in range(args.rounds):
        if args.baseline_src:
            results.append(await one_run(args, "before", args.baseline_src))
        results.append(await one_run(args, "after", None))
    return results


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--practising", type=int, default=10)
    p.add_argument("--think", type=float, default=1.0, help="mean seconds before each answer")
    p.add_argument("--quiet", type=float, default=20.0)
    p.add_argument("--flood", type=float, default=20.0)
    p.add_argument("--burst", type=int, default=30, help="/progress sent at once")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--baseline-src", help="a source tree (its src/) to measure as 'before'")
    p.add_argument("--json", help="also write the report here")
    args = p.parse_args(argv)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    runs = asyncio.run(run(args))
    report(runs, started, args.json)
    for r in runs:
        print(f"{r['bot']}: p99 quiet {r['latency_quiet']['p99_ms']} ms, flood "
              f"{r['latency_flood']['p99_ms']} ms ({r['p99_ratio']}x); |stored-true| p99 "
              f"{r['stored_minus_true']['flood']['abs_p99_ms']} ms, max "
              f"{r['stored_minus_true']['flood']['abs_max_ms']} ms", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
