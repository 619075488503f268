"""Answer path: DojoBot's practice loop against a bare echo bot, closed-loop learners.

    .venv/bin/python -m benchmarks.answer_path            # full run, about 4 minutes
    .venv/bin/python -m benchmarks.answer_path --quick    # about 40 s
    .venv/bin/python -m benchmarks.answer_path --profile  # py-spy DojoBot at N=50 -> SVG
    scripts/with-postgres sh -c '.venv/bin/python -m benchmarks.answer_path \
        --database-url "$DOJOBOT_TEST_POSTGRES_DSN"'         # DojoBot on PostgreSQL

The driver process holds the Bot API stand-ins (one per bot, on loopback) and plays N
learners, each answering as soon as its next problem arrives. Each bot runs in its own
child process, built with the same Application options (token, base_url,
Defaults(parse_mode=HTML), AIORateLimiter), so the bot's CPU time can be read from
/proc/<pid>/stat without counting the driver. Phases alternate DojoBot and echo for each N,
so drift of the machine hits both alike.

Latency is measured on one clock (the stand-in's time.monotonic): from the moment the
learner's answer is enqueued at the stand-in to the moment the stand-in receives the
sendMessage call carrying the reply (the next problem). For DojoBot every reply is also
checked against SQLite: when the reply arrives, the learner's attempt rows must already
count every answer it sent (committed before the reply).

With --database-url postgresql://..., DojoBot runs on a throw-away database created on that
server (and dropped at the end). The per-reply commit check needs a synchronous reader
inside the stand-in's hook and is SQLite's only; the whole run's accounting (answers sent =
replies = attempt rows) is checked on both. SQLite's work is in the bot's CPU (it runs in
the process); PostgreSQL's runs in the server's processes, so with a server on this
machine their CPU over each phase is read too (benchmarks/pg_server.py) and reported per
answer beside the bot's: the sum is what an answer costs on each engine. The echo phases
read it as well: the server's background work (autovacuum, checkpoints) while idle.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.support.learner import solve

from benchmarks.common import percentile
from benchmarks.pg_server import postmaster_pid, server_cpu_seconds, throwaway_postgres
from telegram_standin import ApiCall, BotApiStandIn, User

ROOT = Path(__file__).resolve().parents[1]  # where `python -m benchmarks.…` runs
TOKEN = "123456:BENCH-TOKEN"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Deep links that start a set directly; learners rotate over these topics at Seedling.
DEEP_LINKS = (
    "math-arithmetic-addition-d101",
    "math-arithmetic-subtraction-d101",
    "math-arithmetic-multiplication-d101",
    "math-arithmetic-division-d101",
)
PROBLEM = re.compile(r"Problem (\d+) of (\d+)\n<b>(.+?)</b>")
WRONG_RATE = 0.08  # a few wrong answers exercise the retry path, as real learners would
USER_BASE = 10_000


# ----------------------------------------------------------------------------- child bots


def _echo_application(base_url: str, rate: int) -> Any:
    """A bot that does nothing but reply, built with DojoBot's Application options."""
    from telegram import Update
    from telegram.constants import ParseMode
    from telegram.ext import AIORateLimiter, Application, Defaults, MessageHandler, filters

    from dojobot.app import file_url_for

    async def echo(update: Update, context: Any) -> None:
        message = update.effective_message
        assert message is not None
        assert message.text is not None
        await message.reply_text(html.escape(message.text))

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(base_url)
        .base_file_url(file_url_for(base_url))
        .defaults(Defaults(parse_mode=ParseMode.HTML, disable_notification=False))
        .rate_limiter(AIORateLimiter(overall_max_rate=rate, max_retries=3))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


