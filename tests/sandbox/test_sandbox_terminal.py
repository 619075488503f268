"""The terminal chat, driven by scripted lines and read back from a StringIO transcript."""

from __future__ import annotations

import asyncio
import functools
import io
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from dojobot.sandbox.terminal import HINT, chat_in_terminal, stdin_lines
from dojobot.transport.lifecycle import handling_updates, running
from telegram_standin import BotApiStandIn

from .conftest import add_echo_handlers, add_keyboard_handlers, build_app


async def scripted(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def send_chart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_photo(
        b"\x89PNG\r\n\x1a\nfake", caption="Your <b>week</b>", filename="week.png"
    )


async def think_then_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Like a chart being drawn: a while with no call to the stand-in, then the reply."""
    assert update.effective_message is not None
    await asyncio.sleep(0.5)
    await update.effective_message.reply_text("thought it over")


async def run_chat(standin: BotApiStandIn, tmp_path: Path, *lines: str, **kw: Any) -> str:
    app = build_app(standin)
    app.add_handler(CommandHandler("chart", send_chart))
    app.add_handler(CommandHandler("slow", think_then_reply))
    add_keyboard_handlers(app)
    add_echo_handlers(app)
    ann = await standin.user(1, "Ann")
    out = io.StringIO()
    standin.bot_busy = functools.partial(handling_updates, app)
    async with running(app):
        await chat_in_terminal(
            standin, ann, lines=scripted(*lines), out=out, files_dir=tmp_path, **kw
        )
    return out.getvalue()


async def test_transcript_with_buttons_edits_and_files(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    transcript = await run_chat(
        standin,
        tmp_path,
        "/start",
        "/menu",
        "#9",
        "#3",
        "#1",
        "#1",
        "12",
        "/chart",
        "/quit",
        "never sent",
        echo=True,
    )
    assert transcript.splitlines() == [
        HINT,
        "you: /start",
        "bot: Welcome (payload: none)",
        "you: /menu",
        "bot: Pick a field:",
        "     [1] Math  [2] Science (coming soon)",
        "     [3] Help",
        "you: #9",
        "(no button #9; the latest message has 3)",
        "you: #3",
        "(button #3 opens https://example.org/help; nothing sent)",
        "you: #1",
        "bot (edited): You picked Math.",
        "you: #1",
        "(no message with buttons to press)",
        "you: 12",
        "bot: 12",
        "you: /chart",
        f"bot: [photo saved to {tmp_path / 'photo_8.png'}]",
        "     Your week",
        "you: /quit",
    ]
    assert (tmp_path / "photo_8.png").read_bytes() == b"\x89PNG\r\n\x1a\nfake"
    assert [c.params.get("text") for c in standin.calls_of("sendMessage")][-1] == "12"
    assert standin.unanswered_callback_queries() == []


async def test_ends_at_eof_without_echo(standin: BotApiStandIn, tmp_path: Path) -> None:
    transcript = await run_chat(standin, tmp_path, "hello <you>")
    assert transcript == f"{HINT}\nbot: hello <you>\n"


async def test_a_slow_reply_comes_before_the_next_line_and_the_end(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    transcript = await run_chat(standin, tmp_path, "/slow", "next", "/slow")
    assert transcript.splitlines()[1:] == [
        "bot: thought it over", "bot: next", "bot: thought it over"
    ]


async def test_failed_bot_calls_are_shown(standin: BotApiStandIn, tmp_path: Path) -> None:
    standin.fail_next("sendMessage", 400, "Bad Request: can't parse entities: test")
    transcript = await run_chat(standin, tmp_path, "first", "second")
    assert transcript.splitlines()[1:] == [
        "(bot's sendMessage failed: Bad Request: can't parse entities: test)",
        "bot: second",
    ]


async def test_stdin_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("12\n#1\r\nlast"))
    assert [line async for line in stdin_lines()] == ["12", "#1", "last"]
