"""A closed loop at Telegram's limit: learners who answer the moment a problem arrives.

    .venv/bin/python -m benchmarks.closed_loop                 # 20 learners, 40 s, 7 runs
    .venv/bin/python -m benchmarks.closed_loop --runs 1 --duration 20

The real bot in a child process (the shipped 30 messages/s) against a stand-in that
enforces Telegram's limits (a 429 past 30 a second). --learners learners start a set at
once and answer each problem as soon as it arrives, set after set, for --duration seconds:
together they ask for far more than 30 replies a second, so every reply waits its turn.
Strict lanes made a chat with more than 3 messages in a second wait for as long as any
other reply waited: in 3 of 7 runs of this loop, 1-4 learners got no reply for over 10 s,
early in their set. --busy learners open that way: a set and two /help just before the
others start.

Reported per run: replies, the answer-to-next-problem latency (p50, p99, max), answers
that waited over 10 s, and the fairness figure behind them: for each answer, how many
messages the bot sent to other chats between the answer's arrival at the stand-in and its
reply (with N learners sharing the second by turns, about N-1 a round), its largest value
and the learner it fell on; 429s from the stand-in.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.support.waiting import until

from benchmarks.answer_path import DEEP_LINKS, TOKEN
from benchmarks.common import percentile
from benchmarks.practising import Learner, Practising, start_bot
from telegram_standin import BotApiStandIn

USER_BASE = 700_000
STARVED_S = 10.0


class ClosedLoop(Practising):
    """Learners with no think time; every answer's send and reply times are kept."""

    def __init__(self, seed: int) -> None:
        standin = BotApiStandIn(token=TOKEN, enforce_rate_limits=True)
        super().__init__(standin, 0.0, seed, ("loop",))
        self.answers: list[tuple[int, float, float]] = []  # (user id, sent, replied)

    async def say(self, learner: Learner, text: str) -> float:
        """Practising.say, with the answer's send and reply times kept."""
        sent = self.standin.clock()
        waited = await super().say(learner, text)
        self.answers.append((learner.user.id, sent, sent + waited))
        return waited

    async def open_busily(self, learner: Learner) -> None:
        """Start a set and ask /help twice: three messages to the chat within a second, just
        before everyone starts (a busy chat, whose next reply is asked for among theirs)."""
        await self.standin.send_text(learner.user, f"/start {learner.link}")
        for _ in range(2):
            await self.standin.send_text(learner.user, "/help")
        await until(lambda: len(self.standin.messages(learner.user.id)) >= 3
                    and learner.question is not None, "the busy chat's three messages")

    def others_between(self) -> list[tuple[int, int]]:
        """Per answer: (its learner, messages sent to other chats before its reply)."""
        sends = [(c.at, c.params.get("chat_id")) for c in self.standin.calls
                 if c.method == "sendMessage" and c.ok]
        times = [at for at, _ in sends]
        counts = []
        for user, sent, replied in self.answers:
            start = bisect.bisect_right(times, sent)
            end = bisect.bisect_left(times, replied)
            counts.append((user, sum(1 for _, chat in sends[start:end] if chat != user)))
        return counts


async def one_run(args: argparse.Namespace, run: int) -> dict[str, Any]:
    """A fresh database and bot; the learners' loop for --duration seconds."""
    db = Path(tempfile.mkdtemp(prefix=f"dojobot-closedloop-{run}-")) / "dojobot.sqlite3"
    database_url = f"sqlite:///{db}"
    loop = ClosedLoop(args.seed + run)
    await loop.standin.start()
    loop.standin.on_call = loop.saw
    for i in range(args.learners):
        user = await loop.standin.user(USER_BASE + i, f"Looping {i}")
        loop.learners[user.id] = Learner(user, DEEP_LINKS[i % len(DEEP_LINKS)])
    bot = start_bot(loop.standin, database_url, args.baseline_src)
    await bot.ready(timeout=60)
    busy = list(loop.learners.values())[:args.busy]
    await asyncio.gather(*(loop.open_busily(learner) for learner in busy))
    loop.phase = "loop"
    tasks = [asyncio.create_task(loop.practise(lr)) for lr in loop.learners.values()]
    await asyncio.sleep(args.duration)
    loop.phase = "done"
    loop.stop.set()
    done, pending = await asyncio.wait(tasks, timeout=60)
    for task in pending:
        task.cancel()
    failed = [repr(t.exception()) for t in done if not t.cancelled() and t.exception()]
    code = await bot.stop()
    await loop.standin.stop()
    waits = [(replied - sent) * 1000 for _, sent, replied in loop.answers]
    between = loop.others_between()
    worst_user, worst = max(between, key=lambda b: b[1], default=(0, 0))
    return {
        "run": run,
        "replies": len(loop.answers),
        "replies_per_s": round(len(loop.answers) / args.duration, 1),
        "p50_ms": round(percentile(waits, 50), 1),
        "p99_ms": round(percentile(waits, 99), 1),
        "max_ms": round(max(waits, default=0.0), 1),
        f"waits_over_{STARVED_S:.0f}s": sum(w > STARVED_S * 1000 for w in waits),
        "learners_without_a_reply_at_the_end": len(pending),
        "learner_errors": failed,
        "others_between_p99": round(percentile([float(n) for _, n in between], 99), 1),
        "others_between_max": worst,
        "others_between_max_learner": worst_user,
        "rate_limited_429": loop.standin.stats.rate_limited,
        "exit_code": code,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: --runs runs, one after the other; JSON on stdout (and in --json)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--learners", type=int, default=20)
    p.add_argument("--duration", type=float, default=40.0)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--busy", type=int, default=2,
                   help="learners whose chat gets three messages in a second as all start")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--baseline-src", help="a source tree (its src/) to measure instead")
    p.add_argument("--json", help="also write the report here")
    args = p.parse_args(argv)

    async def runs() -> list[dict[str, Any]]:
        return [await one_run(args, run) for run in range(args.runs)]

    report = {"learners": args.learners, "duration_s": args.duration,
              "source": args.baseline_src or "this checkout", "runs": asyncio.run(runs())}
    print(json.dumps(report, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    for r in report["runs"]:
        print(f"run {r['run']}: {r['replies']} replies, p50 {r['p50_ms']} ms, p99 "
              f"{r['p99_ms']} ms, max {r['max_ms']} ms, over {STARVED_S:.0f} s: "
              f"{r[f'waits_over_{STARVED_S:.0f}s']}, others between max "
              f"{r['others_between_max']}, 429s {r['rate_limited_429']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
