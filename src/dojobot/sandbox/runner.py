"""Run a python-telegram-bot Application inside an existing event loop.

``Application.run_polling`` owns the loop and installs signal handlers, which tests and the
sandbox cannot have. ``running`` performs the same steps in the same order as PTB's
``Application.__run`` (initialize, post_init, start_polling, start; then updater.stop, stop,
post_stop, shutdown, post_shutdown).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import Application

__all__ = ["running"]


@asynccontextmanager
async def running(
    app: Application[Any, Any, Any, Any, Any, Any],
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run `app` with long polling for the duration of the block, then shut it down."""
    updater = app.updater
    if updater is None:
        raise ValueError("running() needs an Application with an Updater")
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
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
            if app.running:
                await app.stop()
                # As in PTB: post_stop only runs if stop() ran.
                if app.post_stop:
                    await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