def _dojo_application(
    base_url: str, database_url: str, rate: int, web_port: int | None = None
) -> Any:
    from dojobot.app import build_application
    from dojobot.config import load_settings

    # The Mini App too (benchmarks/webapp.py), whose learners answer as fast as replies
    # come: past each learner's bounds, which would answer them 429.
    web = {} if web_port is None else {
        "web_port": web_port, "web_app_url": f"http://127.0.0.1:{web_port}",
        "web_limits": False}
    settings = load_settings(
        bot_token=TOKEN,
        api_base_url=base_url,
        database_url=database_url,
        max_messages_per_second=rate,
        **web,
    )
    return build_application(settings)


async def _child_main(
    kind: str, base_url: str, database_url: str, rate: int, web_port: int | None = None
) -> None:
    import logging

    from dojobot.transport.lifecycle import running

    # As `dojobot run` does: INFO for the bot, request logs of httpx off.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if kind == "dojo":
        app = _dojo_application(base_url, database_url, rate, web_port)
    else:
        app = _echo_application(base_url, rate)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with running(app):
        print("ready", flush=True)
        await stop.wait()


class BotProcess:
    """A bot in a child process, with its CPU time read from /proc."""

    def __init__(
        self, kind: str, base_url: str, database_url: str, rate: int,
        web_port: int | None = None,
    ) -> None:
        self.kind = kind
        web = [] if web_port is None else ["--web-port", str(web_port)]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.answer_path", "--child", kind, "--base-url",
             base_url, "--db", database_url, "--rate", str(rate), *web],
            stdout=subprocess.PIPE,
            cwd=ROOT,
            text=True,
        )

    async def ready(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait for the child's 'ready' line (it is polling by then)."""
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(self.proc.stdout.readline), timeout)
        if line.strip() != "ready":
            raise RuntimeError(f"{self.kind} bot did not start (exit {self.proc.poll()})")

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.proc.pid

    def cpu_seconds(self) -> float:
        """User + system CPU of the whole bot process (all threads) so far."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def peak_rss_mb(self) -> float:
        """The child's peak resident memory."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    async def stop(self) -> int:
        """SIGTERM, then wait for a clean shutdown."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return await asyncio.to_thread(self.proc.wait, 30)


# ----------------------------------------------------------------------------- learners


@dataclass
class Learner:
    """One simulated learner: what it was asked, what it sent, what it waits for."""

    user: User
    deep_link: str
    question: str | None = None
    answers_sent: int = 0
    replies: int = 0
    waiter: asyncio.Future[tuple[float, str]] | None = None
    kind: str = "answer"  # what the outstanding message is: an answer or a set restart
    # Whether the outstanding message was sent inside the measured window: its reply and
    # every API call it causes are counted together, or neither is.
    counted: bool = False


@dataclass
class PhaseResult:
    """One measured phase of one bot at one N."""

    bot: str
    n: int
    seconds: float
    replies: int  # replies within the measured window (throughput)
    processed: int  # replies within the window and the drain after it (CPU and calls)
    lost: int
    bot_cpu_s: float
    db_cpu_s: float  # the PostgreSQL server's processes (0 on SQLite: it runs in the bot)
    driver_cpu_s: float
    api_calls_for_answers: int
    api_calls_for_restarts: int
    restarts: int
    not_committed: int
    checked_commits: int
    latencies_ms: list[float] = field(repr=False)


class Bench:
    """Two stand-ins, two bot processes, and the learners that drive them (`kinds`: the
    bots to start; `web_port`: DojoBot also serves its Mini App there)."""

    def __init__(
        self, workdir: Path, seed: int, verify_every: int, rate: int, postgres_url: str | None,
        kinds: tuple[str, ...] = ("dojo", "echo"), web_port: int | None = None,
    ) -> None:
        self.kinds = kinds
        self.web_port = web_port
        self.workdir = workdir
        self.rate = rate
        self.rng = random.Random(seed)
        self.verify_every = verify_every
        self.standins: dict[str, BotApiStandIn] = {}
        self.bots: dict[str, BotProcess] = {}
        self.learners: dict[str, dict[int, Learner]] = {"dojo": {}, "echo": {}}
        self.db_path = str(workdir / "dojobot.sqlite3")
        self.postgres_url = postgres_url  # a throw-away database on the server, or None
        self.database_url = postgres_url or f"sqlite:///{self.db_path}"
        self.reader: sqlite3.Connection | None = None
        self.postmaster: int | None = None  # the PostgreSQL server, for its CPU time
        self.recording = False
        self.counters: dict[str, int] = {}
        self.latencies: list[float] = []
        self.phase_bot = ""

    async def start(self) -> None:
        """Start both stand-ins and both bots."""
        for kind in self.kinds:
            standin = BotApiStandIn(token=TOKEN)
            await standin.start()
            standin.on_call = lambda call, k=kind: self._on_call(k, call)
            self.standins[kind] = standin
            self.bots[kind] = BotProcess(kind, standin.base_url, self.database_url, self.rate,
                                         self.web_port if kind == "dojo" else None)
        await asyncio.gather(*(b.ready() for b in self.bots.values()))
        if self.postgres_url is None:
            self.reader = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
            self.reader.execute("PRAGMA busy_timeout = 5000")
        else:
            self.postmaster = await postmaster_pid(self.postgres_url)

    def db_cpu_seconds(self) -> float:
        """The PostgreSQL server's CPU so far (0 on SQLite)."""
        return 0.0 if self.postmaster is None else server_cpu_seconds(self.postmaster)

    async def stop(self) -> dict[str, int]:
        """Stop the bots and the stand-ins; returns their exit codes."""
        codes = {k: await b.stop() for k, b in self.bots.items()}
        for standin in self.standins.values():
            await standin.stop()
        return codes

    # -- the stand-in hook: runs inside the stand-in for every answered Bot API call

    def _on_call(self, bot: str, call: ApiCall) -> None:
        chat_id = call.params.get("chat_id")
        learner = self.learners[bot].get(chat_id) if isinstance(chat_id, int) else None
        if learner is None:
            return
        if learner.counted:
            key = "calls_answer" if learner.kind == "answer" else "calls_restart"
            self.counters[key] = self.counters.get(key, 0) + 1
        if call.method != "sendMessage" or not call.ok:
            return
        text = str(call.params.get("text", ""))
        waiter = learner.waiter
        if waiter is None or waiter.done():
            return  # e.g. a stage celebration after the reply that carried the problem
        if bot == "dojo" and not (PROBLEM.search(text) or "Set complete" in text):
            return
        if bot == "dojo" and learner.kind == "answer":
            self._check_committed(learner)
        waiter.set_result((call.at, text))

    def _check_committed(self, learner: Learner) -> None:
        """The reply is being sent: every answer of this learner must be in SQLite."""
        if self.reader is None or self.verify_every <= 0 or (
            learner.answers_sent % self.verify_every
        ):
            return
        (count,) = self.reader.execute(
            "SELECT count(*) FROM attempt WHERE user_id = ?", (learner.user.id,)
        ).fetchone()
        self.counters["checked"] = self.counters.get("checked", 0) + 1
        if count != learner.answers_sent:
            self.counters["not_committed"] = self.counters.get("not_committed", 0) + 1

    # -- learners

    async def _send(self, bot: str, learner: Learner, text: str, kind: str) -> tuple[float, str]:
        standin = self.standins[bot]
        loop = asyncio.get_running_loop()
        learner.waiter = loop.create_future()
        learner.kind = kind
        learner.counted = self.recording and bot == self.phase_bot
        if kind == "answer":
            learner.answers_sent += 1
        sent_at = standin.clock()
        await standin.send_text(learner.user, text)
        at, reply = await learner.waiter
        if kind == "answer":
            learner.replies += 1
        return at - sent_at, reply

    async def _ensure_learners(self, bot: str, n: int) -> None:
        """Create learners up to n; DojoBot's learners open a set by deep link."""
        learners = self.learners[bot]

        async def prime(index: int) -> None:
            user_id = USER_BASE + index
            user = await self.standins[bot].user(user_id, f"Learner {index}")
            learner = Learner(user, DEEP_LINKS[index % len(DEEP_LINKS)])
            learners[user_id] = learner
            if bot == "dojo":
                _, reply = await asyncio.wait_for(
                    self._send(bot, learner, f"/start {learner.deep_link}", "restart"), 30
                )
                learner.question = self._question(reply)

        await asyncio.gather(*(prime(i) for i in range(len(learners), n)))

    @staticmethod
    def _question(reply: str) -> str | None:
        match = PROBLEM.search(reply)
        return html.unescape(match.group(3)) if match else None

    def _answer_text(self, bot: str, learner: Learner) -> str:
        if bot == "echo" or learner.question is None:
            return str(self.rng.randint(0, 200))
        value = solve(learner.question)
        if self.rng.random() < WRONG_RATE:
            value += 1
        return str(value)

    async def _loop(self, bot: str, learner: Learner, until: asyncio.Event) -> None:
        """Closed loop: answer, wait for the next problem, answer again."""
        while not until.is_set():
            text = self._answer_text(bot, learner)
            latency, reply = await self._send(bot, learner, text, "answer")
            if learner.counted:
                self.counters["replies"] = self.counters.get("replies", 0) + 1
                self.latencies.append(latency * 1000)
            learner.question = self._question(reply)
            if bot == "dojo" and learner.question is None:  # the set is complete: next set
                if learner.counted:
                    self.counters["restarts"] = self.counters.get("restarts", 0) + 1
                _, reply = await self._send(bot, learner, f"/start {learner.deep_link}", "restart")
                learner.question = self._question(reply)

    async def phase(self, bot: str, n: int, seconds: float, warmup: float) -> PhaseResult:
        """Run n learners against one bot: warm up, measure, then drain and account."""
        await self._ensure_learners(bot, n)
        group = list(self.learners[bot].values())[:n]
        until = asyncio.Event()
        tasks = [asyncio.create_task(self._loop(bot, lr, until)) for lr in group]
        await asyncio.sleep(warmup)
        self.phase_bot = bot
        self.counters = {}
        self.latencies = []
        cpu0 = self.bots[bot].cpu_seconds()
        db0 = self.db_cpu_seconds()
        drv0 = time.process_time()
        t0 = time.monotonic()
        self.recording = True
        await asyncio.sleep(seconds)
        until.set()
        elapsed = time.monotonic() - t0
        replies_in_window = self.counters.get("replies", 0)
        # Drain: every learner finishes its outstanding message; none may be lost.
        done, pending = await asyncio.wait(tasks, timeout=15)
        self.recording = False
        cpu1 = self.bots[bot].cpu_seconds()
        db1 = self.db_cpu_seconds()
        drv1 = time.process_time()
        for task in pending:
            task.cancel()
        lost = len(pending)
        for task in done:
            task.result()
        processed = self.counters.get("replies", 0)
        return PhaseResult(
            bot=bot,
            n=n,
            seconds=elapsed,
            replies=replies_in_window,
            processed=processed,
            lost=lost,
            bot_cpu_s=cpu1 - cpu0,
            db_cpu_s=db1 - db0,
            driver_cpu_s=drv1 - drv0,
            api_calls_for_answers=self.counters.get("calls_answer", 0),
            api_calls_for_restarts=self.counters.get("calls_restart", 0),
            restarts=self.counters.get("restarts", 0),
            not_committed=self.counters.get("not_committed", 0),
            checked_commits=self.counters.get("checked", 0),
            latencies_ms=list(self.latencies),
        )

    async def attempt_rows(self) -> int:
        """Every attempt the bot recorded."""
        if self.reader is not None:
            (rows,) = self.reader.execute("SELECT count(*) FROM attempt").fetchone()
            self.reader.close()
            return int(rows)
        import asyncpg

        conn = await asyncpg.connect(self.postgres_url)
        try:
            return int(await conn.fetchval("SELECT count(*) FROM attempt"))
        finally:
            await conn.close()

    def accounting(self, attempt_rows: int) -> dict[str, dict[str, int]]:
        """Whole-run totals per bot: answers sent, replies received, attempt rows."""
        out: dict[str, dict[str, int]] = {}
        for bot, learners in self.learners.items():
            out[bot] = {
                "answers_sent": sum(lr.answers_sent for lr in learners.values()),
                "replies": sum(lr.replies for lr in learners.values()),
            }
        out["dojo"]["attempt_rows"] = attempt_rows
        return out


