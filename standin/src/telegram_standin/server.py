"""The HTTP side: tornado serves the Bot API and the file downloads on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Callable
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self

import tornado.httpserver
import tornado.netutil
import tornado.web

from telegram_standin.models import JSON
from telegram_standin.state import StandInState

__all__ = ["ServerMixin"]


class _ApiHandler(tornado.web.RequestHandler):
    standin: ServerMixin

    def initialize(self, standin: ServerMixin) -> None:
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
    standin: ServerMixin

    def initialize(self, standin: ServerMixin) -> None:
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

class ServerMixin(StandInState):
    """Starting and stopping the server, and the URLs a bot is pointed at."""

    async def _dispatch(
        self,
        token: str,
        method: str,
        raw: dict[str, Any],
        files: dict[str, tuple[str, bytes, str]],
        is_closed: Callable[[], bool],
    ) -> tuple[int, JSON]:
        """Answer one HTTP request: BotApiStandIn's, declared here so the handlers need
        only this mixin (no import of the class that is built from it)."""
        raise NotImplementedError

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

    async def __aenter__(self) -> Self:
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
