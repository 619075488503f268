"""`kill -9` in the middle of a set, on SQLite and on PostgreSQL: the bot builds the schema
of an empty database, and after the kill a new process judges the last problem shown,
nothing lost or doubled."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from dojobot.storage.connect import opened
from telegram_standin import BotApiStandIn
from tests.support.db import fetchone
from tests.support.learner import current_question, solve, start_bot_process
from tests.support.postgres import fresh_database


@asynccontextmanager
async def empty_db(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of a database the bot has never seen: it builds the schema itself."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'dojobot.sqlite3'}"
        return
    async with fresh_database() as url:
        yield url


async def answers_and_open_sets(url: str) -> tuple[int, int]:
    """How many answers and running sets the database holds."""
    async with opened(url) as db:
        answers = await fetchone(db, "SELECT count(*) FROM attempt")
        running = await fetchone(db, "SELECT count(*) FROM session WHERE end_time IS NULL")
    assert answers is not None
    assert running is not None
    return int(answers[0]), int(running[0])


async def test_kill_dash_nine_mid_set_loses_no_acknowledged_answer(
    backend: str, standin: BotApiStandIn, tmp_path: Path
) -> None:
    learner = await standin.user(701, "Mio")
    async with empty_db(backend, tmp_path) as url:
        bot = start_bot_process(standin, tmp_path / "dojobot.sqlite3", DOJOBOT_DATABASE_URL=url)
        try:
            await standin.send_text(learner, "/start math-arithmetic-addition-d102")
            message = await standin.next_message(learner, timeout=30)
            for _ in range(3):
                _, _, question = current_question(message)
                await standin.send_text(learner, str(solve(question)))
                message = await standin.next_message(learner)
                assert message.plain_text.startswith("✓")
        finally:
            bot.send_signal(signal.SIGKILL)
            await asyncio.to_thread(bot.wait, 10)
        assert bot.returncode == -signal.SIGKILL
        assert await answers_and_open_sets(url) == (3, 1)

        bot = start_bot_process(standin, tmp_path / "dojobot.sqlite3", DOJOBOT_DATABASE_URL=url)
        try:
            number, _, question = current_question(message)
            assert number == 4
            await standin.send_text(learner, str(solve(question)))
            judged = await standin.next_message(learner, timeout=30)
            if judged.reply_to_message_id is not None:
                # Killed before it confirmed the last update, the old process left it to be
                # delivered again: the new one recognises it and sends its reply once more,
                # quoting it.
                assert judged.text == message.text
                judged = await standin.next_message(learner, timeout=30)
            assert judged.plain_text.startswith("✓")
            assert "Problem 5 of" in judged.plain_text
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.to_thread(bot.wait, 20)
        assert bot.returncode == 0  # a clean shutdown on SIGTERM
        assert await answers_and_open_sets(url) == (4, 1)


async def test_debug_logs_never_show_the_token(standin: BotApiStandIn, tmp_path: Path) -> None:
    log_file = tmp_path / "bot.log"
    with log_file.open("wb") as sink:
        bot = start_bot_process(
            standin, tmp_path / "dojobot.sqlite3", stderr=sink, DOJOBOT_LOG_LEVEL="DEBUG"
        )
        try:
            learner = await standin.user(702, "Nene")
            await standin.send_text(learner, "/start")
            await standin.next_message(learner, timeout=30)
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.to_thread(bot.wait, 20)
    logged = log_file.read_text()
    assert "getUpdates" in logged or "sendMessage" in logged  # DEBUG really logged calls
    secret = standin.token.split(":", 1)[1]
    assert secret not in logged
