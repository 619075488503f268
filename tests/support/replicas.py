"""compose.yaml's topology as processes: `dojobot run` replicas in webhook mode on one
database, behind a round-robin proxy, fed by the stand-in; learners practising through it.

Shared by tests/replicas/ and benchmarks/replicas.py.
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from dojobot.storage.connect import open_url
from telegram_standin import BotApiStandIn, BotMessage, User
from tests.support.balancer import RoundRobin
from tests.support.cli import free_port
from tests.support.db import fetchall
from tests.support.learner import DOJOBOT, QUESTION, current_question, solve, start_bot_process
from tests.support.waiting import until

PAYLOAD = "math-arithmetic-addition-d102"
SECRET = "replica-test-secret_42"
TRIES = 3  # sends of one text without a reply before a learner gives up


def migrate(url: str) -> None:
    """The schema first, once (compose.yaml's `migrate` service)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOJOBOT_")}
    subprocess.run([DOJOBOT, "migrate", "up"], env={**env, "DOJOBOT_DATABASE_URL": url},
                   check=True, capture_output=True, timeout=60)


@dataclass
class Replica:
    """One `dojobot run` process."""

    name: str
    webhook_port: int
    metrics_port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def webhook_url(self) -> str:
        """Where the proxy reaches it."""
        return f"http://127.0.0.1:{self.webhook_port}/telegram"

    def cpu_seconds(self) -> float:
        """CPU time the live process has used (user + system, from /proc)."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def health(self) -> tuple[int, str]:
        """(status, body) of its /healthz; (0, reason) while it does not answer."""
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                got = await client.get(f"http://127.0.0.1:{self.metrics_port}/healthz")
        except httpx.HTTPError as exc:
            return 0, type(exc).__name__
        return got.status_code, got.text


@dataclass
class Cluster:
    """Replicas behind a RoundRobin proxy, all on `database_url`."""

    standin: BotApiStandIn
    database_url: str
    folder: Path
    count: int = 2
    settings: dict[str, str] = field(default_factory=dict)
    replicas: list[Replica] = field(default_factory=list)
    proxy: RoundRobin | None = None
    _sinks: list[IO[bytes]] = field(default_factory=list)

    async def start(self) -> None:
        """Start the proxy and every replica; return once each /healthz says ok."""
        self.replicas = [
            Replica(f"bot-{i + 1}", free_port(), free_port(), self.folder / f"bot-{i + 1}.log")
            for i in range(self.count)
        ]
        self.proxy = RoundRobin([r.webhook_url for r in self.replicas])
        self.proxy.start()
        for replica in self.replicas:
            self._launch(replica)
        for replica in self.replicas:
            await until(functools.partial(_healthy, replica), f"{replica.name} is healthy")

    def _launch(self, replica: Replica) -> None:
        assert self.proxy is not None
        sink = replica.log.open("ab")
        self._sinks.append(sink)
        env = {
            "DOJOBOT_DATABASE_URL": self.database_url,
            "DOJOBOT_LOG_LEVEL": "INFO",
            "DOJOBOT_MODE": "webhook",
            "DOJOBOT_WEBHOOK_URL": self.proxy.url,
            "DOJOBOT_WEBHOOK_LISTEN": "127.0.0.1",
            "DOJOBOT_WEBHOOK_PORT": str(replica.webhook_port),
            "DOJOBOT_WEBHOOK_SECRET_TOKEN": SECRET,
            "DOJOBOT_METRICS_PORT": str(replica.metrics_port),
            "DOJOBOT_REPLICAS": str(self.count),
            "DOJOBOT_REPLICA_NAME": replica.name,
            "DOJOBOT_MAX_MESSAGES_PER_SECOND": "0",  # the stand-in sets no flood limit
        }
        replica.process = start_bot_process(
            self.standin, self.folder / "unused.sqlite3", stderr=sink,
            **(env | self.settings),
        )

    async def restart(self, replica: Replica) -> None:
        """Start a (killed) replica again, on its ports; return once it is healthy."""
        self._launch(replica)
        await until(functools.partial(_healthy, replica), f"{replica.name} is healthy again")

    def last_served(self) -> Replica:
        """The replica the proxy sent the latest update to."""
        assert self.proxy is not None
        return next(r for r in self.replicas if r.webhook_url == self.proxy.last)

    async def leader(self) -> Replica:
        """The replica whose /healthz says it leads (waits for an election)."""
        found: list[Replica] = []

        async def one_leads() -> bool:
            found[:] = [r for r in self.alive() if ": leader," in (await r.health())[1]]
            return len(found) == 1

        await until(one_leads, "one replica leads")
        return found[0]

    def alive(self) -> list[Replica]:
        """Replicas whose process runs."""
        return [r for r in self.replicas if r.process and r.process.poll() is None]

    def kill(self, replica: Replica) -> None:
        """`kill -9`: no shutdown, no goodbye to the database."""
        assert replica.process is not None
        replica.process.send_signal(signal.SIGKILL)
        replica.process.wait(10)

    async def stop(self) -> list[int | None]:
        """SIGTERM to the live replicas; their exit codes (None: had to be killed)."""
        codes: list[int | None] = []
        for replica in self.alive():
            assert replica.process is not None
            replica.process.send_signal(signal.SIGTERM)
        for replica in self.replicas:
            if replica.process is None or replica.process.returncode == -signal.SIGKILL:
                continue
            try:
                codes.append(await asyncio.to_thread(replica.process.wait, 30))
            except subprocess.TimeoutExpired:
                replica.process.kill()
                codes.append(None)
        if self.proxy is not None:
            await self.proxy.stop()
        for sink in self._sinks:
            sink.close()
        return codes


async def _healthy(replica: Replica) -> bool:
    assert replica.process is not None
    if replica.process.poll() is not None:
        raise AssertionError(f"{replica.name} exited: {replica.log.read_text()[-2000:]}")
    return (await replica.health())[0] == 200


@dataclass
class Learner:
    """What one learner did and saw."""

    user: User
    acknowledged: list[tuple[str, str]] = field(default_factory=list)  # (question, given)
    resent: int = 0  # answers sent again after no reply came
    replied_at: list[float] = field(default_factory=list)  # time.monotonic() of each reply
    waits: list[float] = field(default_factory=list)  # seconds from each send to its reply

    def first_reply_after(self, moment: float) -> float | None:
        """When the first reply after `moment` came (None: none did)."""
        return next((t for t in self.replied_at if t > moment), None)


async def practise(
    standin: BotApiStandIn, learner: Learner, answers: int, *, patience: float
) -> None:
    """Start a set and answer `answers` problems right, each after the reply to the last.

    No reply within `patience` seconds (the replica holding the answer died and nobody
    took it over): the learner types the answer again, as a person would; the set's state
    then decides what it counts for. A reply quoting the learner's message is the reply to
    an answer the replica that judged it died before confirming: another sent it again."""
    message = await _say(standin, learner, f"/start {PAYLOAD}", patience)
    done = 0
    while done < answers:
        if QUESTION.search(message.plain_text) is None:  # a set ended: start the next one
            message = await _say(standin, learner, f"/start {PAYLOAD}", patience)
        _, _, question = current_question(message)  # fails unless a problem is shown
        given = str(solve(question))
        message = await _say(standin, learner, given, patience)
        if message.plain_text.startswith(("✓", "✗", "Already counted.")):
            learner.acknowledged.append((question, given))
            done += 1


async def _say(standin: BotApiStandIn, learner: Learner, text: str, patience: float) -> BotMessage:
    """Send `text` until a reply comes (at most TRIES times); the reply.

    A message quoting an earlier message of the learner is skipped: a replica died after
    replying to it and before answering Telegram's POST, and the next one showed the set
    once more."""
    for _ in range(TRIES):
        sent = time.monotonic()
        mine = (await standin.send_text(learner.user, text))["message_id"]
        try:
            reply = await standin.next_message(learner.user, timeout=patience)
            while reply.reply_to_message_id not in (None, mine):
                reply = await standin.next_message(learner.user, timeout=patience)
        except TimeoutError:
            learner.resent += 1
            continue
        learner.replied_at.append(time.monotonic())
        learner.waits.append(learner.replied_at[-1] - sent)
        return reply
    raise AssertionError(f"learner {learner.user.id} got no reply to {text!r} {TRIES} times")


async def make_learners(standin: BotApiStandIn, count: int, first_id: int = 5000) -> list[Learner]:
    """`count` new learners."""
    return [Learner(await standin.user(first_id + i, f"L{i}")) for i in range(count)]


async def kill_midway(
    cluster: Cluster, victim: Replica, learners: list[Learner], after: int
) -> float:
    """`kill -9` the victim once `after` answers are acknowledged; when (monotonic)."""
    await until(lambda: answered(learners) >= after, f"{after} answers acknowledged")
    cluster.kill(victim)
    return time.monotonic()


def answered(learners: list[Learner]) -> int:
    """Answers acknowledged so far, all learners together."""
    return sum(len(one.acknowledged) for one in learners)


async def attempts_by_learner(database_url: str) -> dict[int, list[tuple[str, str]]]:
    """Every stored answer, per learner, in the order stored (either backend)."""
    db = await open_url(database_url)
    try:
        rows = await fetchall(
            db, "SELECT user_id, question, given FROM attempt ORDER BY attempt_id"
        )
        sets = await fetchall(
            db,
            "SELECT s.session_id, s.total_reps, count(a.attempt_id) AS stored "
            "FROM session s LEFT JOIN attempt a ON a.session_id = s.session_id "
            "GROUP BY s.session_id, s.total_reps",
        )
    finally:
        await db.close()
    mismatched = [tuple(row) for row in sets if row["total_reps"] != row["stored"]]
    assert mismatched == [], f"sets whose count disagrees with their answers: {mismatched}"
    stored: dict[int, list[tuple[str, str]]] = {}
    for row in rows:
        stored.setdefault(row["user_id"], []).append((row["question"], row["given"]))
    return stored


def lost_and_extra(
    learners: list[Learner], stored: dict[int, list[tuple[str, str]]]
) -> tuple[int, int]:
    """(acknowledged answers not stored, stored answers never acknowledged)."""
    lost = extra = 0
    for one in learners:
        mine = Counter(stored.get(one.user.id, []))
        seen = Counter(one.acknowledged)
        lost += sum((seen - mine).values())
        extra += sum((mine - seen).values())
    return lost, extra
