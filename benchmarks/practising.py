"""Learners who keep practising through the stand-in while a benchmark loads the bot: they
think, answer the problem on screen, and time each reply (the next problem or a set's end)."""

from __future__ import annotations

import asyncio
import html
import random
from dataclasses import dataclass, field

from tests.support.learner import solve

from benchmarks.answer_path import PROBLEM
from telegram_standin import ApiCall, BotApiStandIn, User


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
        """Think, answer, wait for the next problem; a new set when one ends."""
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
