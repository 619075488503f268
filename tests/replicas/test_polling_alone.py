"""Polling mode on PostgreSQL: a second `dojobot run` stops at once with one clear line
(Telegram allows one getUpdates consumer), and the first keeps serving."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from telegram_standin import BotApiStandIn
from tests.support.learner import start_bot_process
from tests.support.postgres import fresh_database
from tests.support.waiting import until


async def test_a_second_polling_replica_is_refused_in_one_line(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    async with fresh_database() as url:
        first = start_bot_process(standin, tmp_path / "unused.sqlite3", DOJOBOT_DATABASE_URL=url)
        try:
            await until(lambda: bool(standin.calls_of("getUpdates")), "the first one polls")
            with (tmp_path / "second.log").open("wb") as sink:
                second = start_bot_process(
                    standin, tmp_path / "unused.sqlite3", stderr=sink, DOJOBOT_DATABASE_URL=url
                )
                await asyncio.to_thread(second.wait, 60)
            lines = (tmp_path / "second.log").read_text().strip().splitlines()
            assert second.returncode == 2
            assert lines == [
                "dojobot: another DojoBot replica runs on this database; polling mode allows "
                "only one (Telegram has one getUpdates consumer): stop it, or run every "
                "replica with DOJOBOT_MODE=webhook"
            ]
            learner = await standin.user(901, "Uma")
            await standin.send_text(learner, "/start")
            menu = await standin.next_message(learner, timeout=30)
            assert "Pick a field" in menu.plain_text  # the first one still serves
        finally:
            first.send_signal(signal.SIGTERM)
            await asyncio.to_thread(first.wait, 30)
        assert first.returncode == 0
