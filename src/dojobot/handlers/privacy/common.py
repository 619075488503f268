"""Shared by the privacy commands: they act in the private chat only."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from dojobot.handlers.classes.common import send_to_group
from dojobot.i18n import _
from dojobot.transport.context import DojoContext


async def private_only(update: Update, context: DojoContext, command: str) -> None:
    """A privacy command sent in a group: one line there, nothing about anyone's data."""
    chat = update.effective_chat
    assert chat is not None
    button = InlineKeyboardMarkup([[InlineKeyboardButton(
        _("🔒 Open our private chat"), url=f"https://t.me/{context.bot.username}"
    )]])
    await send_to_group(
        context, chat.id,
        _("I answer /{command} in our private chat only: open it and send /{command} there.")
        .format(command=command),
        keyboard=button, reply_to=update.effective_message,
    )
