"""A round-robin reverse proxy for webhooks, standing in for compose.yaml's Caddy.

It does what Caddy's `reverse_proxy` with `lb_policy round_robin` and `lb_retries` does for
the webhook: each POST goes to the next replica; a replica that refuses the connection
(down, or not started yet) is skipped for the next one; a replica that took the request and
then failed is not retried here (the request may have been handled): the sender gets 502
and, like Telegram, delivers the update again.

Shared by the tests and benchmarks/replicas.py.
"""

from __future__ import annotations

import itertools
from collections import Counter

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

from tests.support.cli import free_port

HEADERS = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


class RoundRobin:
    """Listens on 127.0.0.1:port/telegram and spreads POSTs over `upstreams`."""

    def __init__(self, upstreams: list[str]) -> None:
        self.upstreams = upstreams
        self.port = free_port()
        self.forwarded: Counter[str] = Counter()  # upstream -> requests it answered
        self.last: str | None = None  # the upstream the latest request went to
        self._turn = itertools.cycle(range(len(upstreams)))
        self._server: HTTPServer | None = None
        # Its own client: the shared one opens at most 10 connections at once.
        self._client = AsyncHTTPClient(force_instance=True, max_clients=100)

    @property
    def url(self) -> str:
        """The webhook URL to give the bots."""
        return f"http://127.0.0.1:{self.port}/telegram"

    def start(self) -> None:
        """Serve in the running event loop."""
        app = Application([(r"/telegram", _Forward, {"balancer": self})])
        self._server = HTTPServer(app)
        self._server.listen(self.port, "127.0.0.1")

    async def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
        self._client.close()

    async def forward(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """Send to the next upstream that takes the connection; (status, body)."""
        client = self._client
        first = next(self._turn)
        for step in range(len(self.upstreams)):
            upstream = self.upstreams[(first + step) % len(self.upstreams)]
            request = HTTPRequest(
                upstream, method="POST", body=body, headers=headers, request_timeout=10
            )
            self.last = upstream
            try:
                response = await client.fetch(request, raise_error=False)
            except ConnectionRefusedError:
                continue  # never reached the replica: the next one may take it
            except (OSError, HTTPClientError):
                return 502, b""
            if response.code == 599:  # tornado's code for a connection that failed midway
                return 502, b""
            self.forwarded[upstream] += 1
            return response.code, response.body or b""
        return 502, b""


class _Forward(RequestHandler):
    def initialize(self, balancer: RoundRobin) -> None:
        self.balancer = balancer

    async def post(self) -> None:
        headers = {k: v for k in HEADERS if (v := self.request.headers.get(k)) is not None}
        status, body = await self.balancer.forward(self.request.body, headers)
        self.set_status(status)
        self.finish(body)
