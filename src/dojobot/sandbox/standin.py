"""A local Telegram Bot API stand-in: an HTTP server that speaks the Bot API.

The real ``Application`` talks to it over HTTP (``ApplicationBuilder().base_url(...)``), tests
and the terminal sandbox act as users through its Python API, and it is strict where Telegram
is strict (text limits, HTML, callback data, one answer per callback query, unknown chats,
blocked users, flood limits). Everything runs in the caller's event loop.

Typical test::

    async with BotApiStandIn() as standin:
        app = (Application.builder().token(standin.token).base_url(standin.base_url)
               .base_file_url(standin.base_file_url).build())
        ...  # add handlers
        async with running(app):  # dojobot.sandbox.runner
            ann = await standin.user(1, "Ann")
            await standin.send_text(ann, "/start")
            reply = await standin.next_message(ann)
            await standin.press(ann, "Math")
            edited = await standin.wait_for_edit(ann, reply.message_id)
            await standin.settle()  # then assert nothing else was sent
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import math
import mimetypes
import re
import socket
import struct
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any, ClassVar

import tornado.httpclient
import tornado.httpserver
import tornado.netutil
import tornado.web

from dojobot.sandbox.telegram_html import EntityParseError, parse_html, utf16_len

__all__ = [
    "ApiCall",
    "BotApiStandIn",
    "BotMessage",
    "Button",
    "Chat",
    "StandInStats",
    "User",
]

_LOGGER = logging.getLogger(__name__)

JSON = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
GROUP_ANONYMOUS_BOT_ID = 1087968824

_UPDATE_TYPES_BY_DEFAULT_OFF = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@([A-Za-z0-9_]{3,32}))?(?=\s|$)")
_BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")

# Form-encoded parameters arrive as strings; these are decoded before the call is recorded.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "reply_parameters",
        "media",
    }
)
_INT_PARAMS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "reply_to_message_id",
        "cache_time",
        "message_thread_id",
        "max_connections",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)

# Rate limits Telegram documents for bots (sliding windows).
_OVERALL_LIMIT = (30, 1.0)
_GROUP_LIMIT = (20, 60.0)
_COUNTED_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "editmessagetext",
        "editmessagereplymarkup",
        "editmessagecaption",
    }
)

# A 1x1 PNG, used for photos and stickers a simulated user sends.
_TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


# --------------------------------------------------------------------------------------------
# Public data types


@dataclass(frozen=True)
class User:
    """A simulated Telegram user (the stand-in's own type, not PTB's)."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str = "en"
    last_name: str | None = None
    is_bot: bool = False

    def to_dict(self) -> JSON:
        """The user as Bot API JSON."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True)
class Chat:
    """A chat as Telegram describes it: private, group or supergroup."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None

    def to_dict(self) -> JSON:
        """The chat as Bot API JSON."""
        data: JSON = {"id": self.id, "type": self.type}
        if self.title is not None:
            data["title"] = self.title
        if self.username is not None:
            data["username"] = self.username
        if self.first_name is not None:
            data["first_name"] = self.first_name
        return data


@dataclass(frozen=True)
class Button:
    """One inline keyboard button of a bot message."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class BotMessage:
    """A message the bot sent, with its current content (edits applied)."""

    chat_id: int
    message_id: int
    text: str  # text or caption as sent (HTML if parse_mode=HTML)
    plain_text: str  # tags stripped, entities unescaped
    buttons: list[list[Button]]
    kind: str  # "text" | "photo" | "document"
    date: int
    file_bytes: bytes | None = None
    file_name: str | None = None
    mime_type: str | None = None
    edited: int = 0
    deleted: bool = False
    parse_mode: str | None = None
    reply_markup: JSON | None = None

    @property
    def flat_buttons(self) -> list[Button]:
        """The buttons in row-major order (the order `press` indexes them)."""
        return [b for row in self.buttons for b in row]


@dataclass
class ApiCall:
    """One Bot API request the stand-in answered."""

    method: str
    params: dict[str, Any]
    at: float
    ok: bool
    error_code: int | None = None
    description: str | None = None


@dataclass
class StandInStats:
    """Counters for tests and benchmarks."""

    rate_limited: int = 0
    injected_failures: int = 0
    updates_enqueued: int = 0
    messages_sent: int = 0
    webhook_deliveries: int = 0
    webhook_failures: int = 0


# --------------------------------------------------------------------------------------------
# Internal state


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    @classmethod
    def bad_request(cls, what: str, parameters: JSON | None = None) -> ApiError:
        """A 400 error with Telegram's "Bad Request: " prefix."""
        return cls(400, f"Bad Request: {what}", parameters)


@dataclass
class _Fault:
    code: int
    description: str
    retry_after: int | None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_name: str | None
    mime_type: str | None
    file_path: str


@dataclass
class _CallbackQuery:
    id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str
    answered: bool = False


@dataclass
class _ChatState:
    chat: Chat
    seen: bool = False  # the bot may send here (Telegram knows the bot is in this chat)
    bot_status: str = "left"  # member | administrator | left | kicked (groups)
    next_message_id: int = 1
    all_messages: dict[int, JSON] = field(default_factory=dict)  # user and bot messages
    bot_messages: list[BotMessage] = field(default_factory=list)
    bot_by_id: dict[int, BotMessage] = field(default_factory=dict)
    creator_id: int | None = None
    admin_ids: list[int] = field(default_factory=list)
    writers: set[int] = field(default_factory=set)
    migrated_to: int | None = None
    ever_joined: bool = False

    @property
    def is_group(self) -> bool:
        return self.chat.type in ("group", "supergroup")

    def new_message_id(self) -> int:
        mid = self.next_message_id
        self.next_message_id += 1
        return mid


def _now_date() -> int:
    return int(time.time())


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"RIFF")


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 1, 1


def _as_chat_id(chat: int | Chat | User) -> int:
    return chat if isinstance(chat, int) else chat.id


# --------------------------------------------------------------------------------------------
# HTTP layer


class _ApiHandler(tornado.web.RequestHandler):
    standin: BotApiStandIn

    def initialize(self, standin: BotApiStandIn) -> None:
        self.standin = standin
        self.closed = False

    def on_connection_close(self) -> None:
        self.closed = True
        self.standin._pulse()

    def check_xsrf_cookie(self) -> None:
        return None

    async def get(self, token: str, method: str) -> None:
        params, files = self._read_params()
        status, payload = await self.standin._dispatch(
            token, method, params, files, lambda: self.closed
        )
        if self.closed:
            return
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Error"
        self.set_status(status, reason=reason)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload, ensure_ascii=False))

    async def post(self, token: str, method: str) -> None:
        await self.get(token, method)

    def _read_params(self) -> tuple[dict[str, Any], dict[str, tuple[str, bytes, str]]]:
        params: dict[str, Any] = {}
        for name, values in self.request.query_arguments.items():
            params[name] = values[-1].decode("utf-8", "replace")
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("application/json") and self.request.body:
            try:
                body = json.loads(self.request.body)
            except ValueError:
                body = {}
            if isinstance(body, dict):
                params.update(body)
        else:
            for name, values in self.request.body_arguments.items():
                params[name] = values[-1].decode("utf-8", "replace")
        files = {
            name: (f[-1].filename, f[-1].body, f[-1].content_type)
            for name, f in self.request.files.items()
            if f
        }
        return params, files


