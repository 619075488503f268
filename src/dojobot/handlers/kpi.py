"""/kpi: the owners' KPI report in a private chat; everyone else sees an unknown command."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from dojobot.handlers.common import unknown_command
from dojobot.ops.report import kpis_lines
from dojobot.storage.kpis import compute_kpis
from dojobot.transport.context import DojoContext

DAY_MS = 24 * 3600 * 1000


async def kpi(update: Update, context: DojoContext) -> None:
    """Last 24 hours and all time, for ids in DOJOBOT_ADMIN_IDS only."""
    user = update.effective_user
    message = update.effective_message
    assert message is not None
    if user is None or user.id not in context.settings.admin_ids:
        await unknown_command(update, context)  # do not reveal that /kpi exists
        return
    day = await compute_kpis(context.db, context.now_ms() - DAY_MS)
    total = await compute_kpis(context.db, None)
    text = "\n\n".join(
        f"<pre>{escape(chr(10).join(kpis_lines(k, w)))}</pre>"
        for k, w in ((day, "24h"), (total, "all"))
    )
    await message.reply_text(text)


def build_handlers() -> list[BaseHandler]:
    """/kpi in private chats."""
    return [CommandHandler("kpi", kpi, filters=filters.ChatType.PRIVATE)]
