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
import sys
from typing import Any

from benchmarks.answer_path import DEEP_LINKS, TOKEN
from benchmarks.practising import (
    Learner,
    Practising,
    loaded_bot_options,
    practise_through_quiet,
    quiet_vs_loaded,
    run_and_report,
    start_bot,
    stored_vs_true,
)
from telegram_standin import ApiCall, BotApiStandIn

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


async def one_run(
    args: argparse.Namespace, label: str, src: str | None, database_url: str
) -> dict[str, Any]:
    """A fresh database and bot: quiet practice, then the flood."""
    room = Classroom(args.think, args.seed)
    await room.start(args.practising)
    bot = start_bot(room.standin, database_url, src)
    await bot.ready(timeout=60)
    assert room.flooder is not None
    await room.finish_a_set(room.flooder)
    # The first chart starts whatever the bot needs for charts (a worker, imports).
    await room.standin.send_text(room.flooder.user, "/progress")
    await room.photos_reach(1)
    practising = [lr for lr in room.learners.values() if lr is not room.flooder]
    tasks = await practise_through_quiet(room, practising, args.quiet)
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
        **quiet_vs_loaded(room, label, src, "flood"),
        "stored_minus_true": await stored_vs_true(database_url, practising),
        "progress_sent": flood.result() if flood.done() else None,
        "charts_during_flood": room.photos,
        "bot_cpu_share_flood": round((cpu1 - cpu0) / args.flood, 2),
        "exit_code": code,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    p = loaded_bot_options(__doc__, practising=10, quiet=20.0)
    p.add_argument("--flood", type=float, default=20.0)
    p.add_argument("--burst", type=int, default=30, help="/progress sent at once")
    return run_and_report(p.parse_args(argv), one_run, summary)


def summary(r: dict[str, Any]) -> str:
    """One run in a line."""
    return (f"{r['bot']}: p99 quiet {r['latency_quiet']['p99_ms']} ms, flood "
            f"{r['latency_flood']['p99_ms']} ms ({r['p99_ratio']}x); |stored-true| p99 "
            f"{r['stored_minus_true']['flood']['abs_p99_ms']} ms, max "
            f"{r['stored_minus_true']['flood']['abs_max_ms']} ms")


if __name__ == "__main__":
    sys.exit(main())
