"""Class groups: the bot arriving and leaving, learners joining, the leaderboard, weekly posts.

Everything works with privacy mode on: the bot relies only on commands, callback queries,
my_chat_member updates and service messages (members, supergroup migration). Where the bot
is an admin it also gets chat_member updates: members leaving or removed even when the
group hides its service messages, and admins demoted (their cached rights are dropped).

Joining takes one tap either way. The welcome post's "Join the class" button is a callback:
it registers whoever taps it, needs no private chat, and works in privacy mode. Its
"Practise" button is a deep link (t.me/<bot>?start=join-n<id>) that opens the private chat,
where practice happens, and registers the learner there too, after getChatMember confirms
they are in the group (a link can be passed around; group membership can't).

```mermaid
stateDiagram-v2
    [*] --> Active: bot added (my_chat_member / new_chat_members): welcome post
    Active --> Inactive: bot removed, left, or a send answered 403
    Inactive --> Active: bot added again: "back", class intact
    Active --> Active: migrate_to_chat_id: class, members, settings move to the new id
    Active --> [*]: an admin deletes it from /board
    Inactive --> [*]: 90 days without the bot: deleted (the daily class-retention job)
```
"""

from __future__ import annotations

import logging
from html import escape

from telegram import Chat, ChatMember, ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import (
    BaseHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from dojobot.handlers.callbacks import JoinClass, on_button
from dojobot.handlers.classes import board, nickname
from dojobot.handlers.classes.common import (
    ADMIN_ROLES,
    MEMBER_ROLES,
    adopt_language,
    ensure_class,
    load_board,
    member_status,
    send_to_group,
)
from dojobot.handlers.classes.dashboard_link import send_dashboard_button
from dojobot.handlers.classes.focus import board_focus
from dojobot.handlers.classes.joins import announce_join
from dojobot.handlers.classes.texts import (
    board_text,
    decode_link,
    practise_keyboard,
    welcome_text,
)
from dojobot.i18n import N_, _
from dojobot.storage import classes as store
from dojobot.transport.context import DojoContext

log = logging.getLogger(__name__)

GROUP_ONLY = N_("That works in a class group: add me to your group first.")
NOT_A_MEMBER = N_("Only members of this group can join its class: join the group first.")
LINK_REFUSED = {
    "join": N_(
        "That class link is for members of its Telegram group: join the group first, then "
        "open the link again."
    ),
    "exp": N_("That export link works for the group's admins only."),
    "dash": N_("The dashboard is for the group's admins only."),
}
PRESENT = (*ADMIN_ROLES, ChatMemberStatus.MEMBER)


class GroupBotMemberHandler(ChatMemberHandler[DojoContext, None]):
    """my_chat_member updates of groups only, so private ones (blocks) stay for others."""

    def check_update(self, update: object) -> bool:
        """Claim the update only for a group or supergroup."""
        return (
            super().check_update(update)
            and isinstance(update, Update)
            and update.my_chat_member is not None
            and update.my_chat_member.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
        )


def _short(title: str) -> str:
    return title if len(title) <= 60 else f"{title[:59]}…"


# ------------------------------------------------------------------ the bot in the group


async def _arrive(context: DojoContext, chat: Chat) -> None:
    """The bot is in the group: activate the class and welcome it once per arrival."""
    existing = await store.get_class(context.db, chat.id)
    cls, newly = await store.activate_class(
        context.db, chat.id, chat.title or _("this class"), context.settings.default_timezone,
        context.now_ms(),
    )
    if not newly:
        return  # the other of the two arrival updates already welcomed the group
    await adopt_language(context, chat.id)
    members = await store.member_count(context.db, chat.id)
    await send_to_group(
        context, chat.id, welcome_text(cls.title, members, returning=existing is not None),
        keyboard=practise_keyboard(context.bot.username, chat.id, join_button=True),
        deferrable=False,
    )


async def bot_membership(update: Update, context: DojoContext) -> None:
    """my_chat_member in a group: the bot was added, promoted, removed or left."""
    change: ChatMemberUpdated | None = update.my_chat_member
    assert change is not None
    forget_admin_checks(context, change.chat.id)
    new = change.new_chat_member
    if _still_in(new):
        await _arrive(context, change.chat)
    elif await store.deactivate_class(context.db, change.chat.id, context.now_ms()):
        # left, kicked, or restricted out of the group
        log.info("bot removed from group %s: class kept, posts stop", change.chat.id)


async def members_changed(update: Update, context: DojoContext) -> None:
    """new_chat_members / left_chat_member service messages in a group."""
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    bot_id = context.bot.id
    if any(u.id == bot_id for u in message.new_chat_members):
        await _arrive(context, chat)
    left = message.left_chat_member
    if left is not None:
        if left.id == bot_id:
            await store.deactivate_class(context.db, chat.id, context.now_ms())
        elif await store.leave_class(context.db, chat.id, left.id):
            log.info("a member left group %s and so its class", chat.id)
        forget_admin_checks(context, chat.id, left.id)


def forget_admin_checks(context: DojoContext, chat_id: int, user_id: int | None = None) -> None:
    """Drop cached admin verdicts of a chat (of one user, or everyone's): the next check
    asks Telegram again."""
    context.bot_data.classes.admin_checks.drop(chat_id, user_id)


def _still_in(member: ChatMember) -> bool:
    return member.status in PRESENT or (
        member.status == ChatMemberStatus.RESTRICTED and getattr(member, "is_member", False)
    )


async def member_changed(update: Update, context: DojoContext) -> None:
    """chat_member: someone's status in the group changed (Telegram sends these only to a
    bot that is an admin there). A demoted admin loses admin powers at once; a member who
    left or was removed leaves the class."""
    change = update.chat_member
    assert change is not None
    user_id = change.new_chat_member.user.id
    forget_admin_checks(context, change.chat.id, user_id)
    if not _still_in(change.new_chat_member) and await store.leave_class(
        context.db, change.chat.id, user_id
    ):
        log.info("a member left group %s and so its class", change.chat.id)


async def migrated(update: Update, context: DojoContext) -> None:
    """A group became a supergroup: move its class to the new chat id (both messages work)."""
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    if message.migrate_to_chat_id is not None:
        old, new = chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, chat.id
    else:
        return
    if await store.migrate_class(context.db, old, new, context.now_ms()):
        log.info("class moved from group %s to supergroup %s", old, new)


# ------------------------------------------------------------------ joining


async def join_button(update: Update, context: DojoContext, data: JoinClass) -> None:
    """'Join the class' (pressed in the group it names): register whoever tapped it."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    cls = await store.get_class(context.db, data.chat_id)
    if cls is None or not cls.active:
        # e.g. a welcome left in a group that was since upgraded to a supergroup
        await query.answer(_("This button is out of date: send /join in the group to join."))
        return
    # A public group's messages (and buttons) are visible to people who are not in it.
    if await member_status(context, data.chat_id, user.id) not in MEMBER_ROLES:
        await query.answer(_(NOT_A_MEMBER))
        return
    joined = await store.join_class(context.db, data.chat_id, user.id, context.now_ms())
    title = _short(cls.title)
    await query.answer(
        (
            _("✋ You joined {title}! Tap Practise to train with me in private.") if joined
            else _("You are already in {title}. Tap Practise to train with me in private.")
        ).format(title=title)
    )


async def join_command(update: Update, context: DojoContext) -> None:
    """/join in a group."""
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None and user is not None
    if user.is_bot:
        await send_to_group(
            context, chat.id, _("Anonymous admins can't join: write as yourself."),
            reply_to=update.effective_message,
        )
        return
    cls = await ensure_class(context, chat)
    if await store.join_class(context.db, chat.id, user.id, context.now_ms()):
        announce_join(context, chat.id, cls.title, user.id, user.first_name)  # one notice for many
        return
    await send_to_group(
        context, chat.id,
        _(
            "You are already in the class. Tap Practise to train with me in private; your "
            "answers count on the board of {title}."
        ).format(title=escape(cls.title)),
        keyboard=practise_keyboard(context.bot.username, chat.id, join_button=False),
        reply_to=update.effective_message,
    )


async def leave_command(update: Update, context: DojoContext) -> None:
    """/leave in a group: off the board; the learner's own progress stays."""
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None and user is not None
    left = await store.leave_class(context.db, chat.id, user.id)
    text = (
        _(
            "You left the class and no longer appear on its board. Your own progress is "
            "kept; /join brings you back."
        )
        if left else _("You are not in this class. /join to take part.")
    )
    await send_to_group(context, chat.id, text, reply_to=update.effective_message)


async def open_class_link(update: Update, context: DojoContext, payload: str) -> str:
    """A /start join-/exp-/dash- deep link in the private chat; returns a note for the menu."""
    user = update.effective_user
    assert user is not None
    decoded = decode_link(payload)
    if decoded is None:
        return _("I didn't recognise that class link, so here is the full menu.") + "\n\n"
    kind, chat_id = decoded
    # Whoever holds a link but is not in the group learns nothing of the class: not its
    # title, not whether it exists (no class and no membership read the same).
    cls = await store.get_class(context.db, chat_id)
    if cls is None or await member_status(context, chat_id, user.id) not in (
        ADMIN_ROLES if kind in ("exp", "dash") else MEMBER_ROLES
    ):
        return _(LINK_REFUSED[kind]) + "\n\n"
    if not cls.active:
        return _("That class isn't open any more. Ask your teacher for a fresh link.") + "\n\n"
    title = escape(cls.title)
    if kind == "exp":
        await board.send_export(context, cls, user.id)
        note = _("📄 Above: the export of <b>{title}</b>.")
    elif kind == "dash":
        if context.settings.web_app_url is None or not await send_dashboard_button(
            context, cls, user.id
        ):
            return _("The dashboard needs the bot's Mini App, which this bot does not have.") \
                + "\n\n"
        note = _("📊 Above: the dashboard of <b>{title}</b>.")
    elif await store.join_class(context.db, chat_id, user.id, context.now_ms()):
        note = _("✋ You joined <b>{title}</b>: your answers now count on its board.")
    else:
        note = _("You are in <b>{title}</b>: your answers count on its board.")
    return note.format(title=title) + "\n\n"


# ------------------------------------------------------------------ the board


async def leaderboard(update: Update, context: DojoContext) -> None:
    """/leaderboard in a group: the top 10 and, below, the caller's own rank."""
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None and user is not None
    cls = await ensure_class(context, chat)
    heading, shown = await load_board(context, cls, None if user.is_bot else user.id)
    text = board_text(heading, shown, caller_id=None if user.is_bot else user.id)
    focus = await board_focus(context, cls, context.now_ms())
    await send_to_group(
        context, chat.id, text if focus is None else f"{text}\n\n{focus}",
        keyboard=practise_keyboard(context.bot.username, chat.id, join_button=False),
        reply_to=update.effective_message,
    )


async def group_start(update: Update, context: DojoContext) -> None:
    """/start in a group: the welcome with its join buttons."""
    chat = update.effective_chat
    assert chat is not None
    cls = await ensure_class(context, chat)
    await send_to_group(
        context, chat.id, welcome_text(cls.title, 0, returning=False),
        keyboard=practise_keyboard(context.bot.username, chat.id, join_button=True),
        reply_to=update.effective_message,
    )


async def group_only(update: Update, context: DojoContext) -> None:
    """A group command sent in the private chat."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(_(GROUP_ONLY))


def build_handlers() -> list[BaseHandler]:
    """The classes feature's handlers, board settings and nicknames included."""
    groups = filters.ChatType.GROUPS
    commands = groups & filters.UpdateType.MESSAGE
    return [
        GroupBotMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        ChatMemberHandler(member_changed, ChatMemberHandler.CHAT_MEMBER),
        MessageHandler(
            groups
            & (filters.StatusUpdate.NEW_CHAT_MEMBERS | filters.StatusUpdate.LEFT_CHAT_MEMBER),
            members_changed,
        ),
        MessageHandler(filters.StatusUpdate.MIGRATE, migrated),
        CommandHandler("leaderboard", leaderboard, filters=commands),
        CommandHandler("join", join_command, filters=commands),
        CommandHandler("leave", leave_command, filters=commands),
        CommandHandler("start", group_start, filters=commands),
        on_button((JoinClass,), join_button),
        *board.build_handlers(),
        *nickname.build_handlers(),
        CommandHandler(
            ["leaderboard", "board", "join", "leave"], group_only,
            filters=filters.ChatType.PRIVATE,
        ),
    ]
