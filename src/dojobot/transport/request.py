"""The Bot API client: python-telegram-bot's httpx request, with few requests in flight.

Updates of different chats run concurrently (updates.py), so at 50 busy learners about 50
sendMessage calls were in flight at once. httpx's connection pool then held ~50
connections, and httpcore re-examines every connection (a socket poll each) and every
queued request each time any request starts or ends: CPU per answer grew with the number
of requests in flight (BENCHMARKS.md#answer-path-2026-11-29). A semaphore in front of
a small pool keeps httpcore's lists short; the requests that wait, wait on it in order.

The size is a setting (DOJOBOT_BOT_API_CONNECTIONS, 8 by default: Telegram's 30 messages
a second at round trips up to ~0.25 s).

A tap's answer (its toast) that Telegram refuses as too late (more than 15 s after the tap,
on a busy bot) is dropped here rather than raised: the work behind the tap, which often
comes after its answer, must go on; the learner only misses the toast.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput
from telegram.request import HTTPXRequest, RequestData

log = logging.getLogger(__name__)

# Telegram's 400 for answerCallbackQuery past its deadline (or for a query already answered).
LATE_TAP = b"query is too old"
DROPPED_ANSWER = b'{"ok": true, "result": false}'


class GatedRequest(HTTPXRequest):
    """HTTPXRequest that lets at most `connections` requests reach its pool at once."""

    def __init__(self, connections: int) -> None:
        super().__init__(connection_pool_size=connections)
        self._gate = asyncio.Semaphore(connections)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Wait for a free connection here, then send as HTTPXRequest does."""
        async with self._gate:
            status, body = await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout,
                pool_timeout,
            )
        if status == 400 and url.endswith("/answerCallbackQuery") and LATE_TAP in body:
            log.info("a tap was answered too late; Telegram dropped its toast")
            return 200, DROPPED_ANSWER
        return status, body


Screen = Callable[[list[JSONDict]], list[JSONDict]]


class ScreenedUpdatesRequest(HTTPXRequest):
    """The getUpdates client (python-telegram-bot's default: one connection): each batch
    goes through `screen` as soon as its JSON is read, before python-telegram-bot parses
    it into objects, so updates a flooding chat has no room for cost next to nothing
    (updates.py, ChatOrderedProcessor.screen)."""

    def __init__(self, screen: Screen) -> None:
        super().__init__(connection_pool_size=1)
        self._screen = screen

    def parse_json_payload(self, payload: bytes) -> JSONDict:  # type: ignore[override]
        """Parse as HTTPXRequest does (the hook PTB offers); a batch comes back screened."""
        data = super().parse_json_payload(payload)
        if isinstance(data.get("result"), list):
            data["result"] = self._screen(data["result"])
        return data
