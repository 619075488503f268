"""Incoming updates: how the bot fetches them, by long polling or through a webhook."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from telegram_standin.models import JSON, ApiError
from telegram_standin.webhook import WebhookMixin

__all__ = ["UpdatesMixin"]


class UpdatesMixin(WebhookMixin):
    """getUpdates (one long poll at a time, as Telegram) and the webhook's methods."""

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

    def _api_getWebhookInfo(self, params: JSON, files: Any) -> JSON:
        info: JSON = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook.get("allowed_updates"):
            info["allowed_updates"] = self._webhook["allowed_updates"]
        return info

