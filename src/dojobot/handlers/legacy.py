"""Claim links: `/start claim-<token>` merges an old-app history into this learner."""

from __future__ import annotations

import logging
from html import escape

from telegram import Update

from dojobot.display.formats import number
from dojobot.i18n import N_, _, ngettext
from dojobot.i18n.names import shown
from dojobot.storage import legacy as store
from dojobot.transport.context import DojoContext

log = logging.getLogger(__name__)

REPLIES = {
    store.ClaimStatus.UNKNOWN: N_(
        "That link is not valid. Ask the dojo's maintainer for a new one."
    ),
    store.ClaimStatus.USED: N_("That link was already used. Send /progress to see your stages."),
    store.ClaimStatus.EXPIRED: N_(
        "That link has expired (links last 7 days). Ask the dojo's maintainer for a new one."
    ),
    store.ClaimStatus.ALREADY_LINKED: N_("That history was already merged into an account."),
}


async def claim(update: Update, context: DojoContext) -> None:
    """/start claim-<token>: link the legacy account and say what was merged."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None and context.args
    token = context.args[0].removeprefix(store.CLAIM_PREFIX)
    result = await store.claim(context.db, token, user.id, context.now_ms())
    if result.status is not store.ClaimStatus.MERGED:
        await message.reply_text(_(REPLIES[result.status]))
        return
    merged = result.merged
    assert merged is not None
    log.info("legacy account %s merged into user %s", result.legacy_user_id, user.id)
    sessions = ngettext("{n} session", "{n} sessions", merged.sessions).format(
        n=merged.sessions
    )
    reps = ngettext("{n} rep", "{n} reps", merged.reps).format(n=number(merged.reps))
    lines = [
        _(
            "Welcome back, {name}! I merged your history from the old dojo: {sessions}, {reps}."
        ).format(name=escape(user.first_name), sessions=sessions, reps=reps)
    ]
    catalogue = context.catalogue
    for topic_id, _old, new in merged.raised:
        topic = catalogue.topic(topic_id)
        name = shown(topic.display_name) if topic else _("topic {id}").format(id=topic_id)
        lines.append(
            _("• {topic}: now at {stage}").format(
                topic=escape(name), stage=escape(catalogue.stage(new).display_name)
            )
        )
    lines.append("\n" + _("Send /start to practise or /progress to see your stages."))
    await message.reply_text("\n".join(lines))
