"""`kill -9` in the middle of a set: a new process judges the last problem shown."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

from telegram_standin import BotApiStandIn
from tests.support.learner import current_question, solve, start_bot_process


async def test_kill_dash_nine_mid_set_loses_no_acknowledged_answer(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    database = tmp_path / "dojobot.sqlite3"
    learner = await standin.user(701, "Mio")
    bot = start_bot_process(standin, database)
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
    assert bot.returncode == -signal.SIGKILL
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM attempt").fetchone() == (3,)

    bot = start_bot_process(standin, database)
    try:
        number, _, question = current_question(message)
        assert number == 4
        await standin.send_text(learner, str(solve(question)))
        judged = await standin.next_message(learner, timeout=30)
        if judged.plain_text.startswith("Already counted"):
            # Killed before it confirmed the last update, the old process left it to be
            # delivered again: the new one recognises it and shows the current problem.
            assert "Problem 4 of" in judged.plain_text
            judged = await standin.next_message(learner, timeout=30)
        assert judged.plain_text.startswith("✓")
        assert "Problem 5 of" in judged.plain_text
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.to_thread(bot.wait, 20)
    assert bot.returncode == 0  # a clean shutdown on SIGTERM
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM attempt").fetchone() == (4,)
        open_sets = conn.execute("SELECT count(*) FROM session WHERE end_time IS NULL")
        assert open_sets.fetchone() == (1,)


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
