"""Learners who keep practising through the stand-in while a benchmark loads the bot: they
think, answer the problem on screen, and time each reply (the next problem or a set's end).

Also the driver the loaded-bot benchmarks (crowded_classroom, chat_flood, heavy_work) share:
the bot started from this checkout or a baseline source tree, the warm-up and quiet phase,
the comparison of stored and true response times, and the report."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.learner import solve

from benchmarks.answer_path import PROBLEM, BotProcess
from benchmarks.common import percentile
from benchmarks.pg_server import throwaway_postgres
from dojobot.storage.connect import open_url
from telegram_standin import ApiCall, BotApiStandIn, User

LIMIT = 30  # the shipped overall limit

# One run of a benchmark: (options, "before"/"after", a baseline's src or None, database URL).
OneRun = Callable[[argparse.Namespace, str, "str | None", str], Awaitable[dict[str, Any]]]


@dataclass
class Learner:
    """A learner: the problem on screen, when it arrived, and the answers' true times."""

    user: User
    link: str
    question: str | None = None
    shown_at: float = 0.0
    waiter: asyncio.Future[float] | None = None
    true_ms: list[tuple[str, float]] = field(default_factory=list)  # (phase, ms)


class Practising:
    """The practising learners and their reply latencies, per phase of the benchmark."""

    def __init__(
        self, standin: BotApiStandIn, think: float, seed: int, phases: tuple[str, ...]
    ) -> None:
        self.standin = standin
        self.think = think
        self.rng = random.Random(seed)
        self.learners: dict[int, Learner] = {}
        self.latencies: dict[str, list[float]] = {phase: [] for phase in phases}
        self.phase = "warmup"
        self.stop = asyncio.Event()

    def saw(self, call: ApiCall) -> None:
        """Note a reply that shows a learner a problem or ends their set."""
        chat_id = call.params.get("chat_id")
        learner = self.learners.get(chat_id) if isinstance(chat_id, int) else None
        if learner is None or call.method != "sendMessage" or not call.ok:
            return
        text = str(call.params.get("text", ""))
        match = PROBLEM.search(text)
        if not (match or "Set complete" in text):
            return
        learner.question = match.group(3) if match else None
        learner.shown_at = call.at
        if learner.waiter and not learner.waiter.done():
            learner.waiter.set_result(call.at)

    async def say(self, learner: Learner, text: str) -> float:
        """Send `text` as the learner; seconds until the bot's next problem or summary."""
        learner.waiter = asyncio.get_running_loop().create_future()
        sent = self.standin.clock()
        await self.standin.send_text(learner.user, text)
        return await asyncio.wait_for(learner.waiter, 120) - sent

    async def answer(self, learner: Learner) -> float:
        """Answer the problem on screen; the latency to the next problem, in seconds."""
        assert learner.question is not None
        learner.true_ms.append((self.phase, (self.standin.clock() - learner.shown_at) * 1000))
        return await self.say(learner, str(solve(html.unescape(learner.question))))

    async def practise(self, learner: Learner) -> None:
        """Think, answer, wait for the next problem; a new set when one ends (or none is
        on screen yet)."""
        if learner.question is None:
            await self.say(learner, f"/start {learner.link}")
        while not self.stop.is_set():
            await asyncio.sleep(self.rng.uniform(0.5, 1.5) * self.think)
            if learner.question is None:
                await self.say(learner, f"/start {learner.link}")
                continue
            phase = self.phase
            latency = await self.answer(learner)
            if phase == self.phase and phase in self.latencies:
                self.latencies[phase].append(latency * 1000)


@contextlib.asynccontextmanager
async def run_database(args: argparse.Namespace, workdir: Path) -> AsyncIterator[str]:
    """The database URL of one run: a new SQLite file in `workdir`, or with --database-url
    a throw-away database on that PostgreSQL server (dropped at the end)."""
    async with throwaway_postgres(args.database_url) as postgres_url:
        yield postgres_url or f"sqlite:///{workdir / 'dojobot.sqlite3'}"


def start_bot(standin: BotApiStandIn, database_url: str, src: str | None) -> BotProcess:
    """The real bot in a child process on the database at `database_url`, at the shipped
    limit; `dojobot` imported from the source tree `src` when given (a baseline), else from
    here."""
    saved = os.environ.get("PYTHONPATH")
    if src:
        os.environ["PYTHONPATH"] = src
    try:
        return BotProcess("dojo", standin.base_url, database_url, LIMIT)
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved


