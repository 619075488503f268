"""The Bot API client keeps at most its configured number of requests in flight."""

from __future__ import annotations

import asyncio

from telegram.ext import ExtBot

from dojobot.transport.request import GatedRequest
from telegram_standin import BotApiStandIn


async def test_a_third_send_waits_while_two_connections_are_busy() -> None:
    async with BotApiStandIn() as s:
        learners = [await s.user(2000 + i, f"L{i}") for i in range(3)]
        for learner in learners:
            await s.send_text(learner, "/start")  # a chat the bot may write to
        slow = [s.hold("sendMessage", learner.id) for learner in learners[:2]]
        bot: ExtBot[None] = ExtBot(s.token, base_url=s.base_url, request=GatedRequest(2))
        async with bot:
            held = [asyncio.create_task(bot.send_message(x.id, "held")) for x in learners[:2]]
            await asyncio.sleep(0)  # each task's first step reaches the gate: no I/O before it
            third = asyncio.create_task(bot.send_message(learners[2].id, "third"))
            # Not a timing assertion that can fail wrongly: on a slow machine an ungated
            # client might not finish in time either, and the test would pass, not fail.
            done, _ = await asyncio.wait({third}, timeout=0.5)
            assert not done, "a third request went out while two were in flight"
            slow[0].set()
            await third  # it took the connection the first send freed
            slow[1].set()
            await asyncio.gather(*held)
        texts = [c.params["text"] for c in s.calls_of("sendMessage")]
        assert texts.index("third") > texts.index("held")
