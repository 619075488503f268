"""/kpi: the owners' KPI report in a private chat; everyone else sees an unknown command."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from dojobot.engine.flags import SCHEDULER
from dojobot.handlers.common import unknown_command
from dojobot.ops.report import by_arm_lines, kpis_lines
from dojobot.storage.arm_kpis import kpis_by_arm
from dojobot.storage.kpis import compute_kpis
from dojobot.transport.context import DojoContext

DAY_MS = 24 * 3600 * 1000


async def kpi(update: Update, context: DojoContext) -> None:
    """Last 24 hours and all time, and the last 7 days by scheduler arm (as `dojobot stats
    --by-flag scheduler --since 7d`), for ids in DOJOBOT_ADMIN_IDS only."""
    user = update.effective_user
    message = update.effective_message
    assert message is not None
    if user is None or user.id not in context.settings.admin_ids:
        await unknown_command(update, context)  # do not reveal that /kpi exists
        return
    now = context.now_ms()
    day = await compute_kpis(context.db, now - DAY_MS)
    total = await compute_kpis(context.db, None)
    # The scheduler experiment: a week, so next-day recall has days of reviews to count.
    week = await kpis_by_arm(context.db, SCHEDULER, now - 7 * DAY_MS)
    reports = [
        kpis_lines(day, "24h"), kpis_lines(total, "all"), by_arm_lines(SCHEDULER, week, "7d")
    ]
    await message.reply_text(
        "\n\n".join(f"<pre>{escape(chr(10).join(lines))}</pre>" for lines in reports)
    )


def build_handlers() -> list[BaseHandler]:
    """/kpi in private chats."""
    return [CommandHandler("kpi", kpi, filters=filters.ChatType.PRIVATE)]
