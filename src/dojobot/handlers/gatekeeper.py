"""Group -1: runs before every handler and records who is writing."""

from __future__ import annotations

from telegram import Update

from dojobot.context import DojoContext
from dojobot.storage.legacy import merge_pending
from dojobot.storage.users import upsert_user


async def remember_user(update: Update, context: DojoContext) -> None:
    """Upsert the sender, but only when this process has not seen them as they are now.

    The cache keeps the answer path at one write: a learner mid-set costs no user write.
    """
    user = update.effective_user
    if user is None or user.is_bot:
        return
    seen = (user.first_name, user.username)
    if context.bot_data.known_users.get(user.id) == seen:
        return
    await upsert_user(
        context.db, user.id, user.first_name, user.username, user.language_code,
        context.now_ms(),
    )
    context.bot_data.known_users[user.id] = seen
    # History that `import-legacy --users` mapped to this learner before the bot met them.
    await merge_pending(context.db, user.id, context.now_ms())
