"""The Mini App's addresses in the chat: the "⚡ Practise in the app" buttons and the bot's
menu button (dojobot.web serves the pages; DOJOBOT_WEB_APP_URL says where). Telegram opens
a web_app button's page with the learner's signed initData; it allows them in private
chats only, which is where these are shown.

The menu button has no language of its own (setMyCommands takes a language_code,
setChatMenuButton does not): the bot-wide one, set at start, is English, and each learner
whose language is another gets their own chat's button in it."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from telegram import Bot, InlineKeyboardButton, MenuButtonWebApp, WebAppInfo
from telegram.error import TelegramError

from dojobot.config import Settings
from dojobot.engine.facts import STANDARD_LEVEL
from dojobot.i18n import N_, _, use_language
from dojobot.storage.catalogue import Catalogue, Topic

log = logging.getLogger(__name__)

APP_BUTTON = N_("⚡ Practise in the app")
MENU_BUTTON = N_("⚡ Practise")


def practice_path(catalogue: Catalogue, topic: Topic, level_id: int | None) -> str:
    """The seed's route for a topic: /practice/<field>/<subject>/<topic>?difficulty=<id>."""
    subject = catalogue.subject(topic.subject_id)
    field = catalogue.field(subject.field_id) if subject else None
    assert subject is not None and field is not None
    if level_id is None or level_id not in topic.level_ids:
        level_id = STANDARD_LEVEL if STANDARD_LEVEL in topic.level_ids else topic.level_ids[0]
    query = urlencode({"difficulty": level_id})
    return f"/practice/{field.code}/{subject.code}/{topic.slug}?{query}"


def app_button(
    settings: Settings, catalogue: Catalogue, topic: Topic, level_id: int | None
) -> InlineKeyboardButton | None:
    """'⚡ Practise in the app' for the topic and level; None when no app is configured."""
    if settings.web_app_url is None:
        return None
    url = settings.web_app_url + practice_path(catalogue, topic, level_id)
    return InlineKeyboardButton(_(APP_BUTTON), web_app=WebAppInfo(url))


def _menu_button(web_app_url: str) -> MenuButtonWebApp:
    """The menu button in the language in use: it opens the app's home (the progress page)."""
    return MenuButtonWebApp(_(MENU_BUTTON), WebAppInfo(web_app_url + "/"))


async def publish_menu_button(bot: Bot, settings: Settings) -> None:
    """The bot-wide menu button, in English, when there is an app."""
    if settings.web_app_url is None:
        return
    await bot.set_chat_menu_button(menu_button=_menu_button(settings.web_app_url))


async def localise_menu_button(
    bot: Bot, settings: Settings, chat_id: int, language: str
) -> None:
    """A learner's private chat's menu button in `language`. A refusal (the learner blocked
    the bot, Telegram is down) costs the button its language, never the reply."""
    if settings.web_app_url is None:
        return
    with use_language(language):
        await _set_menu_button(bot, chat_id, _menu_button(settings.web_app_url))


async def forget_menu_button(bot: Bot, settings: Settings, chat_id: int) -> None:
    """The chat's menu button back to the bot-wide one (/forgetme: its language was the
    learner's)."""
    if settings.web_app_url is not None:
        await _set_menu_button(bot, chat_id, None)


async def _set_menu_button(bot: Bot, chat_id: int, button: MenuButtonWebApp | None) -> None:
    try:
        await bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
    except TelegramError as exc:
        log.info("menu button of chat %s not set: %s", chat_id, exc)
