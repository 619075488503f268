"""Editing the message a button sits on."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest


async def edit_in_place(
    update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Edit the pressed button's message; showing the screen already shown is not an error."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as exc:
        if not not_modified(exc):
            raise


def not_modified(exc: BadRequest) -> bool:
    """Telegram refused an edit that would change nothing ("message is not modified")."""
    return "not modified" in str(exc)
