"""/join confirmations: one message per group that lists who joined, edited as more join.

Telegram allows a bot 20 messages a minute in a group. A reply per /join spent them all
when a class joined at once, and the teacher's next command got nothing. Now the first
/join is confirmed by a new message; the ones that arrive while it is sent, or within a
second after, are added to it by one edit: 20 joins at once cost two messages.
"""

from __future__ import annotations

import asyncio
import logging
from html import escape

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError

from dojobot.handlers.classes.common import send_to_group
from dojobot.handlers.classes.texts import practise_keyboard
from dojobot.i18n import _, person
from dojobot.transport.context import DojoContext
from dojobot.transport.ratelimit import in_the_background_of_the_chat
from dojobot.transport.state import JoinNotice

log = logging.getLogger(__name__)

# A notice older than this, or this full, is left as it is and a new one starts.
NOTICE_MS = 10 * 60_000
NOTICE_NAMES = 50
# After each send or edit the notice waits this long, gathering names for the next edit:
# each edit is one of the group's 20 messages a minute.
EDIT_GAP_S = 1.0


def notice_text(names: list[str], title: str) -> str:
    """'✋ Joined the class: Aiko, Ben.' and how to practise."""
    return _(
        "✋ Joined the class: {names}. Tap Practise to train with me in private; your "
        "answers count on the board of {title}."
    ).format(names=", ".join(escape(person(n)) for n in names), title=escape(person(title)))


def announce_join(
    context: DojoContext, chat_id: int, title: str, user_id: int, name: str
) -> None:
    """Add a learner to the group's join notice; a task sends or edits it."""
    now = context.now_ms()
    notices = context.bot_data.classes.join_notices
    notice = notices.get(chat_id)
    if notice is None or now - notice.started_ms > NOTICE_MS or len(notice.names) >= NOTICE_NAMES:
        notice = notices[chat_id] = JoinNotice(started_ms=now, title=title)
    if notice.names.get(user_id) == name:
        return  # joined again (the class was deleted and begun anew): shown already
    notice.names[user_id] = name
    notice.version += 1
    _redraw(context, chat_id, notice)


def forget_joiner(context: DojoContext, user_id: int) -> None:
    """A learner erased their data: their name leaves every join notice this process keeps,
    and a notice already showing it is edited (or deleted, if it named only them)."""
    for chat_id, notice in list(context.bot_data.classes.join_notices.items()):
        if notice.names.pop(user_id, None) is None:
            continue
        notice.version += 1
        _redraw(context, chat_id, notice)


def _redraw(context: DojoContext, chat_id: int, notice: JoinNotice) -> None:
    if not notice.sending:
        notice.sending = True
        # Not awaited: the group's next /join is handled (and added) while this one sends.
        context.application.create_task(_show(context, chat_id, notice),
                                        name=f"join-notice-{chat_id}")


async def _show(context: DojoContext, chat_id: int, notice: JoinNotice) -> None:
    keyboard = practise_keyboard(context.bot.username, chat_id, join_button=False)
    # The group's commands go first, and keep a quarter of its minute: while the notice
    # waits for room, the names of later joins gather into its next edit.
    with in_the_background_of_the_chat():
        await _show_notice(context, chat_id, notice, keyboard)


async def _show_notice(
    context: DojoContext, chat_id: int, notice: JoinNotice, keyboard: InlineKeyboardMarkup
) -> None:
    try:
        while notice.shown != notice.version:
            version, names = notice.version, list(notice.names.values())
            if not names:  # it named only learners who erased their data since
                await _withdraw(context, chat_id, notice)
                return
            text = notice_text(names, notice.title)
            if notice.message_id is None:
                sent = await send_to_group(context, chat_id, text, keyboard=keyboard,
                                           deferrable=False)
                if sent is None:
                    return  # the class is gone (403) or moved; nothing more to show here
                notice.message_id = sent.message_id
            else:
                try:
                    await context.bot.edit_message_text(
                        text, chat_id=chat_id, message_id=notice.message_id, reply_markup=keyboard
                    )
                except BadRequest as exc:  # e.g. an admin deleted the notice: start anew
                    log.info("join notice in %s not edited (%s); a new one", chat_id, exc)
                    notice.message_id = None
                    continue
            notice.shown = version
            await asyncio.sleep(EDIT_GAP_S)
    except TelegramError as exc:
        log.warning("join notice in group %s failed: %s", chat_id, exc)
    finally:
        notice.sending = False


async def _withdraw(context: DojoContext, chat_id: int, notice: JoinNotice) -> None:
    """Delete a notice left with no names; the group's next /join starts a new one."""
    if context.bot_data.classes.join_notices.get(chat_id) is notice:
        del context.bot_data.classes.join_notices[chat_id]
    if notice.message_id is not None:
        try:
            await context.bot.delete_message(chat_id, notice.message_id)
        except BadRequest as exc:  # gone already, or too old for a bot to delete
            log.info("join notice in %s not deleted (%s)", chat_id, exc)
