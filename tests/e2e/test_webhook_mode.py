"""`dojobot run` in webhook mode: updates arrive by POST with the secret token."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
from pathlib import Path

import httpx

from telegram_standin import BotApiStandIn
from tests.support.learner import DOJOBOT, start_bot_process
from tests.support.waiting import until
from tests.support.web import send_raw


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_mode_answers_and_refuses_a_wrong_secret(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> None:
    port = free_port()
    log_file = tmp_path / "bot.log"
    with log_file.open("wb") as sink:
        bot = start_bot_process(
            standin,
            tmp_path / "dojobot.sqlite3",
            stderr=sink,
            DOJOBOT_DATABASE_URL=migrated_url,
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


def _head(port: int, length: int, secret: str | None) -> bytes:
    lines = [
        "POST /telegram HTTP/1.1", f"Host: 127.0.0.1:{port}", "Content-Type: application/json",
        f"Content-Length: {length}",
    ]
    if secret is not None:
        lines.append(f"X-Telegram-Bot-Api-Secret-Token: {secret}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def test_the_public_webhook_refuses_big_and_slow_bodies_before_reading_them(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> None:
    # Anyone can reach the URL: the body was read in full before the secret was checked
    # (eight 90 MB POSTs took the bot from 113 to 792 MiB), and a body sent slowly kept its
    # connection open for ever.
    port = free_port()
    bot = start_bot_process(
        standin, tmp_path / "dojobot.sqlite3",
        DOJOBOT_DATABASE_URL=migrated_url, DOJOBOT_MODE="webhook",
        DOJOBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        DOJOBOT_WEBHOOK_LISTEN="127.0.0.1", DOJOBOT_WEBHOOK_PORT=str(port),
        DOJOBOT_WEBHOOK_SECRET_TOKEN="s3cret-token",
    )
    try:
        await until(lambda: bool(standin.calls_of("setWebhook")), "the webhook is set")
        # Without the secret, a 90 MB body and a slow one: refused on their headers alone.
        for length, sent in ((90 * 1024 * 1024, b"x" * 65536), (1000, b'{"update_id"')):
            answer, closed = await send_raw(port, _head(port, length, None) + sent)
            assert closed, f"a {length}-byte body without the secret is still being read"
            # The 403 is sent; a reset (the unread body) may overtake it.
            assert answer == b"" or answer.startswith(b"HTTP/1.1 403"), answer[:80]
        # With the secret: a body past any update's size is cut off unread, and a body that
        # stops coming is given up.
        for length, sent in ((90 * 1024 * 1024, b"x" * 65536), (1000, b'{"update_id"')):
            answer, closed = await send_raw(port, _head(port, length, "s3cret-token") + sent)
            assert closed, f"a {length}-byte body with the secret is still awaited"
            assert b" 200 " not in answer[:20]
        learner = await standin.user(802, "Ren")  # and the bot still answers
        await standin.send_text(learner, "/start")
        assert "Pick a field" in (await standin.next_message(learner, timeout=30)).plain_text
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.to_thread(bot.wait, 20)
    assert bot.returncode == 0


def test_webhook_mode_without_a_secret_does_not_start(tmp_path: Path) -> None:
    # It started without a word and handled a forged update from anyone.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOJOBOT_")}
    result = subprocess.run(
        [DOJOBOT, "run"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
        env={**env, "DOJOBOT_BOT_TOKEN": "123456:SECRET", "DOJOBOT_MODE": "webhook",
             "DOJOBOT_WEBHOOK_URL": "https://bot.example.org/telegram"},
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("dojobot: ")
    assert "DOJOBOT_WEBHOOK_SECRET_TOKEN is required" in line
