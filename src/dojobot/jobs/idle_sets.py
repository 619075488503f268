"""Close practice sets left idle longer than the idle timeout, once a minute."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import (
    JobQueue,
)

from dojobot.storage import practice as store
from dojobot.transport.context import DojoContext

log = logging.getLogger(__name__)

async def close_idle_sets(context: DojoContext) -> None:
    """Job: close sets left idle longer than the idle timeout, at their real end time."""
    idle_ms = context.settings.idle_timeout_minutes * 60_000
    closed = await store.close_idle_sets(context.db, context.now_ms() - idle_ms)
    for user_id, _summary in closed:
        context.bot_data.practice.problem_sent_at.pop(user_id, None)
    if closed:
        log.info("closed %d idle sets", len(closed))


def schedule_jobs(job_queue: JobQueue[Any]) -> None:
    """Close idle sets once a minute."""
    job_queue.run_repeating(close_idle_sets, interval=60, first=60, name="close-idle-sets")
