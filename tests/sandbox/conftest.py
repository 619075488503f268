"""Fixtures: a started stand-in and small real PTB bots talking to it over HTTP."""

from __future__ import annotations

import functools
import html
from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from dojobot.transport.context import AnyApp
from dojobot.transport.lifecycle import handling_updates, running
from telegram_standin import BotApiStandIn


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn() as s:
        yield s
    assert s.internal_errors == []


def build_app(standin: BotApiStandIn) -> AnyApp:
    """A real Application pointed at the stand-in, collecting handler errors in bot_data."""
    app = (
        Application.builder()
        .token(standin.token)
        .base_url(standin.base_url)
        .base_file_url(standin.base_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .build()
    )
    app.bot_data["errors"] = []
    app.bot_data["seen"] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        context.bot_data["errors"].append(context.error)

    app.add_error_handler(on_error)
    return app


# ---- the echo bot (the pattern benchmarks/echo_bot.py will reuse)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the same text, escaped for HTML."""
    assert update.effective_message is not None
    assert update.effective_message.text is not None
    await update.effective_message.reply_text(html.escape(update.effective_message.text))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    payload = " ".join(context.args or []) or "none"
    await update.effective_message.reply_text(f"<b>Welcome</b> (payload: {html.escape(payload)})")


async def record_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data["seen"].append(update)


def add_echo_handlers(app: AnyApp) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.StatusUpdate.ALL, record_update))
    app.add_handler(ChatMemberHandler(record_update, ChatMemberHandler.MY_CHAT_MEMBER))


# ---- the tiny keyboard bot

MENU = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Math", callback_data="field:math"),
            InlineKeyboardButton("Science (coming soon)", callback_data="field:science"),
        ],
        [InlineKeyboardButton("Help", url="https://example.org/help")],
    ]
)


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("Pick a <b>field</b>:", reply_markup=MENU)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    if query.data == "field:science":
        await query.answer("Coming soon!")
        return
    if query.data == "silent":
        return  # forgets to answer
    await query.answer()
    if query.data == "field:math":
        await query.edit_message_text("You picked <b>Math</b>.")
    elif query.data == "twice":
        await query.answer()
    elif query.data == "same":
        assert query.message is not None
        await query.edit_message_text("Pick a <b>field</b>:", reply_markup=MENU)


def add_keyboard_handlers(app: AnyApp) -> None:
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CallbackQueryHandler(on_button))


@pytest.fixture
async def bot(standin: BotApiStandIn) -> AsyncIterator[AnyApp]:
    """Echo and keyboard bot running against the stand-in."""
    app = build_app(standin)
    add_echo_handlers(app)
    add_keyboard_handlers(app)
    standin.bot_busy = functools.partial(handling_updates, app)  # settle() waits for it
    async with running(app):
        yield app
