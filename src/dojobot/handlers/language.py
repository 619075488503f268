"""/language: which language DojoBot speaks to a learner (buttons, or /language de)."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler

from dojobot.handlers.app_links import localise_menu_button
from dojobot.handlers.callbacks import ChooseLanguage, on_button
from dojobot.handlers.editing import edit_in_place
from dojobot.i18n import LANGUAGES, NATIVE_NAMES, _, activate, choice
from dojobot.storage.languages import set_user_language
from dojobot.transport.context import DojoContext


def language_keyboard(
    encode: Callable[[str], str] = lambda code: ChooseLanguage(code).encode(),
) -> InlineKeyboardMarkup:
    """One button per language, each in its own name (`encode` makes a code's data)."""
    buttons = [
        InlineKeyboardButton(NATIVE_NAMES[code], callback_data=encode(code))
        for code in LANGUAGES
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def chosen_text() -> str:
    """The confirmation, in the language just chosen."""
    return _("I will speak English with you. Send /language to change it.")


async def set_language(context: DojoContext, user_id: int, language: str) -> None:
    """Store the learner's choice and speak it from this reply on, the menu button too."""
    await set_user_language(context.db, user_id, language)
    context.bot_data.language.by_chat[user_id] = language
    activate(language)
    settings = context.bot_data.settings
    if settings is not None:
        await localise_menu_button(context.bot, settings, user_id, language)


async def language_command(update: Update, context: DojoContext) -> None:
    """/language: the buttons; /language de: switch at once; anything else: the buttons."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None and message.from_user is not None
    if chat.type != ChatType.PRIVATE:
        await message.reply_text(
            _("In a group, the class's admins choose the language in /board.")
        )
        return
    typed = " ".join(context.args or [])
    wanted = choice(typed) if typed else None
    if wanted is not None:
        await set_language(context, message.from_user.id, wanted)
        await message.reply_text(chosen_text())
        return
    head = _("Choose your language:") if not typed else _(
        "I don't have that language. Choose one of these:"
    )
    await message.reply_text(head, reply_markup=language_keyboard())


async def on_language_button(
    update: Update, context: DojoContext, data: ChooseLanguage
) -> None:
    """A language button: store it and confirm in that language."""
    query = update.callback_query
    assert query is not None
    await set_language(context, query.from_user.id, data.language)
    await query.answer()
    await edit_in_place(update, chosen_text())


def build_handlers() -> list[BaseHandler]:
    """/language and its buttons."""
    return [
        CommandHandler("language", language_command),
        on_button((ChooseLanguage,), on_language_button),
    ]
