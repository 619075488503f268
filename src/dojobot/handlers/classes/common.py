"""Shared by the class handlers: admin checks, sending into groups within Telegram's limits,
the class of a chat, and loading a board."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import Chat, InlineKeyboardMarkup, InputFile, Message, ReplyParameters, Update
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TelegramError

from dojobot.display.formats import period as period_label
from dojobot.engine.calendar import Bounds, Period, period_bounds
from dojobot.engine.leaderboard import Board, build_board
from dojobot.handlers.classes.texts import board_heading, topic_name
from dojobot.i18n import _, activate, current, resolve
from dojobot.storage import classes as store
from dojobot.storage.classes import ClassGroup
from dojobot.storage.languages import class_language, set_class_language
from dojobot.transport.context import DojoContext
from dojobot.transport.ratelimit import PriorityRateLimiter

log = logging.getLogger(__name__)

# A panel button's toast, given before anything waits for the group's 20 messages a minute:
# Telegram refuses to answer a tap more than 15 s after it. A command has no tap to answer.
Toast = Callable[[str | None], Awaitable[object]]


async def no_toast(text: str | None) -> None:
    """For a command: nothing to answer."""
    del text


ADMIN_TTL_MS = 5 * 60_000
FAILED_TTL_MS = 30_000
ADMIN_ROLES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
MEMBER_ROLES = (*ADMIN_ROLES, ChatMemberStatus.MEMBER, ChatMemberStatus.RESTRICTED)


# getChatMember could not reach Telegram (a timeout, a network failure): no answer to keep.
UNREACHABLE = "unreachable"


async def member_status(context: DojoContext, chat_id: int, user_id: int) -> str | None:
    """The user's status in the group from getChatMember; None if Telegram refused to say
    (no such chat), UNREACHABLE if it could not be asked."""
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.info("getChatMember(%s, %s) failed: %s", chat_id, user_id, exc)
        # python-telegram-bot's BadRequest is a NetworkError too, but it is Telegram's answer.
        reached = not isinstance(exc, NetworkError) or isinstance(exc, BadRequest)
        return None if reached else UNREACHABLE
    return str(member.status)


async def is_admin(context: DojoContext, chat_id: int, user_id: int) -> bool:
    """Whether the user is the group's creator or an administrator (cached a few minutes;
    a member update about them, which an admin bot receives, drops the cache at once).
    A lookup Telegram refuses (no such chat) is a no, kept briefly: forged chat ids asked
    again and again cost one getChatMember each per half minute. A lookup that could not
    reach Telegram is a no kept for nothing: a real admin asks again at once."""
    now = context.now_ms()
    cache = context.bot_data.classes.admin_checks
    cached = cache.get(chat_id, user_id, now)
    if cached is not None:
        return cached
    status = await member_status(context, chat_id, user_id)
    verdict = status in ADMIN_ROLES
    if status != UNREACHABLE:
        ttl_ms = FAILED_TTL_MS if status is None else ADMIN_TTL_MS
        cache.put(chat_id, user_id, verdict, now + ttl_ms)
    return verdict


async def is_admin_now(context: DojoContext, chat_id: int, user_id: int) -> bool:
    """Whether the user is an admin of the group, asked of Telegram now (never the cache):
    for what cannot be undone, such as deleting the class. An admin demoted a minute ago
    where the bot is not an admin (so no member update told us) is refused here."""
    status = await member_status(context, chat_id, user_id)
    verdict = status in ADMIN_ROLES
    if status not in (None, UNREACHABLE):
        context.bot_data.classes.admin_checks.put(
            chat_id, user_id, verdict, context.now_ms() + ADMIN_TTL_MS)
    return verdict


def sent_by_admin_anonymously(update: Update) -> bool:
    """An anonymous admin writes as the group itself; only admins can do that."""
    message = update.effective_message
    chat = update.effective_chat
    return bool(
        message and chat and message.sender_chat and message.sender_chat.id == chat.id
    )


def group_minute_spent(context: DojoContext, chat_id: int) -> bool:
    """Whether a message to the group now would wait for Telegram's 20-a-minute limit."""
    limiter = context.bot.rate_limiter
    return isinstance(limiter, PriorityRateLimiter) and not limiter.group_has_room(chat_id)


