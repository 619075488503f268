"""Class jobs: each class's final board of the week, posted once on Sunday evening in the
group's time, and the deletion of classes whose group removed the bot over 90 days ago."""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import (
    JobQueue,
)

from dojobot.display.formats import week as week_label
from dojobot.engine.calendar import Period, period_bounds, weekly_post_due
from dojobot.handlers.classes.common import (
    board_for,
    send_to_group,
)
from dojobot.handlers.classes.focus import board_focus
from dojobot.handlers.classes.texts import (
    board_heading,
    board_text,
    practise_keyboard,
    topic_name,
)
from dojobot.i18n import _, resolve, use_language
from dojobot.storage import classes as store
from dojobot.storage.classes import ClassGroup
from dojobot.storage.languages import class_language
from dojobot.transport.context import DojoContext

log = logging.getLogger(__name__)

WEEKLY_JOB = "class-weekly-boards"
WEEKLY_INTERVAL_S = 60
RETENTION_JOB = "class-retention"
DAY_S = 24 * 60 * 60
ABANDONED_AFTER_MS = 90 * 24 * 60 * 60_000  # a class whose group removed the bot

async def _post_final_board(context: DojoContext, cls: ClassGroup, week_start: int) -> bool:
    bounds = period_bounds(Period.WEEK, week_start, cls.timezone)
    shown = await board_for(context, cls, bounds, None)
    if not shown.practised:
        return False  # a quiet week: no post rather than an empty board
    heading = board_heading(
        cls.title, week_label(week_start, cls.timezone),
        topic_name(context.catalogue, cls.topic_id), final=True,
    )
    text = board_text(heading, shown, caller_id=None)
    focus = await board_focus(context, cls, week_start, final=True)
    if focus is not None:
        text += f"\n\n{focus}"
    text += "\n" + _("A new week starts on Monday. 🥋")
    sent = await send_to_group(
        context, cls.chat_id, text,
        keyboard=practise_keyboard(context.bot.username, cls.chat_id, join_button=True),
        deferrable=False,  # a job: it may wait for the group's minute
    )
    return sent is not None


async def post_weekly_boards(context: DojoContext) -> None:
    """Job: post each due class's final board of the week, once (Sunday evening, group time).

    The week is recorded before sending, so a restart never posts it twice; a send that
    fails for a passing reason releases it for the next run.
    """
    now = context.now_ms()
    for cls in await store.weekly_candidates(context.db):
        week = weekly_post_due(now, cls.timezone, cls.last_posted_week)
        if week is None or not await store.claim_weekly_post(context.db, cls.chat_id, week):
            continue
        try:
            # A job, not an update: the class's language is set here.
            with use_language(resolve(await class_language(context.db, cls.chat_id))):
                await _post_final_board(context, cls, week)
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                await store.deactivate_class(context.db, cls.chat_id, now)
            log.warning("weekly board for group %s not posted: %s", cls.chat_id, exc)
        except (NetworkError, RetryAfter) as exc:
            await store.release_weekly_post(context.db, cls.chat_id, week, cls.last_posted_week)
            log.warning("weekly board for group %s will be retried: %s", cls.chat_id, exc)
        except Exception:
            log.exception("weekly board for group %s failed", cls.chat_id)


async def delete_abandoned_classes(context: DojoContext) -> None:
    """Job: delete classes whose group removed the bot over 90 days ago (members, settings)."""
    cutoff = context.now_ms() - ABANDONED_AFTER_MS
    deleted = await store.delete_abandoned_classes(context.db, cutoff)
    if deleted:
        log.info("deleted %d classes whose groups removed the bot over 90 days ago", deleted)


def schedule_jobs(job_queue: JobQueue[Any]) -> None:
    """Schedule the weekly-board and daily retention jobs (deterministic names; the database
    holds their state)."""
    job_queue.run_repeating(
        post_weekly_boards, interval=WEEKLY_INTERVAL_S, first=WEEKLY_INTERVAL_S,
        name=WEEKLY_JOB,
    )
    job_queue.run_repeating(
        delete_abandoned_classes, interval=DAY_S, first=WEEKLY_INTERVAL_S, name=RETENTION_JOB
    )
