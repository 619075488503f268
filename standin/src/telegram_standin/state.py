"""The stand-in's state and the helpers every part of it shares.

Each concern of the stand-in is a mixin over this class (see ``standin.py``): the HTTP
server, the Bot API methods, incoming updates, acting as users, observing the bot and the
test knobs. They meet only here, in the state and in these helpers.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import mimetypes
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any, ClassVar

import tornado.httpserver

from telegram_standin.limits import RateLimits
from telegram_standin.models import (
    CALLBACK_ANSWER_TIMEOUT_S,
    JSON,
    ApiCall,
    ApiError,
    CallbackQuery,
    Chat,
    ChatState,
    Fault,
    StandInStats,
    StoredFile,
    User,
)

__all__ = ["MethodHandler", "StandInState"]

# A Bot API method's implementation: (decoded parameters, uploaded files) -> result.
MethodHandler = Callable[[JSON, dict[str, tuple[str, bytes, str]]], Any]

_UPDATE_TYPES_BY_DEFAULT_OFF = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)


class StandInState:
    """The state of one stand-in: users, chats, updates, files and what the bot did."""

    # The Bot API methods served, each by the method ``_api_<name>`` (set by BotApiStandIn).
    _METHODS: ClassVar[tuple[str, ...]] = ()

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
        # An answer to a tap later than this is refused, as Telegram refuses it (None: any
        # time; for a test that moves `clock` by hours between a tap and its answer).
        self.callback_answer_timeout_s: float | None = CALLBACK_ANSWER_TIMEOUT_S
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
        # Set by whoever runs the bot in this process: whether it still handles updates it
        # has fetched. A handler can work a while with no API call (a chart, a database write
        # on a loaded machine), and settle() must not take that for quiet.
        self.bot_busy: Callable[[], bool] | None = None

        self._handlers: dict[str, MethodHandler] = {
            name.lower(): getattr(self, "_api_" + name) for name in self._METHODS
        }
        self._canonical = {name.lower(): name for name in self._METHODS}

        self._users: dict[int, User] = {}
        self._blocked: set[int] = set()
        self._chats: dict[int, ChatState] = {}
        self._updates: deque[JSON] = deque()
        self._update_ids = itertools.count(1)
        self._allowed_updates: frozenset[str] | None = None
        self._poller: object | None = None
        self._webhook: JSON = {}
        self._pusher: asyncio.Task[None] | None = None
        self._commands: dict[str, list[JSON]] = {}
        self._menu_buttons: dict[int | None, JSON] = {}  # chat id (None: the default)
        self._faults: dict[str, deque[Fault]] = {}
        # (method, chat id) -> released: calls wait here until a test releases them.
        self._holds: dict[tuple[str, int | None], asyncio.Event] = {}
        self._held: Counter[tuple[str, int | None]] = Counter()  # waiting now
        self._callback_queries: dict[str, CallbackQuery] = {}
        self._query_ids = itertools.count(1)
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_ids = itertools.count(1)
        self._rate_limits = RateLimits(self.stats)
        self._cursors: dict[int, int] = {}
        self._edit_cursors: dict[tuple[int, int], int] = {}

        self._changed = asyncio.Event()
        self._inflight = 0
        self._active_polls = 0
        self._last_activity = 0.0
        self._closing = False
        self._server: tornado.httpserver.HTTPServer | None = None
        self._port: int | None = None

    def _pulse(self) -> None:
        """Wake everyone waiting for a change."""
        self._changed.set()
        self._changed = asyncio.Event()

    def _private_state(self, user: User) -> ChatState:
        state = self._chats.get(user.id)
        if state is None:
            chat = Chat(user.id, "private", username=user.username, first_name=user.first_name)
            state = ChatState(chat, bot_status="member")
            self._chats[user.id] = state
        return state

    def _group_state(self, chat: Chat) -> ChatState:
        state = self._chats.get(chat.id)
        if state is None:
            raise ValueError(f"unknown group {chat.id}; create it with group() first")
        return state

    def _resolve_state(self, user: User, chat: Chat | None) -> ChatState:
        if chat is None or chat.type == "private":
            return self._private_state(user)
        return self._group_state(chat)

    def _chat_for_send(self, raw_chat_id: Any) -> ChatState:
        """Resolve a chat_id parameter for a method that writes into the chat."""
        if raw_chat_id is None or raw_chat_id == "":
            raise ApiError.bad_request("chat_id is empty")
        state: ChatState | None = None
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

    def _chat_for_read(self, raw_chat_id: Any) -> ChatState:
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

    def _check_rate(self, state: ChatState, method: str) -> None:
        if self.enforce_rate_limits:
            self._rate_limits.check(state, method, self.clock())

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
        # Updates of types the bot did not ask for are dropped, as Telegram does. Only the
        # first `limit` are looked at when all are allowed: 6,000 updates of one chat made
        # each getUpdates a scan of all of them.
        kept: list[JSON] = []
        for update in self._updates:
            if not self._allowed(update):
                self._updates = deque(u for u in self._updates if self._allowed(u))
                return self._deliverable(limit)
            if len(kept) >= limit:
                break
            kept.append(update)
        return kept

    def _member_json(self, state: ChatState, user: User) -> JSON:
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
        elif user.id in state.banned:
            status = "kicked"
        else:
            status = "left"
        if status == "creator":
            return {"status": "creator", "user": user.to_dict(), "is_anonymous": False}
        if status == "administrator":
            return _admin_json(user, can_be_edited=user.id == self.bot_id)
        if status == "kicked":
            return {"status": "kicked", "user": user.to_dict(), "until_date": 0}
        return {"status": status, "user": user.to_dict()}

    def _store_file(
        self, data: bytes, file_name: str | None, mime_type: str | None, folder: str
    ) -> StoredFile:
        n = next(self._file_ids)
        ext = ""
        if file_name and "." in file_name:
            ext = file_name.rsplit(".", 1)[1]
        elif mime_type:
            ext = (mimetypes.guess_extension(mime_type) or "").lstrip(".")
        path = f"{folder}/file_{n}" + (f".{ext}" if ext else "")
        stored = StoredFile(
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
