"""/forgetme confirmed on one replica: the other forgets the learner too (PostgreSQL's
NOTIFY), so their next message there meets a new learner, in Telegram's language, instead
of "Sorry" (a set for a user row that is gone)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from telegram_standin import BotApiStandIn
from tests.support.classes import toast
from tests.support.postgres import fresh_database
from tests.support.replicas import PAYLOAD, Cluster, migrate


async def test_an_erasure_on_one_replica_empties_the_others_memory(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with fresh_database() as url:
        await asyncio.to_thread(migrate, url)
        cluster = Cluster(standin, url, tmp_path)
        learner = await standin.user(4343, "Zephyrine")
        try:
            await cluster.start()
            # The proxy takes turns: each replica meets the learner and caches them, German.
            served = []
            for text in ("/language Deutsch", "/start"):
                await standin.send_text(learner, text)
                await standin.next_message(learner, timeout=30)
                served.append(cluster.last_served())
            assert served[0] is not served[1]
            await standin.send_text(learner, "/forgetme")
            asked = await standin.next_message(learner, timeout=30)
            erasing = cluster.last_served()
            delete = asked.flat_buttons[0].callback_data
            assert delete is not None
            qid = await standin.press_data(learner, None, asked.message_id, delete)
            assert await toast(standin, qid) == "Gelöscht."
            assert cluster.last_served() is not erasing  # the other one erased

            # The replica that asked (and cached them) gets the next message.
            await standin.send_text(learner, f"/start {PAYLOAD}")
            first = await standin.next_message(learner, timeout=30)
            assert cluster.last_served() is erasing
            assert first.plain_text.startswith("Addition · Sapling · Hatsu"), first.plain_text
        finally:
            codes = await cluster.stop()
        assert codes == [0, 0]
    for replica in cluster.replicas:
        assert "Traceback" not in replica.log.read_text()
