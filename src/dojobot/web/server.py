"""The Mini App's request handlers: JSON errors, the initData check, pages and static files.

Every API request carries `Authorization: tma <initData>` (the form Telegram's Mini App
guides use). The learner is the initData's user and nobody else: no id in a URL or a body
names who is asking. A refusal is a 401 whose body is one line of JSON, and nothing is
stored for it. State lives in the database, so any replica serves any request.

One learner cannot slow the others (the bounds: transport/state.py WebState): past their
requests in flight or their request rate, a request is refused with a 429, its one line
in their language and a Retry-After, before anything is read or stored for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from tornado.web import HTTPError, RequestHandler, StaticFileHandler, stream_request_body

from dojobot.handlers.gatekeeper import learner_language
from dojobot.i18n import N_, _, activate, resolve
from dojobot.storage.db import Database
from dojobot.storage.users import upsert_user
from dojobot.transport.context import BotData
from dojobot.transport.throttle import retry_after
from dojobot.web.auth import InitDataRefused, WebUser, verify

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_BODY = 16 * 1024  # an answer is a few dozen bytes
TOO_MANY = N_("Too many requests at once: wait a moment and try again.")


class ApiError(Exception):
    """A request the API refuses: its status and one-line reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Busy(ApiError):
    """A learner past one of their bounds: a 429 saying when to try again."""

    def __init__(self, wait_s: float) -> None:
        super().__init__(429, _(TOO_MANY))
        self.retry_after = retry_after(wait_s)


class WebHandler(RequestHandler):
    """Any Mini App route: errors as one line of JSON, never a traceback."""

    def initialize(self, data: BotData) -> None:
        self.data = data

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")

    @property
    def db(self) -> Database:
        if self.data.db is None:
            raise ApiError(503, "the bot is starting; try again in a moment")
        return self.data.db

    def now_ms(self) -> int:
        return self.data.clock()

    def reply(self, body: dict[str, Any], status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        # The server's share of the request's time, which the browser's resource timing
        # shows beside the whole round trip (benchmarks/webapp.py splits a lag with it).
        self.set_header("Server-Timing", f"app;dur={1000 * self.request.request_time():.1f}")
        self.finish(json.dumps(body, ensure_ascii=False, separators=(",", ":")))

    def _handle_request_exception(self, e: BaseException) -> None:
        if isinstance(e, ApiError):
            if isinstance(e, Busy):
                self.set_header("Retry-After", str(e.retry_after))
            if not self._finished:
                self.reply({"error": e.reason}, e.status)
            return
        super()._handle_request_exception(e)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # tornado's own refusals (404, 405, a malformed request) and anything unexpected,
        # which tornado has logged with its traceback: the client gets one line.
        reason = "internal error" if status_code >= 500 else self._reason.lower()
        self.reply({"error": reason}, status_code)


@stream_request_body
class ApiHandler(WebHandler):
    """A JSON API route for the learner named by the request's initData."""

    learner: WebUser
    _admitted: int | None = None  # the learner whose in-flight count this request holds
    # Whether a request spends one of the learner's request tokens (a rate). The practice
    # page's own requests do not: each is one short transaction and a page sends them one
    # at a time, so the in-flight bound alone holds a script to its own pace, and a learner
    # (or a browser driven at machine speed) playing set after set is never refused.
    metered: ClassVar[bool] = True

    async def prepare(self) -> None:
        self._body = bytearray()
        self._too_big = False
        if self.request.method in ("POST", "PUT"):
            kind = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind != "application/json":
                raise ApiError(415, "send the body as application/json")
            declared = self.request.headers.get("Content-Length")
            if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
                raise ApiError(413, f"the body is over {MAX_BODY} bytes")
        self.learner = self._authenticate()
        if self.limited:
            self._admit(self.learner)
        await self._remember(self.learner)

    @property
    def limited(self) -> bool:
        """Whether each learner's bounds apply (all but a flooding benchmark)."""
        return self.data.settings is None or self.data.settings.web_limits

    def _admit(self, user: WebUser) -> None:
        """Count the request against the learner's bounds, or refuse it (Busy)."""
        bounds = self.data.web
        # The refusal speaks their language as last known; nothing is stored to learn it.
        activate(resolve(self.data.language.by_chat.get(user.user_id, user.language_code)))
        wait_s = bounds.requests.take(user.user_id, self.now_ms()) if self.metered else 0.0
        if wait_s > 0:
            raise Busy(wait_s)
        if not bounds.in_flight.enter(user.user_id):
            raise Busy(1)  # a running request ends within a second or so
        self._admitted = user.user_id

    def _leave(self) -> None:
        if self._admitted is not None:
            self.data.web.in_flight.leave(self._admitted)
            self._admitted = None

    def on_finish(self) -> None:
        self._leave()

    def on_connection_close(self) -> None:
        # A body that stops coming: tornado then runs neither the method nor on_finish.
        # (Once the body is in, the method runs to its end, and on_finish follows.)
        if not self.request._body_future.done():
            self._leave()
        super().on_connection_close()

    def data_received(self, chunk: bytes) -> None:
        # A chunked body has no Content-Length: it is cut off here instead.
        if len(self._body) + len(chunk) > MAX_BODY:
            self._too_big = True
            return
        self._body.extend(chunk)

    def _authenticate(self) -> WebUser:
        header = self.request.headers.get("Authorization", "")
        scheme, _, init_data = header.partition(" ")
        if scheme.lower() != "tma":
            init_data = ""
        settings = self.data.settings
        assert settings is not None
        try:
            return verify(init_data.strip(), settings.require_token(), self.now_ms())
        except InitDataRefused as refused:
            raise ApiError(401, str(refused)) from None

    async def _remember(self, user: WebUser) -> None:
        """Record the learner as the chat's gatekeeper would, and speak their language."""
        seen = (user.first_name, user.username)
        if self.data.gate.known_users.get(user.user_id) != seen:
            await upsert_user(self.db, user.user_id, user.first_name, user.username,
                              user.language_code, self.now_ms())
            self.data.gate.known_users[user.user_id] = seen
        language = await learner_language(self.data, self.db, user.user_id,
                                          user.language_code, own_chat=True)
        activate(resolve(language))

    def json_body(self) -> dict[str, Any]:
        """The request's JSON object, or a 400/413 saying what is wrong with it."""
        if self._too_big:
            raise ApiError(413, f"the body is over {MAX_BODY} bytes")
        try:
            body = json.loads(self._body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "the body is not JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "the body must be a JSON object")
        return body


@cache
def static_version() -> str:
    """A hash of the static files: their URLs change when they do (cached for a year)."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


@cache
def page_html(name: str) -> str:
    """A page's HTML with its static URLs versioned."""
    text = (STATIC_DIR / name).read_text(encoding="utf-8")
    return text.replace("{{v}}", static_version())


class PageHandler(WebHandler):
    """An HTML page: public (initData reaches it in the URL's fragment, which browsers do
    not send); its script asks the API, which checks who is asking."""

    def initialize(self, data: BotData, page: str = "practice.html") -> None:
        super().initialize(data)
        self.page = page

    def get(self, *_args: str) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.finish(page_html(self.page))


class StaticHandler(StaticFileHandler):
    """The page's JS and CSS: versioned URLs, so a year's caching is safe."""

    def set_extra_headers(self, path: str) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        if self.get_query_argument("v", None):
            self.set_header("Cache-Control", "public, max-age=31536000, immutable")


class NotFound(WebHandler):
    """Any other path: 404 as JSON."""

    def prepare(self) -> None:
        raise HTTPError(404)
