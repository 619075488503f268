"""/nickname: the name a learner shows on class boards (their first name by default)."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from dojobot.display.formats import number
from dojobot.engine.names import (
    MAX_NICKNAME,
    NicknameRejected,
    NicknameTooLong,
    clean_nickname,
)
from dojobot.handlers.classes.common import send_to_group
from dojobot.i18n import N_, _, ngettext, person
from dojobot.storage.classes import get_nickname, set_nickname
from dojobot.transport.context import DojoContext

USAGE = N_("Send /nickname Your Name to choose one (1-32 characters), or /nickname off.")


async def nickname(update: Update, context: DojoContext) -> None:
    """/nickname [name|off] in the private chat."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and message.text is not None and user is not None
    raw = message.text.partition(" ")[2].strip()
    first = escape(person(user.first_name))
    if not raw:
        current = await get_nickname(context.db, user.id)
        shown = (
            _("Class boards show your nickname <b>{name}</b>.").format(
                name=escape(person(current))
            )
            if current else
            _("Class boards show your first name, <b>{name}</b>.").format(name=first)
        )
        await message.reply_text(f"{shown}\n{_(USAGE)}")
        return
    if raw.casefold() == "off":
        await set_nickname(context.db, user.id, None)
        await message.reply_text(
            _("Done: class boards show your first name, <b>{name}</b>.").format(name=first)
        )
        return
    try:
        name = clean_nickname(raw)
    except NicknameTooLong as too_long:
        # Russian says "33 символа" but "35 символов": the count picks the plural form.
        reason = ngettext(
            "That is {n} character; the limit is {limit}.",
            "That is {n} characters; the limit is {limit}.",
            too_long.length,
        ).format(n=number(too_long.length), limit=number(MAX_NICKNAME))
        await message.reply_text(f"{escape(reason)} {_(USAGE)}")
        return
    except NicknameRejected as rejected:
        reason = _(rejected.reason).format(**rejected.details)
        await message.reply_text(f"{escape(reason)} {_(USAGE)}")
        return
    await set_nickname(context.db, user.id, name)
    await message.reply_text(
        _("Done: class boards show you as <b>{name}</b>.").format(name=escape(person(name)))
    )


async def nickname_in_group(update: Update, context: DojoContext) -> None:
    """/nickname in a group would tell everyone who hides behind it: point to private."""
    chat = update.effective_chat
    assert chat is not None
    await send_to_group(
        context, chat.id,
        _(
            "Choose your nickname in our private chat, so the group can't see who it is: "
            "send /nickname to @{bot}."
        ).format(bot=escape(context.bot.username)),
        reply_to=update.effective_message,
    )


def build_handlers() -> list[BaseHandler]:
    """The nickname's handlers (registered by the classes feature)."""
    message = filters.UpdateType.MESSAGE
    return [
        CommandHandler("nickname", nickname, filters=filters.ChatType.PRIVATE & message),
        CommandHandler("nickname", nickname_in_group, filters=filters.ChatType.GROUPS & message),
    ]
