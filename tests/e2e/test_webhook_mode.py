"""`dojobot run` in webhook mode: updates arrive by POST with the secret token."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

import httpx

from telegram_standin import BotApiStandIn
from tests.support.learner import start_bot_process
from tests.support.waiting import until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_mode_answers_and_refuses_a_wrong_secret(
    standin: BotApiStandIn, tmp_path: Path, bot_database_url: str
) -> None:
    port = free_port()
    log_file = tmp_path / "bot.log"
    with log_file.open("wb") as sink:
        bot = start_bot_process(
            standin,
            tmp_path / "dojobot.sqlite3",
            stderr=sink,
            DOJOBOT_DATABASE_URL=bot_database_url,
            DOJOBOT_LOG_LEVEL="DEBUG",  # PTB's DEBUG lines quote every call's parameters
            DOJOBOT_MODE="webhook",
            DOJOBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
            DOJOBOT_WEBHOOK_LISTEN="127.0.0.1",
            DOJOBOT_WEBHOOK_PORT=str(port),
            DOJOBOT_WEBHOOK_SECRET_TOKEN="s3cret-token",
        )
    try:
        learner = await standin.user(801, "Nao")
        await standin.send_text(learner, "/start")
        menu = await standin.next_message(learner, timeout=30)
        assert "Pick a field" in menu.plain_text
        # Delivered (answered 200) once handled: the reply went out before that.
        await until(lambda: standin.stats.webhook_deliveries == 1, "the update is answered")
        webhook = standin.calls_of("setWebhook")[-1].params
        assert webhook["url"].endswith("/telegram")
        async with httpx.AsyncClient() as client:
            forged = await client.post(
                f"http://127.0.0.1:{port}/telegram",
                json={"update_id": 99, "message": {"message_id": 1}},
                headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
            )
        assert forged.status_code == 403
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.to_thread(bot.wait, 20)
    assert bot.returncode == 0
    logged = log_file.read_text()
    assert "setWebhook" in logged  # DEBUG really logged the call and its parameters
    assert "<webhook secret>" in logged
    assert "s3cret-token" not in logged
    assert standin.token.split(":", 1)[1] not in logged
