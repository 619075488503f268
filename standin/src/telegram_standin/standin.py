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
        async with running(app):  # initialize, post_init, start polling ... shutdown
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
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from telegram_standin.acting import ActingMixin
from telegram_standin.knobs import KnobsMixin
from telegram_standin.methods import MethodsMixin
from telegram_standin.models import JSON, ApiCall, ApiError
from telegram_standin.observe import ObserveMixin
from telegram_standin.server import ServerMixin
from telegram_standin.updates import UpdatesMixin

__all__ = ["BotApiStandIn"]

_LOGGER = logging.getLogger(__name__)

# Form-encoded parameters arrive as strings; these are decoded before the call is recorded.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "menu_button",
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


class BotApiStandIn(
    ServerMixin, MethodsMixin, UpdatesMixin, ActingMixin, ObserveMixin, KnobsMixin
):
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
        "setChatMenuButton",
        "getChatMenuButton",
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

    async def _wait_on_hold(
        self, held: asyncio.Event, slot: tuple[str, int | None], is_closed: Callable[[], bool]
    ) -> None:
        """Wait until the test lifts the hold. A caller that hangs up meanwhile (a killed
        bot) never reaches Telegram: its call is dropped, not made."""
        self._held[slot] += 1
        try:
            while not held.is_set():
                if is_closed():
                    raise ApiError(499, "the caller closed the connection; nothing was done")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(held.wait(), 0.05)
        finally:
            self._held[slot] -= 1

    async def _dispatch(
        self,
        token: str,
        method: str,
        raw: dict[str, Any],
        files: dict[str, tuple[str, bytes, str]],
        is_closed: Callable[[], bool],
    ) -> tuple[int, JSON]:
        """Answer one HTTP request: (status, Bot API envelope); every call is recorded."""
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
            slot = (key, params.get("chat_id"))
            held = self._holds.get(slot)
            if held is not None:
                await self._wait_on_hold(held, slot, is_closed)
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

