"""One chat with thousands of updates queued: other learners' replies and stored times.

    .venv/bin/python -m benchmarks.chat_flood
    .venv/bin/python -m benchmarks.chat_flood --baseline-src /path/to/old/checkout/src
    .venv/bin/python -m benchmarks.chat_flood --webhook

crowded_classroom.py's set-up (the real bot in a child process at the shipped 30
messages/s, the stand-in, --practising learners answering after a think time), but the
load is one chat sending --flood-updates /help at once (they reach the bot in getUpdates
batches of 100). python-telegram-bot's update semaphore (4,096 wide) once filled with
them: four other learners got their next reply after 95.6 s, and that wait was stored as
their response time. Reported: the practising learners' p50/p99 before and after the
flood starts (for --flood seconds), how far their stored response times are from the true
ones, what the flooding chat got (replies, the note that the rest was skipped), and how
long the flood took to come off Telegram's queue (drained_s: until what waits at the
stand-in is at most one update per practising learner).

With --webhook the bot is `dojobot run` in webhook mode: the stand-in POSTs each update,
as Telegram does, a chat's next once its last was answered.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.support.cli import free_port
from tests.support.learner import start_bot_process

from benchmarks.answer_path import BotProcess
from benchmarks.crowded_classroom import Classroom
from benchmarks.practising import (
    loaded_bot_options,
    practise_through_quiet,
    quiet_vs_loaded,
    run_and_report,
    start_bot,
    stored_vs_true,
)
from telegram_standin import BotApiStandIn


async def one_run(
    args: argparse.Namespace, label: str, src: str | None, database_url: str
) -> dict[str, Any]:
    """A fresh database and bot: quiet practice, then one chat's flood of /help."""
    room = Classroom(args.think, args.seed)
    await room.start(args.practising)
    bot: BotProcess | WebhookBot
    bot = (WebhookBot(room.standin, database_url) if args.webhook
           else start_bot(room.standin, database_url, src))
    await bot.ready(timeout=60)
    assert room.flooder is not None
    practising = [lr for lr in room.learners.values() if lr is not room.flooder]
    tasks = await practise_through_quiet(room, practising, args.quiet)
    room.phase = "flood"
    started = room.standin.clock()
    for _ in range(args.flood_updates):
        await room.standin.send_text(room.flooder.user, "/help")
    enqueued = room.standin.clock()
    drained = await drained_at(room, len(practising), started + args.flood)
    await asyncio.sleep(max(0.0, started + args.flood - room.standin.clock()))
    room.phase = "done"
    room.stop.set()
    await asyncio.wait(tasks, timeout=120)
    to_flooder = [m.plain_text for m in room.standin.messages(room.flooder.user.id)]
    try:
        code: int | str = await bot.stop()
    except subprocess.TimeoutExpired:  # a backlog of thousands of updates (the baseline)
        bot.proc.kill()
        code = "killed: not stopped 30 s after SIGTERM"
    await room.standin.stop()
    return {
        **quiet_vs_loaded(room, label, src, "flood"),
        "stored_minus_true": await stored_vs_true(database_url, practising),
        "enqueue_s": round(enqueued - started, 2),
        "drained_s": None if drained is None else round(drained - started, 2),
        "flooder_messages": len(to_flooder),
        "flooder_notes": sum(t.startswith("You're sending messages faster") for t in to_flooder),
        "exit_code": code,
    }


class WebhookBot:
    """`dojobot run` in webhook mode in a child process, at the shipped 30 messages/s: the
    stand-in POSTs each update (a chat's one after the other, as Telegram does)."""

    def __init__(self, standin: BotApiStandIn, database_url: str) -> None:
        self.standin = standin
        port = free_port()
        workdir = Path(tempfile.mkdtemp(prefix="dojobot-chatflood-webhook-"))
        self.proc = start_bot_process(
            standin, workdir / "unused.sqlite3", DOJOBOT_DATABASE_URL=database_url,
            DOJOBOT_MODE="webhook",
            DOJOBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
            DOJOBOT_WEBHOOK_LISTEN="127.0.0.1", DOJOBOT_WEBHOOK_PORT=str(port),
            DOJOBOT_WEBHOOK_SECRET_TOKEN="chat-flood-benchmark",
        )

    async def ready(self, timeout: float) -> None:  # noqa: ASYNC109
        """Wait until the bot has set its webhook."""
        deadline = time.monotonic() + timeout
        while not self.standin.calls_of("setWebhook"):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"webhook bot did not start (exit {self.proc.poll()})")
            await asyncio.sleep(0.05)

    async def stop(self) -> int:
        """SIGTERM, then wait for the bot's clean exit."""
        self.proc.send_signal(signal.SIGTERM)
        return await asyncio.to_thread(self.proc.wait, 30)


async def drained_at(room: Classroom, practising: int, deadline: float) -> float | None:
    """When the bot had taken the flood off Telegram's queue (what is left unconfirmed is
    at most one update of each practising learner), on the stand-in's clock; None if not
    by `deadline`."""
    while room.standin.clock() < deadline:
        if room.standin.updates_unconfirmed <= practising:
            return room.standin.clock()
        await asyncio.sleep(0.005)
    return None


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    p = loaded_bot_options(__doc__, practising=8, quiet=15.0, rounds=False)
    p.add_argument("--flood", type=float, default=20.0)
    p.add_argument("--flood-updates", type=int, default=6000)
    p.add_argument("--webhook", action="store_true",
                   help="the bot in webhook mode (`dojobot run` of this checkout), not polling")
    return run_and_report(p.parse_args(argv), one_run, summary)


def summary(r: dict[str, Any]) -> str:
    """One run in a line."""
    return (f"{r['bot']}: p99 quiet {r['latency_quiet']['p99_ms']} ms, flood "
            f"{r['latency_flood']['p99_ms']} ms ({r['p99_ratio']}x); |stored-true| max "
            f"{r['stored_minus_true']['flood']['abs_max_ms']} ms; flooder got "
            f"{r['flooder_messages']} messages; flood enqueued in {r['enqueue_s']} s, "
            f"drained after {r['drained_s']} s")


if __name__ == "__main__":
    sys.exit(main())
