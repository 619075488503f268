"""`dojobot run` on PostgreSQL: it builds the schema of an empty database, serves answers,
and after `kill -9` a new process judges the last problem shown, nothing lost or doubled."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from dojobot.storage.postgres import PostgresDatabase
from telegram_standin import BotApiStandIn
from tests.support.db import fetchone
from tests.support.learner import current_question, solve, start_bot_process
from tests.support.postgres import fresh_database


async def answers_recorded(url: str) -> int:
    db = await PostgresDatabase.open(url)
    try:
        row = await fetchone(db, "SELECT count(*) FROM attempt")
    finally:
        await db.close()
    assert row is not None
    return int(row[0])


async def test_run_on_postgres_survives_kill_dash_nine(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    learner = await standin.user(702, "Ren")
    async with fresh_database() as url:
        bot = start_bot_process(standin, tmp_path / "unused.sqlite3", DOJOBOT_DATABASE_URL=url)
        try:
            await standin.send_text(learner, "/start math-arithmetic-addition-d102")
            message = await standin.next_message(learner, timeout=30)
            for _ in range(3):
                _, _, question = current_question(message)
                await standin.send_text(learner, str(solve(question)))
                message = await standin.next_message(learner, timeout=10)
                assert message.plain_text.startswith("✓")
        finally:
            bot.send_signal(signal.SIGKILL)
            await asyncio.to_thread(bot.wait, 10)
        assert await answers_recorded(url) == 3

        bot = start_bot_process(standin, tmp_path / "unused.sqlite3", DOJOBOT_DATABASE_URL=url)
        try:
            number, _, question = current_question(message)
            assert number == 4
            await standin.send_text(learner, str(solve(question)))
            judged = await standin.next_message(learner, timeout=30)
            if judged.plain_text.startswith("Already counted"):  # as in test_kill9.py
                judged = await standin.next_message(learner, timeout=30)
            assert judged.plain_text.startswith("✓")
            assert "Problem 5 of" in judged.plain_text
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.to_thread(bot.wait, 20)
        assert bot.returncode == 0
        assert await answers_recorded(url) == 4
