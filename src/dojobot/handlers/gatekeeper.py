"""Who is writing: group -1 records every sender and picks the language of the reply;
blocked learners are marked."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType

from dojobot.handlers.app_links import localise_menu_button
from dojobot.i18n import DEFAULT, activate, resolve
from dojobot.storage.db import Database
from dojobot.storage.languages import class_language, settle_user_language
from dojobot.storage.legacy import merge_pending
from dojobot.storage.users import mark_blocked, upsert_user
from dojobot.transport.context import BotData, DojoContext


async def remember_user(update: Update, context: DojoContext) -> None:
    """Record the sender, then speak the chat's language for the rest of the update."""
    await _record_sender(update, context)
    await _speak_the_chats_language(update, context)


async def _record_sender(update: Update, context: DojoContext) -> None:
    """Upsert the sender, but only when this process has not seen them as they are now.

    The cache keeps the answer path at one write: a learner mid-set costs no user write.
    """
    user = update.effective_user
    if user is None or user.is_bot:
        return
    seen = (user.first_name, user.username)
    if context.bot_data.gate.known_users.get(user.id) == seen:
        return
    await upsert_user(
        context.db, user.id, user.first_name, user.username, user.language_code,
        context.now_ms(),
    )
    context.bot_data.gate.known_users[user.id] = seen
    # History that `import-legacy --users` mapped to this learner before the bot met them.
    await merge_pending(context.db, user.id, context.now_ms())


async def _speak_the_chats_language(update: Update, context: DojoContext) -> None:
    """A private chat speaks its learner's language (from Telegram's language_code the
    first time, then as stored); a group speaks its class's. Cached: no read per answer."""
    chat = update.effective_chat
    if chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        language = await _group_language(chat.id, update, context)
    else:
        language = await _learner_language(update, context)
    activate(resolve(language))


async def _group_language(chat_id: int, update: Update, context: DojoContext) -> str:
    cache = context.bot_data.language.by_chat
    if chat_id not in cache:
        found = await class_language(context.db, chat_id)
        if found is None:  # no class yet: the writer's language, until the class has one
            return await _learner_language(update, context)
        cache[chat_id] = found
    return cache[chat_id]


async def _learner_language(update: Update, context: DojoContext) -> str:
    user = update.effective_user
    if user is None or user.is_bot:
        return DEFAULT
    chat = update.effective_chat
    private = chat is not None and chat.type == ChatType.PRIVATE
    return await learner_language(context.bot_data, context.db, user.id, user.language_code,
                                  own_chat=private)


async def learner_language(
    data: BotData, db: Database, user_id: int, language_code: str | None, *, own_chat: bool
) -> str:
    """The learner's language: cached, else settled in the database. Met first in their own
    chat or the app, their chat's menu button is set in it (the bot-wide one is the default
    language's): once per learner and process, not awaited, so the reply goes first."""
    if user_id in data.language.by_chat:
        return data.language.by_chat[user_id]
    found = await settle_user_language(db, user_id, resolve(language_code))
    data.language.by_chat[user_id] = found
    app, settings = data.application, data.settings
    if own_chat and found != DEFAULT and app is not None and settings is not None:
        app.create_task(localise_menu_button(app.bot, settings, user_id, found),
                        name=f"menu-button-{user_id}")
    return found


async def forget_blocked_user(data: BotData, user_id: int, now_ms: int) -> None:
    """Mark a user who blocked the bot; dropping them from the cache lets their next
    message (they unblocked us) clear the mark."""
    assert data.db is not None
    await mark_blocked(data.db, user_id, now_ms)
    data.gate.known_users.pop(user_id, None)


async def private_membership(update: Update, context: DojoContext) -> None:
    """A learner blocked (or unblocked) the bot: Telegram says so with my_chat_member."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    if change.new_chat_member.status == ChatMemberStatus.BANNED:
        await forget_blocked_user(context.bot_data, change.chat.id, context.now_ms())
    # Unblocking needs nothing here: remember_user already cleared the mark.
