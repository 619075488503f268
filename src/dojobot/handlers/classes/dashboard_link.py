"""How an admin opens the class dashboard (the Mini App) from the group.

Telegram refuses web-app buttons in groups, but allows a plain link. Where the bot's Mini
App has a short name (DOJOBOT_WEB_APP_NAME, from @BotFather's /newapp), /board's "📊
Dashboard" is that link, the direct Mini App link carrying the class:
`https://t.me/<bot>/<app>?startapp=dash-n<group>`. One tap in the group opens the dashboard
over the chat; Telegram opens the app's main URL with the start parameter, and web/entry.py
sends it on to `/dashboard?class=n<group>`.

Without a short name the button is a callback: the bot sends the admin, in their private
chat, a message whose web-app button opens `<DOJOBOT_WEB_APP_URL>/dashboard?class=<group>`.
An admin who never opened the private chat gets a group note with a deep link
(`start=dash-n<id>`) that opens it and delivers the button there, as the CSV export does.

Either way the class id is no secret: every request of the dashboard checks that whoever
opened it is the group's admin (anyone in the group may tap the link; a member who is not
an admin gets the dashboard's refusal page).
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, User, WebAppInfo
from telegram.error import Forbidden

from dojobot.handlers.callbacks import BoardPanel, Panel
from dojobot.handlers.classes.common import Toast, send_to_group
from dojobot.handlers.classes.texts import bot_link, encode_link
from dojobot.i18n import _, person
from dojobot.storage.classes import ClassGroup
from dojobot.transport.context import DojoContext


def dashboard_button(context: DojoContext, chat_id: int) -> InlineKeyboardButton | None:
    """/board's "📊 Dashboard": the direct Mini App link where the app has a short name,
    else the callback that sends the web-app button privately; None without a Mini App."""
    settings = context.settings
    if settings.web_app_url is None:
        return None
    if settings.web_app_name is not None:
        return InlineKeyboardButton(
            _("📊 Dashboard"),
            url=direct_link(context.bot.username, settings.web_app_name, chat_id),
        )
    return InlineKeyboardButton(
        _("📊 Dashboard"), callback_data=BoardPanel(chat_id, Panel.DASHBOARD).encode()
    )


def direct_link(bot_username: str, app_name: str, chat_id: int) -> str:
    """'https://t.me/<bot>/<app>?startapp=dash-n4001': opens the class's dashboard."""
    return f"https://t.me/{bot_username}/{app_name}?startapp={encode_link('dash', chat_id)}"


def dashboard_url(base: str, chat_id: int) -> str:
    """The dashboard page of a class: '<base>/dashboard?class=n4001'."""
    return f"{base}/dashboard?class={encode_link('dash', chat_id).removeprefix('dash-')}"


async def send_dashboard_button(context: DojoContext, cls: ClassGroup, user_id: int) -> bool:
    """Send the admin the button that opens the class's dashboard, privately; False if
    Telegram forbids the message (they never opened the chat)."""
    base = context.settings.web_app_url
    assert base is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
        _("📊 Open the dashboard"), web_app=WebAppInfo(dashboard_url(base, cls.chat_id))
    )]])
    try:
        await context.bot.send_message(
            user_id,
            _("📊 The dashboard of <b>{title}</b>: who practised, who needs help with which "
              "facts, the weeks' trends and the weekly focus. Only the group's admins can "
              "open it.").format(title=escape(cls.title)),
            reply_markup=keyboard,
        )
    except Forbidden:
        return False
    return True


async def offer_dashboard(
    context: DojoContext, cls: ClassGroup, user: User, toast: Toast
) -> None:
    """/board's "📊 Dashboard": the button privately (the toast says so), or a way there."""
    if context.settings.web_app_url is None:
        await toast(_("The dashboard needs the bot's Mini App, which this bot does not have."))
        return
    if user.is_bot:  # an anonymous admin has no private chat
        await toast(None)
        await send_to_group(
            context, cls.chat_id,
            _("I can't open the dashboard for an anonymous admin: tap it as yourself."),
        )
        return
    if await send_dashboard_button(context, cls, user.id):
        await toast(_("📊 Sent to our private chat."))
        return
    await toast(_("Open a chat with me first: see the button I posted."))
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
        _("📊 Open the dashboard"),
        url=bot_link(context.bot.username, encode_link("dash", cls.chat_id)),
    )]])
    await send_to_group(
        context, cls.chat_id,
        _("{name}, I can't message you until you open a chat with me. Tap the button and "
          "press Start: the dashboard opens from there.").format(
            name=escape(person(user.first_name))
        ),
        keyboard=keyboard,
    )