async def _send(
    context: DojoContext,
    chat_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    reply_to: Message | None,
    photo: bytes | None,
) -> Message:
    # Quote the command being answered; send anyway if it was deleted meanwhile.
    quote = (
        ReplyParameters(reply_to.message_id, allow_sending_without_reply=True)
        if reply_to is not None
        else None
    )
    if photo is not None:
        return await context.bot.send_photo(
            chat_id, InputFile(photo, filename="board.png"), caption=text,
            reply_markup=keyboard, reply_parameters=quote,
        )
    return await context.bot.send_message(
        chat_id, text, reply_markup=keyboard, reply_parameters=quote
    )


async def send_to_group(
    context: DojoContext,
    chat_id: int,
    text: str,
    *,
    keyboard: InlineKeyboardMarkup | None = None,
    reply_to: Message | None = None,
    photo: bytes | None = None,
    deferrable: bool = True,
) -> Message | None:
    """Send into a class group (text, or a photo with `text` as caption).

    A reply (`deferrable`) that finds the group's minute spent is queued: it goes out from
    a task of its own when Telegram's group limit allows, so the group's next updates (a
    button tap, an admin's command) are not held behind it. Only a shutdown drops it,
    saying so in the log.
    A 403 marks the class inactive; a group upgraded to a supergroup is followed.
    None when nothing was sent (yet).
    """
    if deferrable and group_minute_spent(context, chat_id):
        log.info("group %s: this minute's messages are spent; reply queued", chat_id)
        queued = context.bot_data.classes.queued_replies
        task = asyncio.create_task(
            send_to_group(context, chat_id, text, keyboard=keyboard, reply_to=reply_to,
                          photo=photo, deferrable=False),
            name=f"queued-group-reply-{chat_id}",
        )
        queued.add(task)
        task.add_done_callback(queued.discard)
        return None
    try:
        return await _send(context, chat_id, text, keyboard, reply_to, photo)
    except Forbidden as exc:
        log.info("group %s refused a message (%s): class marked inactive", chat_id, exc)
        await store.deactivate_class(context.db, chat_id, context.now_ms())
    except ChatMigrated as exc:
        await store.migrate_class(context.db, chat_id, exc.new_chat_id, context.now_ms())
        try:
            return await _send(context, exc.new_chat_id, text, keyboard, None, photo)
        except Forbidden:
            await store.deactivate_class(context.db, exc.new_chat_id, context.now_ms())
    return None


async def ensure_class(context: DojoContext, chat: Chat) -> ClassGroup:
    """The chat's class; a command from a group proves the bot is there, so it is active."""
    cls = await store.get_class(context.db, chat.id)
    title = chat.title or (cls.title if cls else _("this class"))
    if cls is None or not cls.active or cls.title != title:
        cls = (await store.activate_class(
            context.db, chat.id, title, context.settings.default_timezone, context.now_ms()
        ))[0]
        await adopt_language(context, chat.id)
    return cls


async def adopt_language(context: DojoContext, chat_id: int) -> None:
    """A new class speaks the language of whoever brought the bot in (the adding admin, or
    the first to use it); a class that has one keeps it. Speaks it from here on."""
    await set_class_language(context.db, chat_id, current().code, only_new=True)
    language = await class_language(context.db, chat_id) or current().code
    context.bot_data.language.by_chat[chat_id] = language
    activate(resolve(language))


async def load_board(
    context: DojoContext, cls: ClassGroup, caller_id: int | None
) -> tuple[str, Board]:
    """The class's board for its current period and topic, with its heading."""
    period = Period(cls.period)
    now = context.now_ms()
    bounds = period_bounds(period, now, cls.timezone)
    board = await board_for(context, cls, bounds, caller_id)
    span = period_label(period, now, cls.timezone)
    return board_heading(cls.title, span, topic_name(context.catalogue, cls.topic_id)), board


async def board_for(
    context: DojoContext, cls: ClassGroup, bounds: Bounds, caller_id: int | None
) -> Board:
    """The class's board over a span, with its topic filter."""
    entries = await store.member_stats(
        context.db, cls.chat_id, bounds.start_ms, bounds.end_ms, cls.topic_id
    )
    return build_board(entries, caller_id)
