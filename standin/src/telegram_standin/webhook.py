"""Webhook delivery as Telegram does it: several POSTs at once, each retried until 200.

Telegram keeps up to the webhook's `max_connections` (default 40) requests open to a bot;
one at a time would make the stand-in, not the bot, the limit of a bot behind a load
balancer. A chat's updates still go one after the other (the next once the last got its
200), so a chat sees its own order kept, as a bot expects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from http import HTTPStatus

import tornado.httpclient

from telegram_standin.models import JSON
from telegram_standin.state import StandInState

__all__ = ["WebhookMixin"]

DEFAULT_MAX_CONNECTIONS = 40  # Telegram's default for setWebhook's max_connections
RETRY_PAUSE_S = 0.05


def _chat_key(update: JSON) -> object:
    """The chat an update belongs to (its order is kept), or the update itself (its id)."""
    body = next((v for k, v in update.items() if k != "update_id"), None)
    if isinstance(body, dict):
        message = body.get("message") if "chat" not in body else body
        chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and "id" in chat:
            return chat["id"]
    return ("update", update["update_id"])


class WebhookMixin(StandInState):
    """Pushes pending updates to the webhook set with setWebhook."""

    async def _push_to_webhook(self) -> None:
        """Deliver pending updates by POST until the webhook is removed or the server stops."""
        client = tornado.httpclient.AsyncHTTPClient(force_instance=True, max_clients=100)
        sending: dict[int, asyncio.Task[None]] = {}  # id(update) -> its delivery
        # update_id -> its chat, worked out once: every change scans what waits (6,000
        # updates of one chat made the scan, not the bot, what others' updates waited for).
        chats: dict[int, object] = {}
        try:
            while self._webhook.get("url") and not self._closing:
                event = self._changed
                limit = int(self._webhook.get("max_connections") or DEFAULT_MAX_CONNECTIONS)
                waiting: set[object] = set()  # chats with an earlier update not yet confirmed
                refused: list[JSON] = []  # of a type the bot did not ask for: dropped
                for update in self._updates:
                    chat = chats.get(update["update_id"])
                    if chat is None:
                        chat = chats[update["update_id"]] = _chat_key(update)
                    if chat not in waiting and id(update) not in sending:
                        if not self._allowed(update):
                            refused.append(update)
                            continue
                        if len(sending) >= limit:
                            break
                        sending[id(update)] = asyncio.create_task(
                            self._deliver(client, update, sending)
                        )
                    waiting.add(chat)
                if refused:
                    self._updates = type(self._updates)(
                        u for u in self._updates if all(u is not r for r in refused))
                if len(chats) > 2 * len(self._updates) + 100:  # forget the delivered ones
                    chats = {u["update_id"]: chats[u["update_id"]] for u in self._updates
                             if u["update_id"] in chats}
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), 0.5)
        finally:
            for task in sending.values():
                task.cancel()
            await asyncio.gather(*sending.values(), return_exceptions=True)
            client.close()

    async def _deliver(
        self, client: tornado.httpclient.AsyncHTTPClient, update: JSON,
        sending: dict[int, asyncio.Task[None]],
    ) -> None:
        headers = {"Content-Type": "application/json"}
        if secret := self._webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(secret)
        self._inflight += 1
        try:
            response = await client.fetch(
                str(self._webhook["url"]), method="POST", body=json.dumps(update),
                headers=headers, raise_error=False, request_timeout=10,
            )
            delivered = response.code == HTTPStatus.OK
        except OSError:
            delivered = False
        finally:
            self._inflight -= 1
        try:
            if delivered:
                self._updates = type(self._updates)(u for u in self._updates if u is not update)
                self.stats.webhook_deliveries += 1
                self._last_activity = asyncio.get_running_loop().time()
            else:
                self.stats.webhook_failures += 1
                await asyncio.sleep(RETRY_PAUSE_S)  # then the loop sends it again
        finally:
            sending.pop(id(update), None)
            self._pulse()