class _FileHandler(tornado.web.RequestHandler):
    standin: BotApiStandIn

    def initialize(self, standin: BotApiStandIn) -> None:
        self.standin = standin

    def get(self, token: str, path: str) -> None:
        if token != self.standin.token:
            self.set_status(401)
            self.finish({"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        stored = self.standin._files_by_path.get(path)
        if stored is None:
            self.set_status(404)
            self.finish({"ok": False, "error_code": 404, "description": "Not Found"})
            return
        self.set_header("Content-Type", stored.mime_type or "application/octet-stream")
        self.finish(stored.data)


# --------------------------------------------------------------------------------------------
# The stand-in


class BotApiStandIn:
    """An in-process Telegram Bot API server for tests and the terminal sandbox."""

    _METHODS: ClassVar[tuple[str, ...]] = (
        "getMe",
        "getUpdates",
        "deleteWebhook",
        "setWebhook",
        "getWebhookInfo",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "sendMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "deleteMessage",
        "answerCallbackQuery",
        "sendPhoto",
        "sendDocument",
        "getFile",
        "sendChatAction",
        "getChat",
        "getChatMember",
        "getChatAdministrators",
        "leaveChat",
        "close",
        "logOut",
    )

    def __init__(
        self,
        *,
        token: str = "123456:SANDBOX-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "DojoSandboxBot",
        enforce_rate_limits: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_user = User(bot_id, "Dojo Sandbox", username=bot_username, is_bot=True)
        self.enforce_rate_limits = enforce_rate_limits
        self.clock = clock
        # Privacy mode (Telegram's default): in groups where the bot is not an admin it only
        # receives commands, replies to its messages and mentions of it.
        self.privacy_mode = True

        self.calls: list[ApiCall] = []
        # Benchmarks observe each answered call here instead of scanning `calls`.
        self.on_call: Callable[[ApiCall], None] | None = None
        self.callback_answers: dict[str, JSON] = {}
        self.stats = StandInStats()
        # Unexpected exceptions inside the stand-in (answered as 500); tests may assert empty.
        self.internal_errors: list[BaseException] = []

        self._handlers: dict[str, Callable[[JSON, dict[str, tuple[str, bytes, str]]], Any]] = {
            name.lower(): getattr(self, "_api_" + name) for name in self._METHODS
        }
        self._canonical = {name.lower(): name for name in self._METHODS}

        self._users: dict[int, User] = {}
        self._blocked: set[int] = set()
        self._chats: dict[int, _ChatState] = {}
        self._updates: deque[JSON] = deque()
        self._update_ids = itertools.count(1)
        self._allowed_updates: frozenset[str] | None = None
        self._poller: object | None = None
        self._webhook: JSON = {}
        self._pusher: asyncio.Task[None] | None = None
        self._commands: dict[str, list[JSON]] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._callback_queries: dict[str, _CallbackQuery] = {}
        self._query_ids = itertools.count(1)
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_ids = itertools.count(1)
        self._overall_window: deque[float] = deque()
        self._group_windows: dict[int, deque[float]] = {}
        self._cursors: dict[int, int] = {}
        self._edit_cursors: dict[tuple[int, int], int] = {}

        self._changed = asyncio.Event()
        self._inflight = 0
        self._active_polls = 0
        self._last_activity = 0.0
        self._closing = False
        self._server: tornado.httpserver.HTTPServer | None = None
        self._port: int | None = None

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Start serving on 127.0.0.1 at an ephemeral port."""
        if self._server is not None:
            return
        self._closing = False
        app = tornado.web.Application(
            [
                (r"/bot([^/]+)/([A-Za-z0-9_]+)/?", _ApiHandler, {"standin": self}),
                (r"/file/bot([^/]+)/(.+)", _FileHandler, {"standin": self}),
            ],
            log_function=lambda handler: None,
        )
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
        server = tornado.httpserver.HTTPServer(app, max_body_size=60 * 1024 * 1024)
        server.add_sockets(sockets)
        self._server = server
        self._port = sockets[0].getsockname()[1]
        self._last_activity = asyncio.get_running_loop().time()

    async def stop(self) -> None:
        """Release held long polls and stop serving."""
        server = self._server
        if server is None:
            return
        self._closing = True
        self._pulse()
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
        server.stop()
        # Let released long polls write their (empty) answers before connections close.
        await self._wait_until(lambda: self._active_polls == 0, 1.0)
        await asyncio.sleep(0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.close_all_connections(), timeout=2.0)
        self._server = None

    async def __aenter__(self) -> BotApiStandIn:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The TCP port the stand-in listens on."""
        if self._port is None:
            raise RuntimeError("BotApiStandIn is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """What ApplicationBuilder().base_url() expects (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """What ApplicationBuilder().base_file_url() expects (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ---------------------------------------------------------------- records and knobs

    def calls_of(self, method: str) -> list[ApiCall]:
        """The recorded calls of one method (name case-insensitive)."""
        key = method.lower()
        return [c for c in self.calls if c.method.lower() == key]

    def reset_calls(self) -> None:
        """Forget the recorded calls."""
        self.calls.clear()

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Make the next `count` calls of `method` fail with this error."""
        key = method.lower()
        if key not in self._handlers:
            raise ValueError(f"unknown Bot API method {method!r}")
        queue = self._faults.setdefault(key, deque())
        queue.extend(_Fault(error_code, description, retry_after) for _ in range(count))

    def unanswered_callback_queries(self) -> list[str]:
        """Ids of callback queries the bot never answered."""
        return [q.id for q in self._callback_queries.values() if not q.answered]

    @property
    def is_polling(self) -> bool:
        """Whether a getUpdates long poll is being held right now."""
        return self._poller is not None

    def pending_updates(self) -> list[JSON]:
        """Updates enqueued but not yet confirmed by the bot's getUpdates offset."""
        return list(self._updates)

    # ---------------------------------------------------------------- dispatch

    def _pulse(self) -> None:
        """Wake everyone waiting for a change."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _dispatch(
        self,
        token: str,
        method: str,
        raw: dict[str, Any],
        files: dict[str, tuple[str, bytes, str]],
        is_closed: Callable[[], bool],
    ) -> tuple[int, JSON]:
        at = self.clock()
        key = method.lower()
        name = self._canonical.get(key, method)
        params: dict[str, Any] = dict(raw)
        is_poll = key == "getupdates"
        if not is_poll:
            self._inflight += 1
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            handler = self._handlers.get(key)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            params = self._decode_params(raw)
            for fname, (filename, data, mime) in files.items():
                params.setdefault(
                    fname, {"upload": filename, "size": len(data), "mime_type": mime}
                )
            faults = self._faults.get(key)
            if faults:
                fault = faults.popleft()
                self.stats.injected_failures += 1
                extra = {"retry_after": fault.retry_after} if fault.retry_after else None
                raise ApiError(fault.code, fault.description, extra)
            if is_poll:
                result = await self._get_updates(params, is_closed)
            else:
                result = handler(params, files)
                if isinstance(result, Awaitable):
                    result = await result
        except ApiError as err:
            self._record(name, params, at, ok=False, code=err.code, description=err.description)
            payload: JSON = {"ok": False, "error_code": err.code, "description": err.description}
            if err.parameters:
                payload["parameters"] = err.parameters
            return err.code, payload
        except Exception as exc:
            _LOGGER.exception("Bot API stand-in failed on %s", name)
            self.internal_errors.append(exc)
            description = f"Internal Server Error: {exc!r}"
            self._record(name, params, at, ok=False, code=500, description=description)
            return 500, {"ok": False, "error_code": 500, "description": description}
        finally:
            if not is_poll:
                self._inflight -= 1
                self._last_activity = asyncio.get_running_loop().time()
        self._record(name, params, at, ok=True)
        return 200, {"ok": True, "result": result}

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        at: float,
        *,
        ok: bool,
        code: int | None = None,
        description: str | None = None,
    ) -> None:
        call = ApiCall(method, params, at, ok, code, description)
        self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)
        self._pulse()

    @staticmethod
    def _decode_params(raw: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for name, value in raw.items():
            if isinstance(value, str):
                if name in _JSON_PARAMS:
                    try:
                        value = json.loads(value)
                    except ValueError as exc:
                        raise ApiError.bad_request(f"can't parse {name} JSON object") from exc
                elif name in _INT_PARAMS or name == "chat_id":
                    with contextlib.suppress(ValueError):
                        value = int(value)
                elif name in _BOOL_PARAMS and value in ("true", "false", "True", "False"):
                    value = value.lower() == "true"
            params[name] = value
        return params

    # ---------------------------------------------------------------- updates

    def _enqueue(self, kind: str, payload: JSON) -> JSON:
        update = {"update_id": next(self._update_ids), kind: payload}
        self._updates.append(update)
        self.stats.updates_enqueued += 1
        self._last_activity = asyncio.get_running_loop().time()
        self._pulse()
        return update

    def _allowed(self, update: JSON) -> bool:
        kind = next(k for k in update if k != "update_id")
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _UPDATE_TYPES_BY_DEFAULT_OFF

    def _deliverable(self, limit: int) -> list[JSON]:
        # Updates of types the bot did not ask for are dropped, as Telegram does.
        kept = [u for u in self._updates if self._allowed(u)]
        if len(kept) != len(self._updates):
            self._updates = deque(kept)
        return kept[:limit]

    async def _get_updates(self, params: JSON, is_closed: Callable[[], bool]) -> list[JSON]:
        if self._webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) if allowed else None
        if offset > 0:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
        elif offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
        me = object()
        self._poller = me
        self._active_polls += 1
        self._pulse()  # a newer getUpdates terminates an older one, like Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                event = self._changed
                ready = self._deliverable(limit)
                if ready or self._closing or is_closed():
                    return ready
                if self._poller is not me:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return []
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
        finally:
            self._active_polls -= 1
            self._pulse()
            if self._poller is me:
                self._poller = None

    # ---------------------------------------------------------------- chats and users

    def _chat_state(self, chat_id: int) -> _ChatState | None:
        return self._chats.get(chat_id)

    def _private_state(self, user: User) -> _ChatState:
        state = self._chats.get(user.id)
        if state is None:
            chat = Chat(user.id, "private", username=user.username, first_name=user.first_name)
            state = _ChatState(chat, bot_status="member")
            self._chats[user.id] = state
        return state

    def _group_state(self, chat: Chat) -> _ChatState:
        state = self._chats.get(chat.id)
        if state is None:
            raise ValueError(f"unknown group {chat.id}; create it with group() first")
        return state

    def _resolve_state(self, user: User, chat: Chat | None) -> _ChatState:
        if chat is None or chat.type == "private":
            return self._private_state(user)
        return self._group_state(chat)

    def _chat_for_send(self, raw_chat_id: Any) -> _ChatState:
        """Resolve a chat_id parameter for a method that writes into the chat."""
        if raw_chat_id is None or raw_chat_id == "":
            raise ApiError.bad_request("chat_id is empty")
        state: _ChatState | None = None
        if isinstance(raw_chat_id, int):
            state = self._chats.get(raw_chat_id)
        elif isinstance(raw_chat_id, str) and raw_chat_id.startswith("@"):
            uname = raw_chat_id[1:].lower()
            state = next(
                (s for s in self._chats.values() if (s.chat.username or "").lower() == uname),
                None,
            )
        if state is None:
            if isinstance(raw_chat_id, int) and raw_chat_id in self._users:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise ApiError.bad_request("chat not found")
        if state.migrated_to is not None:
            raise ApiError.bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": state.migrated_to},
            )
        if state.chat.type == "private":
            if not state.seen:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            if state.chat.id in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            return state
        kind = "supergroup chat" if state.chat.type == "supergroup" else "group chat"
        if not state.ever_joined:
            raise ApiError.bad_request("chat not found")
        if state.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
        if state.bot_status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")
        return state

    def _chat_for_read(self, raw_chat_id: Any) -> _ChatState:
        """Resolve a chat_id for getChat & co (no membership required beyond having seen it)."""
        state = self._chats.get(raw_chat_id) if isinstance(raw_chat_id, int) else None
        if state is None or not (state.seen or state.ever_joined):
            raise ApiError.bad_request("chat not found")
        if state.migrated_to is not None:
            raise ApiError.bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": state.migrated_to},
            )
        return state

    def _check_rate(self, state: _ChatState, method: str) -> None:
        if not self.enforce_rate_limits or method.lower() not in _COUNTED_METHODS:
            return
        now = self.clock()
        limit, window = _OVERALL_LIMIT
        self._expire(self._overall_window, now, window)
        if len(self._overall_window) >= limit:
            self._too_many(self._overall_window[0] + window - now)
        group_window: deque[float] | None = None
        if state.is_group:
            group_window = self._group_windows.setdefault(state.chat.id, deque())
            glimit, gwindow = _GROUP_LIMIT
            self._expire(group_window, now, gwindow)
            if len(group_window) >= glimit:
                self._too_many(group_window[0] + gwindow - now)
            group_window.append(now)
        self._overall_window.append(now)

    @staticmethod
    def _expire(window: deque[float], now: float, span: float) -> None:
        while window and window[0] <= now - span:
            window.popleft()

    def _too_many(self, wait: float) -> None:
        self.stats.rate_limited += 1
        retry_after = max(1, math.ceil(wait))
        raise ApiError(
            429,
            f"Too Many Requests: retry after {retry_after}",
            {"retry_after": retry_after},
        )

    # ---------------------------------------------------------------- validation helpers

    @staticmethod
    def _parse_text(text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JSON]]:
        mode = (parse_mode or "").lower()
        if mode == "html":
            try:
                plain, ents = parse_html(text)
            except EntityParseError as exc:
                raise ApiError.bad_request(f"can't parse entities: {exc}") from exc
            return plain, [e.to_dict() for e in ents]
        if mode and mode not in ("markdown", "markdownv2"):
            raise ApiError.bad_request(f"unsupported parse_mode {parse_mode!r}")
        # Markdown is passed through unparsed (the project uses HTML).
        return text, list(entities) if isinstance(entities, list) else []

    def _parse_message_text(self, params: JSON) -> tuple[str, str, list[JSON]]:
        text = params.get("text")
        if text is None or str(text) == "":
            raise ApiError.bad_request("message text is empty")
        text = str(text)
        plain, entities = self._parse_text(text, params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise ApiError.bad_request("message text is empty")
        if len(plain) > MAX_TEXT:
            raise ApiError.bad_request("message is too long")
        return text, plain, entities

    def _parse_caption(self, params: JSON) -> tuple[str, str, list[JSON]]:
        caption = params.get("caption")
        if caption is None or caption == "":
            return "", "", []
        caption = str(caption)
        plain, entities = self._parse_text(
            caption, params.get("parse_mode"), params.get("caption_entities")
        )
        if len(plain) > MAX_CAPTION:
            raise ApiError.bad_request("message caption is too long")
        return caption, plain, entities

    @staticmethod
    def _parse_markup(markup: Any) -> tuple[JSON | None, list[list[Button]]]:
        if markup is None or markup == "":
            return None, []
        if not isinstance(markup, dict):
            raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
                return markup, []
            raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError.bad_request('field "inline_keyboard" must be an Array of Arrays')
        buttons: list[list[Button]] = []
        for row in rows:
            out_row: list[Button] = []
            for button in row:
                if not isinstance(button, dict):
                    raise ApiError.bad_request(
                        "can't parse inline keyboard button: "
                        "InlineKeyboardButton must be an Object"
                    )
                text = button.get("text")
                if not isinstance(text, str) or not text:
                    raise ApiError.bad_request(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                actions = [k for k in _BUTTON_ACTIONS if k in button]
                if len(actions) != 1:
                    raise ApiError.bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in "
                        "the inline keyboard"
                        if not actions
                        else "can't parse inline keyboard button: exactly one of the optional "
                        f"fields must be used, got {actions}"
                    )
                data = button.get("callback_data")
                if "callback_data" in button and (
                    not isinstance(data, str)
                    or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                ):
                    raise ApiError.bad_request("BUTTON_DATA_INVALID")
                url = button.get("url")
                if "url" in button and (
                    not isinstance(url, str)
                    or not re.match(r"^(https?|tg)://[^\s]+$", url, re.IGNORECASE)
                ):
                    raise ApiError.bad_request(
                        f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL"
                    )
                out_row.append(Button(text, data, url))
            buttons.append(out_row)
        return markup, buttons

    def _reply_to(self, state: _ChatState, params: JSON) -> JSON | None:
        reply = params.get("reply_parameters")
        mid: Any = None
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            mid = reply.get("message_id")
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
            if reply.get("chat_id") not in (None, state.chat.id):
                return None
        elif params.get("reply_to_message_id") is not None:
            mid = params.get("reply_to_message_id")
        if mid is None:
            return None
        original = state.all_messages.get(int(mid))
        if original is None:
            if allow_missing:
                return None
            raise ApiError.bad_request("message to be replied not found")
        return {k: v for k, v in original.items() if k != "reply_to_message"}

    # ---------------------------------------------------------------- Bot API methods

    def _api_getMe(self, params: JSON, files: Any) -> JSON:
        return {
            **self.bot_user.to_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_getUpdates(self, params: JSON, files: Any) -> list[JSON]:
        raise NotImplementedError  # handled in _dispatch (it is the one long-running call)

    def _api_deleteWebhook(self, params: JSON, files: Any) -> bool:
        self._webhook = {}
        if params.get("drop_pending_updates"):
            self._updates.clear()
            self._pulse()
        return True

    def _api_setWebhook(self, params: JSON, files: Any) -> bool:
        url = str(params.get("url") or "")
        # Telegram insists on HTTPS; the stand-in also takes plain HTTP on loopback so a bot
        # in webhook mode can be tested on this machine.
        if url and not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ApiError.bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = {k: v for k, v in params.items() if k != "certificate"} if url else {}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if url and (self._pusher is None or self._pusher.done()):
            self._pusher = asyncio.get_running_loop().create_task(self._push_to_webhook())
        self._pulse()
        return True

    async def _push_to_webhook(self) -> None:
        """Deliver pending updates by POST, one at a time, retrying until the bot says 200."""
        client = tornado.httpclient.AsyncHTTPClient()
        while self._webhook.get("url") and not self._closing:
            event = self._changed
            ready = self._deliverable(1)
            if not ready:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), 0.5)
                continue
            headers = {"Content-Type": "application/json"}
            if secret := self._webhook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = str(secret)
            self._inflight += 1
            try:
                response = await client.fetch(
                    str(self._webhook["url"]), method="POST", body=json.dumps(ready[0]),
                    headers=headers, raise_error=False, request_timeout=10,
                )
                delivered = response.code == HTTPStatus.OK
            except OSError:
                delivered = False
            finally:
                self._inflight -= 1
            if delivered and self._updates and self._updates[0] is ready[0]:
                self._updates.popleft()
                self.stats.webhook_deliveries += 1
                self._last_activity = asyncio.get_running_loop().time()
                self._pulse()
            elif not delivered:
                self.stats.webhook_failures += 1
                await asyncio.sleep(0.05)

    def _api_getWebhookInfo(self, params: JSON, files: Any) -> JSON:
        info: JSON = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook.get("allowed_updates"):
            info["allowed_updates"] = self._webhook["allowed_updates"]
        return info

    @staticmethod
    def _commands_key(params: JSON) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    def _api_setMyCommands(self, params: JSON, files: Any) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError.bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError.bad_request("too many commands")
        for cmd in commands:
            if not isinstance(cmd, dict) or not _BOT_COMMAND_NAME_RE.match(
                str(cmd.get("command", ""))
            ):
                raise ApiError.bad_request("BOT_COMMAND_INVALID")
            description = str(cmd.get("description", ""))
            if not 1 <= len(description) <= 256:
                raise ApiError.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _api_getMyCommands(self, params: JSON, files: Any) -> list[JSON]:
        return list(self._commands.get(self._commands_key(params), []))

    def _api_deleteMyCommands(self, params: JSON, files: Any) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def my_commands(self, *, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command list set with setMyCommands for a scope (default scope by default)."""
        return self._api_getMyCommands({"scope": scope, "language_code": language_code}, None)

    def _bot_message(
        self,
        state: _ChatState,
        *,
        kind: str,
        text: str,
        plain: str,
        entities: list[JSON],
        markup: JSON | None,
        buttons: list[list[Button]],
        params: JSON,
        extra: JSON | None = None,
        stored: _StoredFile | None = None,
    ) -> JSON:
        reply_to = self._reply_to(state, params)
        date = _now_date()
        mid = state.new_message_id()
        message: JSON = {
            "message_id": mid,
            "from": self.bot_user.to_dict(),
            "chat": state.chat.to_dict(),
            "date": date,
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if kind == "text":
            message["text"] = plain
            if entities:
                message["entities"] = entities
        else:
            message.update(extra or {})
            if plain:
                message["caption"] = plain
                if entities:
                    message["caption_entities"] = entities
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        state.all_messages[mid] = message
        record = BotMessage(
            chat_id=state.chat.id,
            message_id=mid,
            text=text,
            plain_text=plain,
            buttons=buttons,
            kind=kind,
            date=date,
            file_bytes=stored.data if stored else None,
            file_name=stored.file_name if stored else None,
            mime_type=stored.mime_type if stored else None,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup if markup is not None and "inline_keyboard" in markup else None,
        )
        state.bot_messages.append(record)
        state.bot_by_id[mid] = record
        self.stats.messages_sent += 1
        return message

    def _api_sendMessage(self, params: JSON, files: Any) -> JSON:
        state = self._chat_for_send(params.get("chat_id"))
        text, plain, entities = self._parse_message_text(params)
        markup, buttons = self._parse_markup(params.get("reply_markup"))
        self._check_rate(state, "sendMessage")
        return self._bot_message(
            state,
            kind="text",
            text=text,
            plain=plain,
            entities=entities,
            markup=markup,
            buttons=buttons,
            params=params,
        )

    def _store_file(
        self, data: bytes, file_name: str | None, mime_type: str | None, folder: str
    ) -> _StoredFile:
        n = next(self._file_ids)
        ext = ""
        if file_name and "." in file_name:
            ext = file_name.rsplit(".", 1)[1]
        elif mime_type:
            ext = (mimetypes.guess_extension(mime_type) or "").lstrip(".")
        path = f"{folder}/file_{n}" + (f".{ext}" if ext else "")
        stored = _StoredFile(
            file_id=f"SANDBOX-FILE-{n:06d}-{folder}",
            file_unique_id=f"U{n:06d}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            file_path=path,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[path] = stored
        return stored

    def _input_file(
        self, params: JSON, files: dict[str, tuple[str, bytes, str]], name: str, folder: str
    ) -> _StoredFile:
        value = params.get(name)
        upload = files.get(name)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        if upload is not None:
            filename, data, mime = upload
            if not data:
                raise ApiError.bad_request("file must be non-empty")
            if mime in (None, "", "application/octet-stream") and filename:
                mime = mimetypes.guess_type(filename)[0] or mime
            return self._store_file(data, filename or None, mime or None, folder)
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and re.match(r"^https?://", value):
            raise ApiError.bad_request("failed to get HTTP URL content")
        if not value:
            raise ApiError.bad_request(f"there is no {name} in the request")
        raise ApiError.bad_request("wrong file identifier/HTTP URL specified")

    def _api_sendPhoto(self, params: JSON, files: dict[str, tuple[str, bytes, str]]) -> JSON:
        state = self._chat_for_send(params.get("chat_id"))
        caption, plain, entities = self._parse_caption(params)
        markup, buttons = self._parse_markup(params.get("reply_markup"))
        stored = self._input_file(params, files, "photo", "photos")
        # Telegram looks at the bytes, not the declared type (PTB sends raw bytes as
        # application/octet-stream): refuse only what is not an image at all.
        if not stored.data.startswith(_IMAGE_MAGIC):
            raise ApiError.bad_request("IMAGE_PROCESS_FAILED")
        self._check_rate(state, "sendPhoto")
        width, height = _png_size(stored.data)
        photo = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(stored.data),
            }
        ]
        return self._bot_message(
            state,
            kind="photo",
            text=caption,
            plain=plain,
            entities=entities,
            markup=markup,
            buttons=buttons,
            params=params,
            extra={"photo": photo},
            stored=stored,
        )

    def _api_sendDocument(self, params: JSON, files: dict[str, tuple[str, bytes, str]]) -> JSON:
        state = self._chat_for_send(params.get("chat_id"))
        caption, plain, entities = self._parse_caption(params)
        markup, buttons = self._parse_markup(params.get("reply_markup"))
        stored = self._input_file(params, files, "document", "documents")
        self._check_rate(state, "sendDocument")
        document: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return self._bot_message(
            state,
            kind="document",
            text=caption,
            plain=plain,
            entities=entities,
            markup=markup,
            buttons=buttons,
            params=params,
            extra={"document": document},
            stored=stored,
        )

    def _message_to_edit(self, params: JSON) -> tuple[_ChatState, BotMessage, JSON]:
        if params.get("inline_message_id"):
            raise ApiError.bad_request("inline messages are not supported by the stand-in")
        state = self._chat_for_send(params.get("chat_id"))
        mid = params.get("message_id")
        if not isinstance(mid, int):
            raise ApiError.bad_request("message identifier is not specified")
        record = state.bot_by_id.get(mid)
        if record is None or record.deleted:
            raise ApiError.bad_request("message to edit not found")
        return state, record, state.all_messages[mid]

    @staticmethod
    def _not_modified() -> ApiError:
        return ApiError.bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )

    def _apply_edit(
        self,
        state: _ChatState,
        record: BotMessage,
        message: JSON,
        *,
        markup: JSON | None,
        buttons: list[list[Button]],
        text: str | None = None,
        plain: str | None = None,
        entities: list[JSON] | None = None,
        parse_mode: str | None = None,
    ) -> JSON:
        content_key = "text" if record.kind == "text" else "caption"
        entities_key = "entities" if record.kind == "text" else "caption_entities"
        if plain is not None:
            same_content = message.get(content_key, "") == plain and message.get(
                entities_key, []
            ) == (entities or [])
        else:
            same_content = True
        inline = markup if markup is not None and "inline_keyboard" in markup else None
        if same_content and message.get("reply_markup") == inline:
            raise self._not_modified()
        self._check_rate(state, "editMessageText")
        if plain is not None and text is not None:
            if plain:
                message[content_key] = plain
            else:
                message.pop(content_key, None)
            if entities:
                message[entities_key] = entities
            else:
                message.pop(entities_key, None)
            record.text = text
            record.plain_text = plain
            record.parse_mode = parse_mode
        if inline is not None:
            message["reply_markup"] = inline
        else:
            message.pop("reply_markup", None)
        record.buttons = buttons
        record.reply_markup = inline
        record.edited += 1
        message["edit_date"] = _now_date()
        return message

    def _api_editMessageText(self, params: JSON, files: Any) -> JSON:
        state, record, message = self._message_to_edit(params)
        if record.kind != "text":
            raise ApiError.bad_request("there is no text in the message to edit")
        text, plain, entities = self._parse_message_text(params)
        markup, buttons = self._parse_markup(params.get("reply_markup"))
        return self._apply_edit(
            state,
            record,
            message,
            markup=markup,
            buttons=buttons,
            text=text,
            plain=plain,
            entities=entities,
            parse_mode=params.get("parse_mode"),
        )

    def _api_editMessageCaption(self, params: JSON, files: Any) -> JSON:
        state, record, message = self._message_to_edit(params)
        if record.kind == "text":
            raise ApiError.bad_request("there is no caption in the message to edit")
        caption, plain, entities = self._parse_caption(params)
        markup, buttons = self._parse_markup(params.get("reply_markup"))
        return self._apply_edit(
            state,
            record,
            message,
            markup=markup,
            buttons=buttons,
            text=caption,
            plain=plain,
            entities=entities,
            parse_mode=params.get("parse_mode"),
        )

    def _api_editMessageReplyMarkup(self, params: JSON, files: Any) -> JSON:
        state, record, message = self._message_to_edit(params)
        markup, buttons = self._parse_markup(params.get("reply_markup"))
        return self._apply_edit(state, record, message, markup=markup, buttons=buttons)

    def _api_deleteMessage(self, params: JSON, files: Any) -> bool:
        state = self._chat_for_send(params.get("chat_id"))
        mid = params.get("message_id")
        if not isinstance(mid, int) or mid not in state.all_messages:
            raise ApiError.bad_request("message to delete not found")
        del state.all_messages[mid]
        record = state.bot_by_id.get(mid)
        if record is not None:
            record.deleted = True
        return True

    def _api_answerCallbackQuery(self, params: JSON, files: Any) -> bool:
        qid = str(params.get("callback_query_id") or "")
        query = self._callback_queries.get(qid)
        if query is None or query.answered:
            raise ApiError.bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise ApiError.bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers[qid] = dict(params)
        return True

    def _api_getFile(self, params: JSON, files: Any) -> JSON:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    _CHAT_ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {
            "typing",
            "upload_photo",
            "record_video",
            "upload_video",
            "record_voice",
            "upload_voice",
            "upload_document",
            "choose_sticker",
            "find_location",
            "record_video_note",
            "upload_video_note",
        }
    )

    def _api_sendChatAction(self, params: JSON, files: Any) -> bool:
        self._chat_for_send(params.get("chat_id"))
        if params.get("action") not in self._CHAT_ACTIONS:
            raise ApiError.bad_request("wrong parameter action in request")
        return True

    def _api_getChat(self, params: JSON, files: Any) -> JSON:
        state = self._chat_for_read(params.get("chat_id"))
        info = state.chat.to_dict()
        info.update(
            {
                "accent_color_id": abs(state.chat.id) % 7,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return info

    def _member_json(self, state: _ChatState, user: User) -> JSON:
        if state.chat.type == "private":
            return {"status": "member", "user": user.to_dict()}
        if user.id == self.bot_id:
            status = state.bot_status
        elif user.id == state.creator_id:
            status = "creator"
        elif user.id in state.admin_ids:
            status = "administrator"
        elif user.id in state.writers:
            status = "member"
        else:
            status = "left"
        if status == "creator":
            return {"status": "creator", "user": user.to_dict(), "is_anonymous": False}
        if status == "administrator":
            return _admin_json(user, can_be_edited=user.id == self.bot_id)
        if status == "kicked":
            return {"status": "kicked", "user": user.to_dict(), "until_date": 0}
        return {"status": status, "user": user.to_dict()}

    def _api_getChatMember(self, params: JSON, files: Any) -> JSON:
        state = self._chat_for_read(params.get("chat_id"))
        uid = params.get("user_id")
        user = None
        if isinstance(uid, int):
            user = self.bot_user if uid == self.bot_id else self._users.get(uid)
        if user is None:
            raise ApiError.bad_request("user not found")
        if state.chat.type == "private" and user.id not in (state.chat.id, self.bot_id):
            raise ApiError.bad_request("user not found")
        return self._member_json(state, user)

    def _api_getChatAdministrators(self, params: JSON, files: Any) -> list[JSON]:
        state = self._chat_for_read(params.get("chat_id"))
        if state.chat.type == "private":
            raise ApiError.bad_request("there are no administrators in the private chat")
        ids: list[int] = []
        if state.creator_id is not None:
            ids.append(state.creator_id)
        ids.extend(i for i in state.admin_ids if i not in ids)
        result = [self._member_json(state, self._users[i]) for i in ids if i in self._users]
        if state.bot_status == "administrator":
            result.append(self._member_json(state, self.bot_user))
        return result

    def _api_leaveChat(self, params: JSON, files: Any) -> bool:
        state = self._chat_for_send(params.get("chat_id"))
        if state.chat.type == "private":
            raise ApiError.bad_request("chat member status can't be changed in private chats")
        old = self._member_json(state, self.bot_user)
        state.bot_status = "left"
        self._enqueue(
            "my_chat_member",
            {
                "chat": state.chat.to_dict(),
                "from": self.bot_user.to_dict(),
                "date": _now_date(),
                "old_chat_member": old,
                "new_chat_member": {"status": "left", "user": self.bot_user.to_dict()},
            },
        )
        return True

    def _api_close(self, params: JSON, files: Any) -> bool:
        return True

    def _api_logOut(self, params: JSON, files: Any) -> bool:
        return True

    # ---------------------------------------------------------------- acting as users

    async def user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        language_code: str = "en",
    ) -> User:
        """Register a simulated user (no update is sent)."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = User(user_id, first_name, username=username, language_code=language_code)
        self._users[user_id] = user
        return user

    async def group(self, chat_id: int, title: str, *, supergroup: bool = False) -> Chat:
        """Register a group chat (negative id); the bot is not in it until add_bot_to_group."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = Chat(chat_id, "supergroup" if supergroup else "group", title=title)
        self._chats.setdefault(chat_id, _ChatState(chat))
        return chat

    def _user_message(self, user: User, state: _ChatState, **content: Any) -> JSON:
        message: JSON = {
            "message_id": state.new_message_id(),
            "from": user.to_dict(),
            "chat": state.chat.to_dict(),
            "date": _now_date(),
        }
        message.update(content)
        state.all_messages[message["message_id"]] = message
        if state.is_group:
            state.writers.add(user.id)
        return message

    def _bot_sees(self, state: _ChatState, message: JSON) -> bool:
        """Whether Telegram would deliver this user message to the bot."""
        if not state.is_group:
            return True
        if state.bot_status not in ("member", "administrator") or state.migrated_to is not None:
            return False
        if not self.privacy_mode or state.bot_status == "administrator":
            return True
        text = message.get("text", "")
        command = _COMMAND_RE.match(text)
        if command:
            return command.group(1) is None or command.group(1).lower() == (
                self.bot_username.lower()
            )
        reply = message.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == self.bot_id:
            return True
        return f"@{self.bot_username.lower()}" in text.lower()

    def _command_entities(self, text: str) -> list[JSON]:
        m = _COMMAND_RE.match(text)
        if not m:
            return []
        return [{"type": "bot_command", "offset": 0, "length": utf16_len(m.group(0))}]

    def _deliver_user_message(self, user: User, state: _ChatState, message: JSON) -> None:
        if state.chat.type == "private":
            if user.id in self._blocked:
                # Writing to a bot you blocked means pressing "Restart": it unblocks it.
                self._unblock(user)
            state.seen = True
        if self._bot_sees(state, message):
            self._enqueue("message", message)

    async def send_text(
        self,
        user: User,
        text: str,
        *,
        chat: Chat | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """The user sends a text message (private chat by default); returns the message."""
        if not text:
            raise ValueError("Telegram clients cannot send empty messages")
        self._users.setdefault(user.id, user)
        state = self._resolve_state(user, chat)
        content: JSON = {"text": text}
        entities = self._command_entities(text)
        if entities:
            content["entities"] = entities
        if reply_to_message_id is not None:
            original = state.all_messages.get(reply_to_message_id)
            if original is None:
                raise ValueError(f"no message {reply_to_message_id} in chat {state.chat.id}")
            content["reply_to_message"] = {
                k: v for k, v in original.items() if k != "reply_to_message"
            }
        message = self._user_message(user, state, **content)
        self._deliver_user_message(user, state, message)
        return message

    async def send_sticker(self, user: User, *, chat: Chat | None = None) -> JSON:
        """The user sends a sticker (a message without text)."""
        self._users.setdefault(user.id, user)
        state = self._resolve_state(user, chat)
        stored = self._store_file(_TINY_PNG, None, "image/webp", "stickers")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "file_size": len(stored.data),
        }
        message = self._user_message(user, state, sticker=sticker)
        self._deliver_user_message(user, state, message)
        return message

    async def send_photo(self, user: User, *, chat: Chat | None = None) -> JSON:
        """The user sends a photo without caption."""
        self._users.setdefault(user.id, user)
        state = self._resolve_state(user, chat)
        stored = self._store_file(_TINY_PNG, None, "image/png", "photos")
        photo = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": 1,
                "height": 1,
                "file_size": len(stored.data),
            }
        ]
        message = self._user_message(user, state, photo=photo)
        self._deliver_user_message(user, state, message)
        return message

    async def edit_text(
        self, user: User, message_id: int, new_text: str, *, chat: Chat | None = None
    ) -> JSON:
        """The user edits one of their text messages; enqueues an edited_message update."""
        state = self._resolve_state(user, chat)
        message = state.all_messages.get(message_id)
        if message is None or message.get("from", {}).get("id") != user.id:
            raise ValueError(f"user {user.id} has no message {message_id} in {state.chat.id}")
        if "text" not in message:
            raise ValueError("only text messages can be edited this way")
        message["text"] = new_text
        entities = self._command_entities(new_text)
        if entities:
            message["entities"] = entities
        else:
            message.pop("entities", None)
        message["edit_date"] = _now_date()
        if self._bot_sees(state, message):
            self._enqueue("edited_message", dict(message))
        return message

    def _find_keyboard_message(self, state: _ChatState, message_id: int | None) -> BotMessage:
        if message_id is not None:
            record = state.bot_by_id.get(message_id)
            if record is None or record.deleted:
                raise LookupError(f"no bot message {message_id} in chat {state.chat.id}")
            return record
        for record in reversed(state.bot_messages):
            if not record.deleted and record.buttons:
                return record
        raise LookupError(f"no bot message with buttons in chat {state.chat.id}")

    async def press(
        self,
        user: User,
        button: str | int,
        *,
        message_id: int | None = None,
        chat: Chat | None = None,
    ) -> str:
        """Press a button (exact text or 0-based index) of a bot message; returns the query id."""
        state = self._resolve_state(user, chat)
        record = self._find_keyboard_message(state, message_id)
        flat = record.flat_buttons
        chosen: Button | None = None
        if isinstance(button, int):
            if 0 <= button < len(flat):
                chosen = flat[button]
        else:
            chosen = next((b for b in flat if b.text == button), None)
        if chosen is None:
            raise LookupError(
                f"no button {button!r} on message {record.message_id}; buttons: "
                f"{[b.text for b in flat]}"
            )
        if chosen.callback_data is None:
            raise ValueError(f"button {chosen.text!r} opens a URL; it sends no callback query")
        return await self.press_data(user, state.chat, record.message_id, chosen.callback_data)

    async def press_data(
        self, user: User, chat: Chat | int | None, message_id: int, data: str
    ) -> str:
        """Send a callback query with arbitrary (possibly forged) data; returns its id."""
        self._users.setdefault(user.id, user)
        chat_id = user.id if chat is None else _as_chat_id(chat)
        state = self._chats.get(chat_id)
        if state is not None and state.chat.type == "private":
            state.seen = True
        qid = f"{next(self._query_ids)}{abs(chat_id) % 10_000_000:07d}"
        query: JSON = {
            "id": qid,
            "from": user.to_dict(),
            "chat_instance": str(-abs(chat_id * 7919 + 13)),
            "data": data,
        }
        message = state.all_messages.get(message_id) if state is not None else None
        if message is not None:
            query["message"] = json.loads(json.dumps(message))
        self._callback_queries[qid] = _CallbackQuery(qid, user.id, chat_id, message_id, data)
        self._enqueue("callback_query", query)
        return qid

    async def add_bot_to_group(
        self, group: Chat, by_user: User, *, as_admin: bool = False
    ) -> JSON:
        """Add the bot to a group: a my_chat_member update and a new_chat_members message.

        Returns the new_chat_members message.
        """
        self._users.setdefault(by_user.id, by_user)
        state = self._group_state(group)
        old = self._member_json(state, self.bot_user)
        state.bot_status = "administrator" if as_admin else "member"
        state.ever_joined = True
        state.seen = True
        state.writers.add(by_user.id)
        self._enqueue(
            "my_chat_member",
            {
                "chat": state.chat.to_dict(),
                "from": by_user.to_dict(),
                "date": _now_date(),
                "old_chat_member": old,
                "new_chat_member": self._member_json(state, self.bot_user),
            },
        )
        bot = self.bot_user.to_dict()
        message = self._user_message(
            by_user, state, new_chat_members=[bot], new_chat_member=bot, new_chat_participant=bot
        )
        self._enqueue("message", message)
        return message

    async def remove_bot_from_group(
        self, group: Chat, by_user: User, *, kicked: bool = True
    ) -> JSON:
        """Remove the bot from a group (status "kicked", or "left"); returns ChatMemberUpdated."""
        state = self._group_state(group)
        old = self._member_json(state, self.bot_user)
        state.bot_status = "kicked" if kicked else "left"
        update = {
            "chat": state.chat.to_dict(),
            "from": by_user.to_dict(),
            "date": _now_date(),
            "old_chat_member": old,
            "new_chat_member": self._member_json(state, self.bot_user),
        }
        self._enqueue("my_chat_member", update)
        return update

    async def set_admins(self, group: Chat, creator: User, admins: list[User]) -> None:
        """Set who owns and administers a group (for getChatMember/getChatAdministrators)."""
        state = self._group_state(group)
        for u in (creator, *admins):
            self._users.setdefault(u.id, u)
        state.creator_id = creator.id
        state.admin_ids = [a.id for a in admins if a.id != creator.id]

    async def migrate_to_supergroup(self, group: Chat, new_chat_id: int) -> Chat:
        """Upgrade a group: migrate_to_chat_id in the old chat, migrate_from in the new one."""
        old_state = self._group_state(group)
        if old_state.chat.type != "group":
            raise ValueError("only basic groups can be upgraded")
        if new_chat_id in self._chats:
            raise ValueError(f"chat {new_chat_id} already exists")
        new_chat = Chat(new_chat_id, "supergroup", title=old_state.chat.title)
        new_state = _ChatState(
            new_chat,
            seen=old_state.seen,
            bot_status=old_state.bot_status,
            creator_id=old_state.creator_id,
            admin_ids=list(old_state.admin_ids),
            writers=set(old_state.writers),
            ever_joined=old_state.ever_joined,
        )
        self._chats[new_chat_id] = new_state
        sender = self._users.get(old_state.creator_id or 0) or User(
            GROUP_ANONYMOUS_BOT_ID, "Group", username="GroupAnonymousBot", is_bot=True
        )
        bot_in = old_state.bot_status in ("member", "administrator")
        message = self._user_message(sender, old_state, migrate_to_chat_id=new_chat_id)
        old_state.migrated_to = new_chat_id
        if bot_in:
            self._enqueue("message", message)
        message2 = self._user_message(sender, new_state, migrate_from_chat_id=old_state.chat.id)
        if bot_in:
            self._enqueue("message", message2)
        return new_chat

    def _member_update(self, user: User, old_status: str, new_status: str) -> None:
        state = self._private_state(user)
        bot = self.bot_user.to_dict()
        old: JSON = {"status": old_status, "user": bot}
        new: JSON = {"status": new_status, "user": bot}
        if new_status == "kicked":
            new["until_date"] = 0
        if old_status == "kicked":
            old["until_date"] = 0
        self._enqueue(
            "my_chat_member",
            {
                "chat": state.chat.to_dict(),
                "from": user.to_dict(),
                "date": _now_date(),
                "old_chat_member": old,
                "new_chat_member": new,
            },
        )

    def _unblock(self, user: User) -> None:
        self._blocked.discard(user.id)
        self._member_update(user, "kicked", "member")

    async def block_bot(self, user: User) -> None:
        """The user blocks the bot: sends to them fail with 403 until unblock_bot."""
        if user.id in self._blocked:
            return
        self._users.setdefault(user.id, user)
        self._blocked.add(user.id)
        self._member_update(user, "member", "kicked")

    async def unblock_bot(self, user: User) -> None:
        """The user unblocks the bot."""
        if user.id in self._blocked:
            self._unblock(user)

    # ---------------------------------------------------------------- observing the bot

    def messages(self, chat_id: int | Chat | User) -> list[BotMessage]:
        """The bot's messages in a chat, in order, with edits applied (deleted ones left out)."""
        state = self._chats.get(_as_chat_id(chat_id))
        if state is None:
            return []
        return [m for m in state.bot_messages if not m.deleted]

    def _all_bot_messages(self, chat_id: int) -> list[BotMessage]:
        state = self._chats.get(chat_id)
        return state.bot_messages if state is not None else []

    async def wait_for_change(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109
        """Wait until anything happens (an API call, an update); False on timeout."""
        event = self._changed
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def _wait_until(self, predicate: Callable[[], bool], limit: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while True:
            event = self._changed
            if predicate():
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _describe_chat(self, chat_id: int) -> str:
        lines = [f"chat {chat_id} received:"]
        for m in self._all_bot_messages(chat_id):
            flags = " (deleted)" if m.deleted else ""
            flags += f" (edited x{m.edited})" if m.edited else ""
            lines.append(f"  #{m.message_id} {m.kind}{flags}: {m.plain_text[:200]!r}")
        if len(lines) == 1:
            lines.append("  nothing")
        failed = [c for c in self.calls if not c.ok][-5:]
        if failed:
            lines.append("recent failed API calls:")
            lines.extend(f"  {c.method} -> {c.error_code} {c.description}" for c in failed)
        if self.internal_errors:
            lines.append(f"stand-in internal errors: {self.internal_errors!r}")
        return "\n".join(lines)

    async def next_message(
        self,
        chat_id: int | Chat | User,
        *,
        timeout: float = 15.0,  # noqa: ASYNC109
    ) -> BotMessage:
        """The next new bot message in the chat after the last one this returned."""
        cid = _as_chat_id(chat_id)
        cursor = self._cursors.get(cid, 0)
        if not await self._wait_until(lambda: len(self._all_bot_messages(cid)) > cursor, timeout):
            raise TimeoutError(
                f"no new bot message in chat {cid} within {timeout} s (already seen: {cursor})"
                f"\n{self._describe_chat(cid)}"
            )
        self._cursors[cid] = cursor + 1
        return self._all_bot_messages(cid)[cursor]

    async def wait_for_edit(
        self,
        chat_id: int | Chat | User,
        message_id: int,
        *,
        timeout: float = 15.0,  # noqa: ASYNC109
    ) -> BotMessage:
        """Wait until the message's edit count exceeds what this last returned for it."""
        cid = _as_chat_id(chat_id)
        key = (cid, message_id)
        seen = self._edit_cursors.get(key, 0)

        def edited() -> bool:
            state = self._chats.get(cid)
            record = state.bot_by_id.get(message_id) if state else None
            return record is not None and record.edited > seen

        if not await self._wait_until(edited, timeout):
            raise TimeoutError(
                f"bot message {message_id} in chat {cid} was not edited within {timeout} s "
                f"(edits seen: {seen})\n{self._describe_chat(cid)}"
            )
        record = self._chats[cid].bot_by_id[message_id]
        self._edit_cursors[key] = record.edited
        return record

    async def settle(self, quiet: float = 0.05, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until every update was fetched and no API call happened for `quiet` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            now = loop.time()
            pending = self._deliverable(1)
            if not pending and self._inflight == 0 and now - self._last_activity >= quiet:
                return
            if now >= deadline:
                raise TimeoutError(
                    f"stand-in did not settle within {timeout} s: "
                    f"{len(self._updates)} update(s) unconfirmed, {self._inflight} call(s) "
                    "in flight (is the bot polling?)"
                )
            wait = quiet - (now - self._last_activity) if not pending else quiet / 4
            await asyncio.sleep(max(0.005, min(wait, deadline - now)))


def _admin_json(user: User, *, can_be_edited: bool) -> JSON:
    return {
        "status": "administrator",
        "user": user.to_dict(),
        "can_be_edited": can_be_edited,
        "is_anonymous": False,
        "can_manage_chat": True,
        "can_delete_messages": True,
        "can_manage_video_chats": True,
        "can_restrict_members": True,
        "can_promote_members": False,
        "can_change_info": True,
        "can_invite_users": True,
        "can_post_stories": False,
        "can_edit_stories": False,
        "can_delete_stories": False,
        "can_pin_messages": True,
    }
