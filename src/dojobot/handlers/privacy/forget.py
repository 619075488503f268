"""/forgetme: erase everything stored about the learner, after one confirmation.

The request is stored with a random nonce and a 10-minute expiry (storage.privacy); the
confirmation button carries the nonce. Confirming erases every row about the learner in
one transaction, the request included, so a second tap, an expired button or a forged one
finds nothing to act on. The log records counts only, never who.

```mermaid
stateDiagram-v2
    [*] --> Asked: /forgetme (request stored, 10 minutes)
    Asked --> Erased: fgt:<nonce> within 10 minutes
    Asked --> Kept: fgt:keep (the request is deleted), or the button after 10 minutes
    Erased --> [*]: the next message starts a new learner
```
"""

from __future__ import annotations

import logging
import secrets

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from dojobot.handlers.app_links import forget_menu_button
from dojobot.handlers.callbacks import ForgetMe, on_button
from dojobot.handlers.classes.joins import forget_joiner
from dojobot.handlers.editing import edit_in_place
from dojobot.handlers.privacy.common import private_only
from dojobot.i18n import N_, _
from dojobot.storage.listening import Listener
from dojobot.storage.postgres import PostgresDatabase
from dojobot.storage.privacy import (
    ERASED_CHANNEL,
    Erased,
    cancel_erasure,
    confirm_erasure,
    request_erasure,
)
from dojobot.transport.context import AnyApp, DojoContext

log = logging.getLogger(__name__)

# Translators: the list says truly what storage.privacy erases: "what I remember of each
# fact" is the learner's review memory (the fluency map); "the app's timings" are the
# answer times measured in the Mini App; a class focus the learner set stays for the class,
# without their name.
ASK = N_(
    "⚠️ <b>Delete everything I keep about you?</b>\n"
    "Deleted for good: your answers (with the app's timings), sets, progress and streak; what "
    "I remember of each fact; your reminder, timezone, pace and language choice; your "
    "classes and nickname; and any imported history. You disappear from every class board, "
    "and a class focus you set stays without your name. This cannot be undone: /mydata "
    "first if you want a copy.\n\n"
    "The button works for 10 minutes."
)
ERASED = N_(
    "🗑 Done: everything I kept about you is deleted. If you write to me again, "
    "I will meet you as a new learner."
)
KEPT = N_("Nothing was deleted.")
EXPIRED = N_("That button has expired: nothing was deleted. Send /forgetme to start again.")
UNKNOWN = N_("That button is no longer valid: nothing was deleted. Send /forgetme to start again.")


async def ask(update: Update, context: DojoContext) -> None:
    """/forgetme in the private chat: the confirmation."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    nonce = secrets.token_urlsafe(12)  # 16 characters of [A-Za-z0-9_-]
    await request_erasure(context.db, user.id, nonce, context.now_ms())
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(_("🗑 Delete everything"), callback_data=ForgetMe(nonce).encode())],
        [InlineKeyboardButton(_("Keep my data"), callback_data=ForgetMe(None).encode())],
    ])
    await message.reply_text(_(ASK), reply_markup=keyboard)


def forget_in_memory(context: DojoContext, user_id: int) -> None:
    """Drop everything this process remembers about the learner: the caches of who they
    are and what they speak, their place in join notices (edited at once), admin checks,
    tapped menus, timers and PTB's user and chat data. Every replica runs it: the one that
    erased directly, the others when the database tells them (follow_erasures)."""
    for cache in context.bot_data.caches():
        cache.forget(user_id)
    forget_joiner(context, user_id)
    context.application.drop_user_data(user_id)
    context.application.drop_chat_data(user_id)


def forget_everyone(context: DojoContext) -> None:
    """Drop every learner's cached identity and language: this replica may have missed an
    erasure (its connection to the database's notices was lost for a while). The caches
    fill again from the database, one read per learner."""
    for cache in context.bot_data.caches():
        cache.forget_everyone()


async def follow_erasures(app: AnyApp) -> Listener | None:
    """On PostgreSQL, forget a learner erased by any replica (this one's own erasures come
    back too, and find nothing left to drop); SQLite has one process, which forgets at once."""
    db = app.bot_data.db
    if not isinstance(db, PostgresDatabase):
        return None
    context = DojoContext(app)
    return await db.listen(
        ERASED_CHANNEL, lambda payload: forget_in_memory(context, int(payload)),
        lambda: forget_everyone(context),
    )


async def confirm(update: Update, context: DojoContext, data: ForgetMe) -> None:
    """The confirmation's buttons (the learner's private chat only: see on_button)."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    if data.nonce is None:
        await cancel_erasure(context.db, user.id)
        await query.answer(_(KEPT))
        await edit_in_place(update, _(KEPT), None)
        return
    outcome = await confirm_erasure(
        context.db, user.id, data.nonce, context.now_ms(), context.bot_data.erasure_key
    )
    if not isinstance(outcome, Erased):
        why = EXPIRED if outcome == "expired" else UNKNOWN
        await query.answer(_(why), show_alert=True)
        return
    forget_in_memory(context, user.id)
    if context.bot_data.settings is not None:
        await forget_menu_button(context.bot, context.bot_data.settings, user.id)
    log.info("a learner erased their data: %s", outcome.summary())
    await query.answer(_("Deleted."))
    await edit_in_place(update, _(ERASED), None)


async def in_group(update: Update, context: DojoContext) -> None:
    """/forgetme in a group: nothing happens there."""
    await private_only(update, context, "forgetme")


def build_handlers() -> list[BaseHandler]:
    """/forgetme and its buttons."""
    return [
        CommandHandler("forgetme", ask, filters=filters.ChatType.PRIVATE),
        CommandHandler("forgetme", in_group, filters=filters.ChatType.GROUPS),
        on_button((ForgetMe,), confirm),
    ]
