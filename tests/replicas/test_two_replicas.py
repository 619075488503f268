"""Two `dojobot run` replicas in webhook mode on one PostgreSQL, behind a round-robin proxy
(compose.yaml's topology as processes); one is killed with `kill -9` while 50 learners
practise: no answer is lost, none counted twice, nobody has to type one again, the survivor
serves everyone and takes over the background jobs."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

from telegram_standin import BotApiStandIn
from tests.support.postgres import fresh_database
from tests.support.replicas import (
    SECRET,
    Cluster,
    answered,
    attempts_by_learner,
    kill_midway,
    lost_and_extra,
    make_learners,
    migrate,
    practise,
)

LEARNERS = 50
ANSWERS = 8  # each; the kill comes after a third of all answers
# A learner who got no reply for this long types the answer again. Well past the takeover
# (1-3 s alone): the suite runs 4 workers on 2 cores, which can stretch it several-fold.
PATIENCE_S = 30.0


async def test_a_replica_killed_mid_run_loses_nothing(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with fresh_database() as url:
        await asyncio.to_thread(migrate, url)
        cluster = Cluster(standin, url, tmp_path)
        try:
            await cluster.start()
            victim = await cluster.leader()  # the harder case: the jobs must move too
            survivor = next(r for r in cluster.replicas if r is not victim)
            learners = await make_learners(standin, LEARNERS)
            killer = asyncio.create_task(
                kill_midway(cluster, victim, learners, LEARNERS * ANSWERS // 3)
            )
            await asyncio.gather(
                *(practise(standin, one, ANSWERS, patience=PATIENCE_S) for one in learners)
            )
            await killer
            assert await cluster.leader() is survivor
            status, body = await survivor.health()
            assert (status, body) == (200, f"ok\nreplica {survivor.name}: leader, database ok\n")
        finally:
            codes = await cluster.stop()
        assert codes == [0]  # the survivor stops cleanly on SIGTERM

        assert answered(learners) == LEARNERS * ANSWERS
        stored = await attempts_by_learner(url)
        # Nothing typed twice: an update the victim held reached the survivor (the victim
        # had not answered its POST), and one the victim had judged was not judged again.
        assert sum(one.resent for one in learners) == 0
        assert lost_and_extra(learners, stored) == (0, 0)
        assert cluster.proxy is not None
        assert len(cluster.proxy.forwarded) == 2  # both replicas served webhooks

    password = urlsplit(url).password or ""
    for replica in cluster.replicas:
        logged = replica.log.read_text()
        assert "Traceback" not in logged
        for secret in (SECRET, password, standin.token.split(":", 1)[1]):
            assert secret not in logged
