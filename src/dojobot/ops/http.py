"""The bot's HTTP servers: GET /metrics (Prometheus) and GET /healthz for operators, and
whatever routes the layers above add (the Mini App, dojobot.web) on the same tornado.

Every server the bot opens may face the internet (the Mini App must: browsers reach it;
the webhook is behind a proxy that passes anyone's POST), so each is a BoundedServer: a
body past its limit is refused from its Content-Length before it is read, headers and
body each arrive within a deadline, and the open connections are capped. tornado's own
defaults read any body up to 100 MB into memory before a handler can refuse it, wait an
hour for headers and for ever for a body.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from tornado.httpserver import HTTPServer
from tornado.iostream import IOStream
from tornado.web import Application, RequestHandler

from dojobot.ops.startup import StartupError

log = logging.getLogger(__name__)

MAX_HEADERS = 16 * 1024  # a Mini App's initData header is under 8 KiB (web/auth.py)
HEADER_TIMEOUT_S = 10.0  # also how long an idle kept-alive connection stays open
BODY_TIMEOUT_S = 10.0  # the whole body, from its first byte

# (healthy, one line: this replica and what is wrong or how it stands)
HealthCheck = Callable[[], Awaitable[tuple[bool, str]]]


class _Metrics(RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.write(generate_latest(REGISTRY))


class _Health(RequestHandler):
    def initialize(self, check: HealthCheck) -> None:
        self.check = check

    async def get(self) -> None:
        try:
            healthy, line = await asyncio.wait_for(self.check(), timeout=3)
        except Exception as exc:  # a health check must answer, whatever broke
            healthy, line = False, f"health check failed: {type(exc).__name__}"
        self.set_status(200 if healthy else 503)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        # The first line is the verdict, for probes that read only that; the second says
        # which replica answered (behind a proxy, any of them may).
        self.write(f"ok\n{line}\n" if healthy else f"{line}\n")


Rules = Sequence[tuple[Any, ...]]  # tornado's (pattern, handler[, kwargs]) rules


def ops_rules(check: HealthCheck) -> list[tuple[Any, ...]]:
    """/metrics and /healthz."""
    return [(r"/metrics", _Metrics), (r"/healthz", _Health, {"check": check})]


class BoundedServer(HTTPServer):
    """An HTTPServer that closes a connection past `max_connections` at once."""

    max_connections = 256

    def handle_stream(self, stream: IOStream, address: tuple[Any, ...]) -> None:
        """Serve the connection, or close it if the server has its fill already."""
        if len(self._connections) >= self.max_connections:
            stream.close()
            return
        super().handle_stream(stream, address)


def bounded_server(
    app: Application, *, max_body: int, max_connections: int, xheaders: bool = False
) -> BoundedServer:
    """A server for `app` with the limits of a public endpoint (module docstring)."""
    server = BoundedServer(
        app, xheaders=xheaders, max_body_size=max_body, max_header_size=MAX_HEADERS,
        idle_connection_timeout=HEADER_TIMEOUT_S, body_timeout=BODY_TIMEOUT_S,
    )
    server.max_connections = max_connections
    return server


def start_http_server(
    port: int, rules: Rules, *, setting: str, max_body: int, max_connections: int,
    address: str = "0.0.0.0",
) -> HTTPServer:
    """Serve `rules` on `port` in the running event loop, bounded (module docstring);
    `setting` names the variable that chose the port, for the one-line refusal when it is
    taken."""
    server = bounded_server(Application(list(rules)), max_body=max_body,
                            max_connections=max_connections, xheaders=True)
    try:
        server.listen(port, address)
    except OSError as exc:
        raise StartupError(
            f"{setting} {port} cannot be used ({exc.strerror}); "
            "choose a free port or stop what holds it"
        ) from None
    log.info("HTTP on port %s (%s)", port, setting)
    return server