async def practise_through_quiet(
    room: Practising, learners: list[Learner], quiet: float
) -> list[asyncio.Task[None]]:
    """Set `learners` practising; after a 3 s warm-up (not measured), `quiet` seconds of the
    quiet phase. The tasks run on until room.stop is set."""
    tasks = [asyncio.create_task(room.practise(lr)) for lr in learners]
    await asyncio.sleep(3)
    room.phase = "quiet"
    await asyncio.sleep(quiet)
    return tasks


def latency(values: list[float]) -> dict[str, float]:
    """Count, p50, p99, max in ms."""
    return {"answers": len(values), "p50_ms": round(percentile(values, 50), 1),
            "p99_ms": round(percentile(values, 99), 1),
            "max_ms": round(max(values, default=float("nan")), 1)}


def quiet_vs_loaded(room: Practising, label: str, src: str | None, loaded: str) -> dict[str, Any]:
    """The start of a run's report: which bot, and its latencies quiet and in phase `loaded`."""
    return {
        "bot": label,
        "source": src or "this checkout",
        "latency_quiet": latency(room.latencies["quiet"]),
        f"latency_{loaded}": latency(room.latencies[loaded]),
        "p99_ratio": round(percentile(room.latencies[loaded], 99)
                           / percentile(room.latencies["quiet"], 99), 2),
    }


async def stored_vs_true(
    database_url: str, learners: list[Learner]
) -> dict[str, dict[str, float]]:
    """Per phase (quiet and flood): how far the stored response times are from the true
    ones (ms)."""
    diffs: dict[str, list[float]] = {"quiet": [], "flood": []}
    db = await open_url(database_url, create=False)
    try:
        async with db.read() as tx:
            for learner in learners:
                stored = [row[0] for row in await tx.fetchall(
                    "SELECT response_ms FROM attempt WHERE user_id = ? ORDER BY attempt_id",
                    (learner.user.id,))]
                assert len(stored) == len(learner.true_ms), (len(stored), len(learner.true_ms))
                for (phase, true), got in zip(learner.true_ms, stored, strict=True):
                    if phase in diffs:
                        diffs[phase].append(got - true)
    finally:
        await db.close()
    return {phase: {"answers": len(d), "median_signed_ms": round(percentile(d, 50), 1),
                    "abs_p99_ms": round(percentile([abs(x) for x in d], 99), 1),
                    "abs_max_ms": round(max((abs(x) for x in d), default=0), 1)}
            for phase, d in diffs.items()}


def loaded_bot_options(
    doc: str, *, practising: int, quiet: float, rounds: bool = True
) -> argparse.ArgumentParser:
    """The options every loaded-bot benchmark takes (how many learners practise, their
    pace, the quiet phase, the seed, a baseline, the JSON file); each adds its own load's."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--practising", type=int, default=practising)
    p.add_argument("--think", type=float, default=1.0, help="mean seconds before each answer")
    p.add_argument("--quiet", type=float, default=quiet)
    if rounds:
        p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--baseline-src", help="a source tree (its src/) to measure as 'before'")
    p.add_argument("--database-url", metavar="POSTGRESQL_URL",
                   help="run the bot on PostgreSQL: a throw-away database on this server")
    p.add_argument("--json", help="also write the report here")
    return p


def run_and_report(
    args: argparse.Namespace, one_run: OneRun, summary: Callable[[dict[str, Any]], str]
) -> int:
    """Baseline (if --baseline-src) then this checkout, alternating --rounds times (once
    where the benchmark has no --rounds), each on a database of its own; the report as
    JSON on stdout (and in --json), and `summary` of each run on stderr."""

    async def run(label: str, src: str | None) -> dict[str, Any]:
        workdir = Path(tempfile.mkdtemp(prefix=f"dojobot-{Path(sys.argv[0]).stem}-{label}-"))
        async with run_database(args, workdir) as database_url:
            return {**await one_run(args, label, src, database_url),
                    "database": "postgresql" if args.database_url else "sqlite"}

    async def runs() -> list[dict[str, Any]]:
        results = []
        for _ in range(getattr(args, "rounds", 1)):
            if args.baseline_src:
                results.append(await run("before", args.baseline_src))
            results.append(await run("after", None))
        return results

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    report: dict[str, Any] = {"date": started, "cores": os.cpu_count(),
                              "runs": asyncio.run(runs())}
    print(json.dumps(report, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    for r in report["runs"]:
        print(summary(r), file=sys.stderr)
    return 0
