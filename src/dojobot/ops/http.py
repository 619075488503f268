"""The bot's HTTP servers: GET /metrics (Prometheus) and GET /healthz for operators, and
whatever routes the layers above add (the Mini App, dojobot.web) on the same tornado."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

from dojobot.ops.startup import StartupError

log = logging.getLogger(__name__)

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


def start_http_server(
    port: int, rules: Rules, *, setting: str, address: str = "0.0.0.0",
    max_body_size: int | None = None,
) -> HTTPServer:
    """Serve `rules` on `port` in the running event loop; `setting` names the variable that
    chose the port, for the one-line refusal when it is taken."""
    server = HTTPServer(Application(list(rules)), xheaders=True, max_body_size=max_body_size)
    try:
        server.listen(port, address)
    except OSError as exc:
        raise StartupError(
            f"{setting} {port} cannot be used ({exc.strerror}); "
            "choose a free port or stop what holds it"
        ) from None
    log.info("HTTP on port %s (%s)", port, setting)
    return server


def start_ops_server(port: int, check: HealthCheck, address: str = "0.0.0.0") -> HTTPServer:
    """Serve /metrics and /healthz on `port` in the running event loop."""
    return start_http_server(port, ops_rules(check), setting="DOJOBOT_METRICS_PORT",
                             address=address)
