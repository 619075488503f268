"""The webhook endpoint: Telegram's POST is answered 200 only once its update was handled.

python-telegram-bot's own webhook server answers as soon as the update is queued. Telegram
sends an update again only while its POST is unanswered or failed, so an update a replica
had taken but not handled when it died (`kill -9`, a vanished machine) was lost: the
learner saw no reply and typed the answer again, and it counted against the next problem.
Here the POST waits for the update to go through the application's update processor (chats
concurrently, each chat's updates in order), so an update a dead replica held is sent again
by Telegram, through the proxy, to another replica or to the restarted one.

The endpoint is public (the proxy passes anyone's POST), so nothing is read before the
secret: the header is checked as soon as the headers are in, before the body is read, and
a POST without it is refused and its connection closed. What a holder of the secret or a
slow client can take is bounded too: a body fits Telegram's largest update (MAX_BODY), the
headers and the body each arrive within a deadline, and at most MAX_CONNECTIONS are open
(Telegram opens up to 100: setWebhook's max_connections, 40 by default; the proxy fewer).
Measured before (eight 90 MB bodies without the secret: 113 to 792 MiB; 1,500 half-sent
bodies all still open after 65 s), and the same limits sit in deploy/Caddyfile.

The price: an update can be handled twice (handled, then killed before the 200). What it
changes is recorded with the message id that caused it, and a message seen again changes
nothing: an answer is judged once and a deep link starts its set once (storage/practice.py).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from http import HTTPStatus

from telegram import Update
from telegram.error import NetworkError
from tornado.httpserver import HTTPServer
from tornado.web import Application as TornadoApp
from tornado.web import RequestHandler, stream_request_body

from dojobot.ops.http import bounded_server
from dojobot.ops.startup import StartupError, token_free_reason
from dojobot.ops.stopping import DRAIN_S, Stop
from dojobot.transport.context import AnyApp
from dojobot.transport.lifecycle import lifecycle
from dojobot.transport.updates import ChatOrderedProcessor

log = logging.getLogger(__name__)

PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's largest update is a message of 4,096 characters with its entities, quoting
# another such message (reply_to_message): well under 100 KiB of JSON, even escaped.
MAX_BODY = 256 * 1024
MAX_CONNECTIONS = 256


@stream_request_body
class _Updates(RequestHandler):
    def initialize(self, app: AnyApp, secret: str, inflight: set[asyncio.Task[None]]) -> None:
        self.app = app
        self.secret = secret
        self.inflight = inflight
        self.chunks: list[bytes] = []

    def check_xsrf_cookie(self) -> None:
        return None

    def prepare(self) -> None:
        """Refuse before the body is read: a POST without the secret costs its headers."""
        if self.request.method != "POST" or not hmac.compare_digest(
            self.request.headers.get(SECRET_HEADER, "").encode(), self.secret.encode()
        ):
            # Not Telegram: nothing is logged of it. Finishing before the body was read
            # closes the connection (tornado does not read the rest of it).
            self.send_error(HTTPStatus.FORBIDDEN)

    def data_received(self, chunk: bytes) -> None:
        """Collect the body (the server stops it past MAX_BODY or its deadline)."""
        self.chunks.append(chunk)

    async def post(self) -> None:
        processor = self.app.update_processor
        try:
            data = json.loads(b"".join(self.chunks))
            if isinstance(processor, ChatOrderedProcessor) and processor.refuses(data):
                self.finish()  # past its chat's bound, told already: dropped unparsed
                return
            update = Update.de_json(data, self.app.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("webhook: a POST that is not an update was refused")
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        if isinstance(processor, ChatOrderedProcessor) and not processor.admit(update):
            self.finish()  # past its chat's bound: dropped (Telegram need not send it again)
            return
        # A task of its own: a stopping replica waits for it even if the proxy hung up.
        task = asyncio.ensure_future(
            processor.process_update(update, self.app.process_update(update))
        )
        self.inflight.add(task)
        task.add_done_callback(self.inflight.discard)
        await asyncio.shield(task)  # errors were handled (and answered) by _on_error
        self.set_status(HTTPStatus.OK)
        self.finish()


async def set_webhook(app: AnyApp, url: str, secret: str) -> None:
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


def webhook_server(app: AnyApp, secret: str, inflight: set[asyncio.Task[None]]) -> HTTPServer:
    """The endpoint at PATH, with the limits of a public one (module docstring)."""
    return bounded_server(
        TornadoApp(
            [(PATH, _Updates, {"app": app, "secret": secret, "inflight": inflight})],
            log_function=lambda handler: None,  # no access log: one line per update is noise
        ),
        max_body=MAX_BODY, max_connections=MAX_CONNECTIONS,
    )


async def serve(app: AnyApp, stop: Stop, *, listen: str, port: int, url: str, secret: str,
                ) -> None:
    """Run `app` on its webhook until `stop` is requested. A stopping replica answers the
    updates it holds (for up to DRAIN_S) before it stops."""
    inflight: set[asyncio.Task[None]] = set()
    server = webhook_server(app, secret, inflight)
    async with lifecycle(app):
        try:
            server.listen(port, listen)
        except OSError as exc:
            raise StartupError(f"DOJOBOT_WEBHOOK_PORT {port} cannot be used ({exc.strerror}); "
                               "choose a free port or stop what holds it") from None
        try:
            await set_webhook(app, url, secret)
            await app.start()
            stop.cancel_main = False  # from here a stop drains the updates in flight
            await stop.requested.wait()
            server.stop()  # no new updates: Telegram sends them to the other replicas
            if inflight:
                await asyncio.wait(set(inflight), timeout=DRAIN_S)
        finally:
            server.stop()
            await server.close_all_connections()
