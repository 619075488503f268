"""Observing the bot: its messages per chat, and waiting for new ones, edits or quiet."""

from __future__ import annotations

import asyncio

from telegram_standin.models import BotMessage, Chat, User, as_chat_id
from telegram_standin.state import StandInState

__all__ = ["WAIT_TIMEOUT_S", "ObserveMixin"]

# How long a wait lasts before it fails: it detects a bot that will never answer, it is not
# a time limit. On a loaded machine (tests in parallel on two cores, a chart worker at a
# low priority) what takes milliseconds alone can take seconds.
WAIT_TIMEOUT_S = 30.0


class ObserveMixin(StandInState):
    """What a test reads: each wait fails with a description of what the chat did receive."""

    def messages(self, chat_id: int | Chat | User) -> list[BotMessage]:
        """The bot's messages in a chat, in order, with edits applied (deleted ones left out)."""
        state = self._chats.get(as_chat_id(chat_id))
        if state is None:
            return []
        return [m for m in state.bot_messages if not m.deleted]

    def _all_bot_messages(self, chat_id: int) -> list[BotMessage]:
        state = self._chats.get(chat_id)
        return state.bot_messages if state is not None else []

    async def wait_for_change(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109
        """Wait until anything happens (an API call, an update); False on timeout."""
        event = self._changed
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def _describe_chat(self, chat_id: int) -> str:
        lines = [f"chat {chat_id} received:"]
        for m in self._all_bot_messages(chat_id):
            flags = " (deleted)" if m.deleted else ""
            flags += f" (edited x{m.edited})" if m.edited else ""
            lines.append(f"  #{m.message_id} {m.kind}{flags}: {m.plain_text[:200]!r}")
        if len(lines) == 1:
            lines.append("  nothing")
        failed = [c for c in self.calls if not c.ok][-5:]
        if failed:
            lines.append("recent failed API calls:")
            lines.extend(f"  {c.method} -> {c.error_code} {c.description}" for c in failed)
        if self.internal_errors:
            lines.append(f"stand-in internal errors: {self.internal_errors!r}")
        return "\n".join(lines)

    async def next_message(
        self,
        chat_id: int | Chat | User,
        *,
        timeout: float = WAIT_TIMEOUT_S,  # noqa: ASYNC109
    ) -> BotMessage:
        """The next new bot message in the chat after the last one this returned."""
        cid = as_chat_id(chat_id)
        cursor = self._cursors.get(cid, 0)
        if not await self._wait_until(lambda: len(self._all_bot_messages(cid)) > cursor, timeout):
            raise TimeoutError(
                f"no new bot message in chat {cid} within {timeout} s (already seen: {cursor})"
                f"\n{self._describe_chat(cid)}"
            )
        self._cursors[cid] = cursor + 1
        return self._all_bot_messages(cid)[cursor]

    async def wait_for_edit(
        self,
        chat_id: int | Chat | User,
        message_id: int,
        *,
        timeout: float = WAIT_TIMEOUT_S,  # noqa: ASYNC109
    ) -> BotMessage:
        """Wait until the message's edit count exceeds what this last returned for it."""
        cid = as_chat_id(chat_id)
        key = (cid, message_id)
        seen = self._edit_cursors.get(key, 0)

        def edited() -> bool:
            state = self._chats.get(cid)
            record = state.bot_by_id.get(message_id) if state else None
            return record is not None and record.edited > seen

        if not await self._wait_until(edited, timeout):
            raise TimeoutError(
                f"bot message {message_id} in chat {cid} was not edited within {timeout} s "
                f"(edits seen: {seen})\n{self._describe_chat(cid)}"
            )
        record = self._chats[cid].bot_by_id[message_id]
        self._edit_cursors[key] = record.edited
        return record

    async def settle(
        self, quiet: float = 0.05, *, timeout: float = WAIT_TIMEOUT_S  # noqa: ASYNC109
    ) -> None:
        """Wait until every update was fetched and handled (when `bot_busy` tells) and no API
        call happened for `quiet` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            now = loop.time()
            pending = bool(self._deliverable(1))
            busy = self.bot_busy is not None and self.bot_busy()
            quiet_for = now - self._last_activity
            if not pending and not busy and self._inflight == 0 and quiet_for >= quiet:
                return
            if now >= deadline:
                raise TimeoutError(
                    f"stand-in did not settle within {timeout} s: "
                    f"{len(self._updates)} update(s) unconfirmed, {self._inflight} call(s) "
                    f"in flight{', the bot still busy' if busy else ''} (is the bot polling?)"
                )
            wait = quiet / 4 if pending or busy else quiet - quiet_for
            await asyncio.sleep(max(0.005, min(wait, deadline - now)))

