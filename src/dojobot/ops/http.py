"""One small HTTP server for operators: GET /metrics (Prometheus) and GET /healthz."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

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


def start_ops_server(port: int, check: HealthCheck, address: str = "0.0.0.0") -> HTTPServer:
    """Serve /metrics and /healthz on `port` in the running event loop."""
    app = Application([(r"/metrics", _Metrics), (r"/healthz", _Health, {"check": check})])
    server = HTTPServer(app)
    try:
        server.listen(port, address)
    except OSError as exc:
        raise StartupError(
            f"DOJOBOT_METRICS_PORT {port} cannot be used ({exc.strerror}); "
            "choose a free port or stop what holds it"
        ) from None
    log.info("metrics and health on port %s", port)
    return server
