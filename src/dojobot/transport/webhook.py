"""The webhook endpoint: Telegram's POST is answered 200 only once its update was handled.

python-telegram-bot's own webhook server answers as soon as the update is queued. Telegram
sends an update again only while its POST is unanswered or failed, so an update a replica
had taken but not handled when it died (`kill -9`, a vanished machine) was lost: the
learner saw no reply and typed the answer again, and it counted against the next problem.
Here the POST waits for the update to go through the application's update processor (chats
concurrently, each chat's updates in order), so an update a dead replica held is sent again
by Telegram, through the proxy, to another replica or to the restarted one.

The price: an update can be handled twice (handled, then killed before the 200). What it
changes is recorded with the message id that caused it, and a message seen again changes
nothing: an answer is judged once and a deep link starts its set once (storage/practice.py).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from http import HTTPStatus
from typing import Any

from telegram import Update
from telegram.error import NetworkError
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.web import Application as TornadoApp
from tornado.web import RequestHandler

from dojobot.ops.startup import StartupError, token_free_reason
from dojobot.transport.lifecycle import lifecycle

log = logging.getLogger(__name__)

PATH = "/telegram"
# How long a stopping replica lets the updates it holds finish before it stops handling;
# what is still unanswered then is sent again by Telegram to another replica.
DRAIN_S = 10.0

AnyApp = Application[Any, Any, Any, Any, Any, Any]


class _Updates(RequestHandler):
    def initialize(self, app: AnyApp, secret: str | None, inflight: set[asyncio.Task[None]],
                   ) -> None:
        self.app = app
        self.secret = secret
        self.inflight = inflight

    def check_xsrf_cookie(self) -> None:
        return None

    async def post(self) -> None:
        if self.secret is not None and not hmac.compare_digest(
            self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode(),
            self.secret.encode(),
        ):
            self.send_error(HTTPStatus.FORBIDDEN)  # not Telegram: nothing is logged of it
            return
        try:
            update = Update.de_json(json.loads(self.request.body), self.app.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("webhook: a POST that is not an update was refused")
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        processor = self.app.update_processor
        # A task of its own: a stopping replica waits for it even if the proxy hung up.
        task = asyncio.ensure_future(
            processor.process_update(update, self.app.process_update(update))
        )
        self.inflight.add(task)
        task.add_done_callback(self.inflight.discard)
        await asyncio.shield(task)  # errors were handled (and answered) by _on_error
        self.set_status(HTTPStatus.OK)
        self.finish()


async def set_webhook(app: AnyApp, url: str, secret: str | None) -> None:
    """setWebhook, retried while Telegram cannot be reached (like PTB's bootstrap_retries=-1;
    a 429 is retried by the rate limiter)."""
    pause = 1.0
    while True:
        try:
            await app.bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
            return
        except NetworkError as exc:  # TimedOut included; a rejected token is not retried
            log.warning("setWebhook failed (%s); trying again in %.0f s",
                        token_free_reason(exc), pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 60.0)


async def serve(app: AnyApp, *, listen: str, port: int, url: str, secret: str | None) -> None:
    """Run `app` on its webhook until SIGINT or SIGTERM. A stopping replica answers the
    updates it holds before it stops."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    inflight: set[asyncio.Task[None]] = set()
    server = HTTPServer(TornadoApp(
        [(PATH, _Updates, {"app": app, "secret": secret, "inflight": inflight})],
        log_function=lambda handler: None,  # no access log: one line per update is noise
    ))
    async with lifecycle(app):
        try:
            server.listen(port, listen)
        except OSError as exc:
            raise StartupError(f"DOJOBOT_WEBHOOK_PORT {port} cannot be used ({exc.strerror}); "
                               "choose a free port or stop what holds it") from None
        try:
            await set_webhook(app, url, secret)
            await app.start()
            await stopping.wait()
            server.stop()  # no new updates: Telegram sends them to the other replicas
            if inflight:
                await asyncio.wait(set(inflight), timeout=DRAIN_S)
        finally:
            server.stop()
            await server.close_all_connections()
