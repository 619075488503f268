"""Replicas on one PostgreSQL: one vs two, and one killed with `kill -9` mid-run.

    scripts/with-postgres .venv/bin/python -m benchmarks.replicas
    scripts/with-postgres .venv/bin/python -m benchmarks.replicas --learners 50 --answers 20

compose.yaml's topology as processes (tests/support/replicas.py): `dojobot run` replicas in
webhook mode on a fresh database of the with-postgres cluster, behind a round-robin proxy,
fed by the Bot API stand-in (no flood limit). Each learner answers right, the next answer as
soon as the reply (feedback and next problem) arrives: a closed loop, so answers a second is
what the replicas sustain together.

1. One replica, then two: answers a second and each answer's wait (send to reply).
2. Two replicas, the leader killed after a third of the answers: acknowledged answers lost
   (target 0), answers stored but never acknowledged (the victim committed, died before
   replying; the learner typed it again), answers typed again, and the time from the kill
   until every learner had a reply again and until the survivor led the background jobs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.support.learner import DOJOBOT
from tests.support.postgres import DSN_VARIABLE, fresh_database
from tests.support.replicas import (
    Cluster,
    Learner,
    answered,
    attempts_by_learner,
    kill_midway,
    lost_and_extra,
    make_learners,
    practise,
)

from benchmarks.common import percentile
from telegram_standin import BotApiStandIn

PATIENCE_S = 10.0


def cores() -> int:
    """Cores this process may run on."""
    return len(os.sched_getaffinity(0))


def migrate(url: str) -> None:
    """The schema once, before any replica starts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOJOBOT_")}
    subprocess.run([DOJOBOT, "migrate", "up"], env={**env, "DOJOBOT_DATABASE_URL": url},
                   check=True, capture_output=True, timeout=120)


def waits(learners: list[Learner]) -> dict[str, float]:
    """p50/p95/p99 of the learners' waits, in ms."""
    every = [w * 1000 for one in learners for w in one.waits]
    return {f"p{q}_ms": round(percentile(every, q), 1) for q in (50, 95, 99)}


async def throughput(count: int, learners: int, answers: int, folder: Path) -> dict[str, Any]:
    """`count` replicas, learners answering in a closed loop: answers a second, waits."""
    async with fresh_database() as url, BotApiStandIn() as standin:
        await asyncio.to_thread(migrate, url)
        cluster = Cluster(standin, url, folder / f"throughput-{count}", count=count)
        cluster.folder.mkdir()
        try:
            await cluster.start()
            people = await make_learners(standin, learners)
            bots_cpu = sum(r.cpu_seconds() for r in cluster.replicas)
            harness_cpu = time.process_time()
            started = time.monotonic()
            await asyncio.gather(
                *(practise(standin, one, answers, patience=PATIENCE_S) for one in people)
            )
            elapsed = time.monotonic() - started
            harness_cpu = time.process_time() - harness_cpu
            bots_cpu = sum(r.cpu_seconds() for r in cluster.replicas) - bots_cpu
        finally:
            await cluster.stop()
        assert cluster.proxy is not None
        return {
            "replicas": count,
            "answers": answered(people),
            "seconds": round(elapsed, 2),
            "answers_per_second": round(answered(people) / elapsed, 1),
            **waits(people),
            # CPU per answer: all replicas together, and this process (the stand-in, the
            # proxy and the learners), which shares the machine's cores with them.
            "replicas_cpu_ms_per_answer": round(bots_cpu * 1000 / answered(people), 2),
            "harness_cpu_ms_per_answer": round(harness_cpu * 1000 / answered(people), 2),
            "per_replica": dict(sorted(cluster.proxy.forwarded.items())),
        }


async def kill_one(learners: int, answers: int, folder: Path) -> dict[str, Any]:
    """Two replicas; the leader is killed after a third of the answers."""
    async with fresh_database() as url, BotApiStandIn() as standin:
        await asyncio.to_thread(migrate, url)
        cluster = Cluster(standin, url, folder / "kill", count=2)
        cluster.folder.mkdir()
        try:
            await cluster.start()
            victim = await cluster.leader()
            survivor = next(r for r in cluster.replicas if r is not victim)
            people = await make_learners(standin, learners)
            killer = asyncio.create_task(
                kill_midway(cluster, victim, people, learners * answers // 3)
            )

            async def takes_the_lead() -> float:
                killed_at = await asyncio.shield(killer)
                await cluster.leader()
                return time.monotonic() - killed_at

            leads = asyncio.create_task(takes_the_lead())
            await asyncio.gather(
                *(practise(standin, one, answers, patience=PATIENCE_S) for one in people)
            )
            killed_at = await killer
            lead_after = await leads
            assert await cluster.leader() is survivor
        finally:
            codes = await cluster.stop()
        stored = await attempts_by_learner(url)
    lost, extra = lost_and_extra(people, stored)
    back = [one.first_reply_after(killed_at) for one in people]
    return {
        "learners": learners,
        "answers_acknowledged": answered(people),
        "answers_lost": lost,
        "stored_not_acknowledged": extra,
        "typed_again": sum(one.resent for one in people),
        "learners_waiting_at_the_kill": sum(1 for one in people if one.resent),
        "every_learner_served_again_after_s": round(max(t for t in back if t) - killed_at, 2),
        "survivor_leads_after_s": round(lead_after, 2),
        "survivor_exit_code": codes,
        "patience_s": PATIENCE_S,
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    """Every part, in one process and one cluster."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        report: dict[str, Any] = {"cores": cores(), "throughput": []}
        for count in (1, 2):
            row = await throughput(count, args.learners, args.answers, folder)
            print(json.dumps(row), flush=True)
            report["throughput"].append(row)
        report["kill"] = await kill_one(args.learners, args.answers, folder)
        print(json.dumps(report["kill"]), flush=True)
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--answers", type=int, default=20, help="per learner")
    parser.add_argument("--json", type=Path, default=None, help="write the report here")
    arguments = parser.parse_args()
    if not os.environ.get(DSN_VARIABLE):
        parser.error(f"{DSN_VARIABLE} is not set: run through scripts/with-postgres")
    result = asyncio.run(main(arguments))
    if arguments.json:
        arguments.json.write_text(json.dumps(result, indent=2))
