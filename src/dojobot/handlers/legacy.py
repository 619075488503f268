"""Claim links: `/start claim-<token>` merges an old-app history into this learner."""

from __future__ import annotations

import logging
from html import escape

from telegram import Update

from dojobot.context import DojoContext
from dojobot.storage import legacy as store

log = logging.getLogger(__name__)

REPLIES = {
    store.ClaimStatus.UNKNOWN: "That link is not valid. Ask the dojo's maintainer for a new one.",
    store.ClaimStatus.USED: "That link was already used. Send /progress to see your stages.",
    store.ClaimStatus.EXPIRED: "That link has expired (links last 7 days). "
    "Ask the dojo's maintainer for a new one.",
    store.ClaimStatus.ALREADY_LINKED: "That history was already merged into an account.",
}


async def claim(update: Update, context: DojoContext) -> None:
    """/start claim-<token>: link the legacy account and say what was merged."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None and context.args
    token = context.args[0].removeprefix(store.CLAIM_PREFIX)
    result = await store.claim(context.db, token, user.id, context.now_ms())
    if result.status is not store.ClaimStatus.MERGED:
        await message.reply_text(REPLIES[result.status])
        return
    merged = result.merged
    assert merged is not None
    log.info("legacy account %s merged into user %s", result.legacy_user_id, user.id)
    lines = [
        f"Welcome back, {escape(user.first_name)}! I merged your history from the old dojo: "
        f"{merged.sessions} sessions, {merged.reps} reps."
    ]
    catalogue = context.catalogue
    for topic_id, _old, new in merged.raised:
        topic = catalogue.topic(topic_id)
        name = topic.display_name if topic else f"topic {topic_id}"
        lines.append(f"• {escape(name)}: now at {escape(catalogue.stage(new).display_name)}")
    lines.append("\nSend /start to practise or /progress to see your stages.")
    await message.reply_text("\n".join(lines))
