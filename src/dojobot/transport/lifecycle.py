"""Run a python-telegram-bot Application inside an existing event loop.

``Application.run_polling`` and ``run_webhook`` own the loop and install signal handlers,
which tests and the sandbox cannot have (and `dojobot run` does not want: cli.py says why).
``lifecycle`` performs the same steps in the same order as PTB's ``Application.__run``;
``running`` is long polling inside it (webhook.py serves the other way in).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update

from dojobot.transport.context import AnyApp

__all__ = ["handling_updates", "lifecycle", "running"]


def handling_updates(app: AnyApp) -> bool:
    """Whether `app` has updates queued or in a handler (for the stand-in's `bot_busy`)."""
    return not app.update_queue.empty() or app.update_processor.current_concurrent_updates > 0


@asynccontextmanager
async def lifecycle(app: AnyApp) -> AsyncIterator[None]:
    """PTB's Application.__run inside a running loop (run_polling and run_webhook own theirs):
    initialize and post_init, then the block (which starts taking updates, then calls
    app.start()); after it, stop and post_stop if the app started, shutdown, post_shutdown."""
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        try:
            yield
        finally:
            if app.running:
                await app.stop()
                if app.post_stop:  # as in PTB: only if stop() ran
                    await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


@asynccontextmanager
async def running(
    app: AnyApp, *, bootstrap_retries: int = 0,
) -> AsyncIterator[AnyApp]:
    """Run `app` with long polling for the duration of the block, then shut it down.
    `bootstrap_retries`: PTB's, for the deleteWebhook before polling (-1: without limit)."""
    updater = app.updater
    if updater is None:
        raise ValueError("running() needs an Application with an Updater")
    async with lifecycle(app):
        try:
            # Every update type, as `dojobot run` asks: chat_member is off unless requested.
            await updater.start_polling(
                poll_interval=0.0, timeout=10, drop_pending_updates=False,
                allowed_updates=Update.ALL_TYPES, bootstrap_retries=bootstrap_retries,
            )
            await app.start()
            yield app
        finally:
            if updater.running:
                await updater.stop()