# ----------------------------------------------------------------------------- reporting


@dataclass
class Summary:
    """All phases of one bot at one N, merged."""

    bot: str
    n: int
    seconds: float
    replies: int
    answers_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    cpu_ms_per_answer: float
    db_cpu_ms_per_answer: float
    api_calls_per_answer: float
    api_calls_per_restart: float
    restarts: int
    processed: int
    lost: int
    not_committed: int
    checked_commits: int
    driver_cpu_share: float


def summarize(phases: list[PhaseResult]) -> Summary:
    """Merge the rounds of one bot and N."""
    lat = [x for p in phases for x in p.latencies_ms]
    seconds = sum(p.seconds for p in phases)
    replies = sum(p.replies for p in phases)
    processed = sum(p.processed for p in phases)
    restarts = sum(p.restarts for p in phases)
    return Summary(
        bot=phases[0].bot,
        n=phases[0].n,
        seconds=round(seconds, 2),
        replies=replies,
        answers_per_s=replies / seconds,
        p50_ms=percentile(lat, 50),
        p95_ms=percentile(lat, 95),
        p99_ms=percentile(lat, 99),
        max_ms=max(lat) if lat else float("nan"),
        cpu_ms_per_answer=1000 * sum(p.bot_cpu_s for p in phases) / max(1, processed),
        db_cpu_ms_per_answer=1000 * sum(p.db_cpu_s for p in phases) / max(1, processed),
        api_calls_per_answer=sum(p.api_calls_for_answers for p in phases) / max(1, processed),
        api_calls_per_restart=sum(p.api_calls_for_restarts for p in phases) / max(1, restarts),
        restarts=restarts,
        processed=processed,
        lost=sum(p.lost for p in phases),
        not_committed=sum(p.not_committed for p in phases),
        checked_commits=sum(p.checked_commits for p in phases),
        driver_cpu_share=sum(p.driver_cpu_s for p in phases) / seconds,
    )


