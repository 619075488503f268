"""Run a python-telegram-bot Application inside an existing event loop.

``Application.run_polling`` owns the loop and installs signal handlers, which tests and the
sandbox cannot have. ``running`` performs the same steps in the same order as PTB's
``Application.__run`` (webhook.lifecycle around start_polling and start, then updater.stop).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import Application

from dojobot.webhook import lifecycle

__all__ = ["handling_updates", "running"]


def handling_updates(app: Application[Any, Any, Any, Any, Any, Any]) -> bool:
    """Whether `app` has updates queued or in a handler (for the stand-in's `bot_busy`)."""
    return not app.update_queue.empty() or app.update_processor.current_concurrent_updates > 0


@asynccontextmanager
async def running(
    app: Application[Any, Any, Any, Any, Any, Any],
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run `app` with long polling for the duration of the block, then shut it down."""
    updater = app.updater
    if updater is None:
        raise ValueError("running() needs an Application with an Updater")
    async with lifecycle(app):
        try:
            # Every update type, as `dojobot run` asks: chat_member is off unless requested.
            await updater.start_polling(
                poll_interval=0.0, timeout=10, drop_pending_updates=False,
                allowed_updates=Update.ALL_TYPES,
            )
            await app.start()
            yield app
        finally:
            if updater.running:
                await updater.stop()
