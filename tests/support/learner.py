"""Playing a learner: solving problems independently of the engine, reading messages.

Shared by the tests and the benchmarks (which run as `python -m benchmarks.NAME`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import IO, TYPE_CHECKING

from telegram_standin import BotApiStandIn, BotMessage, User

if TYPE_CHECKING:  # only for the annotations (the benchmarks import this module too)
    from tests.support.dojo import Dojo

DOJOBOT = str(Path(sys.executable).parent / "dojobot")

QUESTION = re.compile(r"^Problem (\d+) of (\d+)\n(.+)$", re.MULTILINE)


def solve(question: str) -> Decimal:
    """An evaluator independent of the engine, for the notation learners see; `str()` of
    the result is how a learner types it (and how the bot stores an answer)."""
    q = question.strip()
    if q[0] in "√∛":
        root = Fraction(q[1:])
        n = 2 if q[0] == "√" else 3
        guess = round(float(root) ** (1 / n), 2)
        return Decimal(str(guess))
    a, op, b = q.split(" ")
    x, y = Fraction(a), Fraction(b)
    operations: dict[str, Callable[[], Fraction]] = {
        "+": lambda: x + y, "-": lambda: x - y, "×": lambda: x * y, "÷": lambda: x / y,
        "mod": lambda: x % y, "^": lambda: Fraction(x**y),
    }
    result = operations[op]()
    return Decimal(result.numerator) / Decimal(result.denominator)


def current_question(message: BotMessage) -> tuple[int, int, str]:
    """(problem number, total, question) of a problem message."""
    match = QUESTION.search(message.plain_text)
    assert match, message.plain_text
    return int(match.group(1)), int(match.group(2)), match.group(3)


async def start_set(standin: BotApiStandIn, learner: User, payload: str) -> BotMessage:
    """Start a set through a deep link and return the first problem message."""
    await standin.send_text(learner, f"/start {payload}")
    message = await standin.next_message(learner)
    await standin.settle()  # the bot has noted when the problem went out
    return message


async def reply(standin: BotApiStandIn, learner: User, text: str) -> BotMessage:
    """Send a text and return the bot's next message, once the bot is idle again."""
    await standin.send_text(learner, text)
    message = await standin.next_message(learner)
    await standin.settle()
    return message


def start_bot_process(
    standin: BotApiStandIn, database: Path, *, stderr: IO[bytes] | None = None, **settings: str
) -> subprocess.Popen[bytes]:
    """`dojobot run` in its own process, talking to the stand-in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOJOBOT_")}
    env.update(
        DOJOBOT_BOT_TOKEN=standin.token,
        DOJOBOT_API_BASE_URL=standin.base_url,
        DOJOBOT_DATABASE_URL=f"sqlite:///{database}",
        DOJOBOT_LOG_LEVEL="WARNING",
    )
    env.update(settings)
    return subprocess.Popen([DOJOBOT, "run"], env=env, cwd=database.parent, stderr=stderr)


async def open_addition_seedling(dojo: Dojo, learner: User) -> BotMessage:
    """Through the menus to a Seedling set of Addition; returns the first problem."""
    s = dojo.standin
    await s.send_text(learner, "/start")
    menu = await s.next_message(learner)
    assert "Pick a field" in menu.plain_text
    for button in ("Math", "Arithmetic", "Addition · Hatsu 0/1000", "🌱 Seedling"):
        await s.press(learner, button, message_id=menu.message_id)
        await s.settle()
    first = await s.next_message(learner)
    await s.settle()  # the bot has noted when the problem went out
    return first


async def say(dojo: Dojo, who: User, text: str) -> BotMessage:
    """Send a learner's text and return the bot's next message to them, once it settled."""
    await dojo.standin.send_text(who, text)
    message = await dojo.standin.next_message(who)
    await dojo.standin.settle()
    return message