def markdown(summaries: list[Summary]) -> str:
    """The results table plus the target ratios."""
    lines = [
        "| bot | N | answers/s | p50 ms | p95 ms | p99 ms | max ms | bot CPU ms/answer "
        "| PostgreSQL CPU ms/answer | API calls/answer | answers | lost | not committed "
        "| driver CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in summaries:
        lines.append(
            f"| {s.bot} | {s.n} | {s.answers_per_s:.0f} | {s.p50_ms:.1f} | {s.p95_ms:.1f} "
            f"| {s.p99_ms:.1f} | {s.max_ms:.1f} | {s.cpu_ms_per_answer:.2f} "
            f"| {s.db_cpu_ms_per_answer:.2f} | {s.api_calls_per_answer:.3f} | {s.processed} "
            f"| {s.lost} | {s.not_committed} | {s.driver_cpu_share:.0%} |"
        )
    by = {(s.bot, s.n): s for s in summaries}
    lines += ["", "| N | throughput dojo/echo | CPU/answer dojo/echo "
              "| CPU/answer with PostgreSQL's, dojo/echo | p99 dojo/echo |",
              "|---:|---:|---:|---:|---:|"]
    for n in sorted({s.n for s in summaries}):
        d, e = by.get(("dojo", n)), by.get(("echo", n))
        if d and e:
            lines.append(
                f"| {n} | {d.answers_per_s / e.answers_per_s:.2f} "
                f"| {d.cpu_ms_per_answer / e.cpu_ms_per_answer:.2f} "
                f"| {(d.cpu_ms_per_answer + d.db_cpu_ms_per_answer) / e.cpu_ms_per_answer:.2f} "
                f"| {d.p99_ms / e.p99_ms:.2f} |"
            )
    return "\n".join(lines)


def check_targets(summaries: list[Summary], target_n: int) -> list[str]:
    """The issue's targets, as lines 'PASS ...' / 'MISS ...'."""
    by = {(s.bot, s.n): s for s in summaries}
    d, e = by.get(("dojo", target_n)), by.get(("echo", target_n))
    out = []
    if d and e:
        checks = [
            (f"throughput at N={target_n} >= 0.75 x echo",
             d.answers_per_s / e.answers_per_s, 0.75, True),
            ("CPU per answer <= 1.3 x echo",
             d.cpu_ms_per_answer / e.cpu_ms_per_answer, 1.3, False),
            (f"p99 at N={target_n} <= 1.5 x echo", d.p99_ms / e.p99_ms, 1.5, False),
        ]
        for name, value, bound, at_least in checks:
            ok = value >= bound if at_least else value <= bound
            out.append(f"{'PASS' if ok else 'MISS'} {name}: {value:.2f}")
    dojo = [s for s in summaries if s.bot == "dojo"]
    calls = max((s.api_calls_per_answer for s in dojo), default=0.0)
    out.append(f"{'PASS' if calls <= 1.0 + 0.01 else 'MISS'} API calls per answer: {calls:.3f}"
               " (stage celebrations are the only extra calls)")
    lost = sum(s.lost for s in summaries)
    out.append(f"{'PASS' if lost == 0 else 'MISS'} answers lost: {lost}")
    bad = sum(s.not_committed for s in dojo)
    checked = sum(s.checked_commits for s in dojo)
    out.append(f"{'PASS' if bad == 0 else 'MISS'} answers not committed before their reply: "
               f"{bad} ({checked} replies checked against SQLite)")
    return out


# ----------------------------------------------------------------------------- main


async def _profiler(pid: int, seconds: float, out: str) -> asyncio.subprocess.Process:
    """py-spy on a bot process (samples holding the GIL): flame graph SVG or stacks (.txt)."""
    beside = Path(sys.executable).parent / "py-spy"
    exe = shutil.which("py-spy") or str(beside)
    return await asyncio.create_subprocess_exec(
        exe, "record", "-p", str(pid), "-r", "200", "-d", str(max(1, round(seconds))),
        "-o", out, "--nonblocking", "--gil",
        "--format", "raw" if out.endswith(".txt") else "flamegraph",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )


def machine() -> dict[str, Any]:
    """Cores, memory and versions, for the report."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "kernel": platform.release(),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every phase in alternating order; returns the report as a dict."""
    async with throwaway_postgres(args.database_url) as postgres_url:
        return await _run(args, postgres_url)


async def _run(args: argparse.Namespace, postgres_url: str | None) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="dojobench-"))
    bench = Bench(workdir, args.seed, args.verify_every, args.rate, postgres_url)
    phases: list[PhaseResult] = []
    await bench.start()
    try:
        for n in args.ns:
            for r in range(args.rounds):
                for bot in ("dojo", "echo") if r % 2 == 0 else ("echo", "dojo"):
                    profiler = None
                    if args.profile and n == args.target_n and r == 0:
                        stem, dot, ext = args.profile.rpartition(".")
                        out = args.profile if bot == "dojo" else f"{stem}.echo{dot}{ext}"
                        profiler = await _profiler(
                            bench.bots[bot].pid, args.duration + args.warmup, out
                        )
                    result = await bench.phase(bot, n, args.duration, args.warmup)
                    if profiler is not None:
                        await profiler.wait()
                    phases.append(result)
                    rate = result.replies / result.seconds
                    print(f"  {bot:4} N={n:<3} round {r + 1}: {rate:7.0f} answers/s, "
                          f"lost {result.lost}", file=sys.stderr, flush=True)
        rss = {k: round(b.peak_rss_mb(), 1) for k, b in bench.bots.items()}
    finally:
        codes = await bench.stop()
    accounting = bench.accounting(await bench.attempt_rows())
    summaries = [
        summarize(group)
        for n in args.ns
        for bot in ("dojo", "echo")
        if (group := [p for p in phases if p.bot == bot and p.n == n])
    ]
    targets = check_targets(summaries, args.target_n)
    dojo = accounting["dojo"]
    balanced = dojo["answers_sent"] == dojo["replies"] == dojo["attempt_rows"]
    echo_ok = accounting["echo"]["answers_sent"] == accounting["echo"]["replies"]
    targets.append(
        f"{'PASS' if balanced and echo_ok else 'MISS'} accounting over the whole run: {accounting}"
    )
    return {
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "database": "postgresql" if postgres_url else "sqlite",
        "args": {  # not the database URL: it holds a password
            k: v for k, v in vars(args).items()
            if k not in ("child", "base_url", "db", "database_url")
        },
        "summaries": [asdict(s) for s in summaries],
        "targets": targets,
        "accounting": accounting,
        "bot_exit_codes": codes,
        "bot_peak_rss_mb": rss,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="one short round per N (about 40 s)")
    p.add_argument("--ns", type=lambda s: [int(x) for x in s.split(",")], default=None,
                   help="learner counts, e.g. 1,10,50,200")
    p.add_argument("--duration", type=float, default=None, help="measured seconds per phase")
    p.add_argument("--warmup", type=float, default=None, help="unmeasured seconds per phase")
    p.add_argument("--rounds", type=int, default=None, help="alternations per N")
    p.add_argument("--target-n", type=int, default=50)
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--verify-every", type=int, default=1,
                   help="check commit-before-reply on every k-th reply (0: never)")
    p.add_argument("--json", help="also write the report as JSON here")
    p.add_argument("--profile", nargs="?", const="answer_path_profile.svg", default=None,
                   metavar="FILE",
                   help="py-spy both bots at the target N (.svg flame graph or .txt stacks)")
    p.add_argument("--database-url", default=None, metavar="POSTGRESQL_URL",
                   help="run DojoBot on PostgreSQL: a throw-away database on this server")
    p.add_argument("--telegram-limit", action="store_true",
                   help="keep AIORateLimiter's 30 messages/s overall limit (shipped default)")
    p.add_argument("--child", choices=("dojo", "echo"), help=argparse.SUPPRESS)
    p.add_argument("--base-url", help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    p.add_argument("--rate", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--web-port", type=int, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    quick = args.quick
    args.ns = args.ns or [1, 10, 50, 200]
    args.duration = args.duration if args.duration is not None else (3.0 if quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (0.5 if quick else 1.5)
    args.rounds = args.rounds if args.rounds is not None else (1 if quick else 2)
    if not args.child:
        args.rate = 30 if args.telegram_limit else 0
    if args.profile:
        args.profile = os.path.abspath(args.profile)
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with --child, one bot)."""
    args = parse_args(argv)
    if args.child:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_child_main(args.child, args.base_url, args.db, args.rate,
                                    args.web_port))
        return 0
    report = asyncio.run(run(args))
    m = report["machine"]
    print(f"date {report['date']} · {m['cores']} cores · {m['memory_gib']} GiB · "
          f"Python {m['python']} · SQLite {m['sqlite']} · database {report['database']}")
    print(markdown([Summary(**s) for s in report["summaries"]]))
    print()
    print("\n".join(report["targets"]))
    print(f"bot peak RSS MB: {report['bot_peak_rss_mb']}; exit codes {report['bot_exit_codes']}")
    if args.profile:
        print(f"profile: {args.profile}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    # Correctness (lost, committed, accounting) decides the exit code; ratios are figures.
    ok = all(line.startswith("PASS") for line in report["targets"][-3:])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
