"""Test knobs: recorded calls, injected failures and the state of updates and queries."""

from __future__ import annotations

import asyncio
from collections import deque

from telegram_standin.models import JSON, ApiCall, Fault
from telegram_standin.state import StandInState

__all__ = ["KnobsMixin"]


class KnobsMixin(StandInState):
    """What a test inspects or arranges beyond acting as a user."""

    def calls_of(self, method: str) -> list[ApiCall]:
        """The recorded calls of one method (name case-insensitive)."""
        key = method.lower()
        return [c for c in self.calls if c.method.lower() == key]

    def reset_calls(self) -> None:
        """Forget the recorded calls."""
        self.calls.clear()

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Make the next `count` calls of `method` fail with this error."""
        key = method.lower()
        if key not in self._handlers:
            raise ValueError(f"unknown Bot API method {method!r}")
        queue = self._faults.setdefault(key, deque())
        queue.extend(Fault(error_code, description, retry_after) for _ in range(count))

    def hold(self, method: str, chat_id: int | None) -> asyncio.Event:
        """Make calls of `method` into `chat_id` wait (a slow Telegram) until the event is set
        (None: calls that name no chat, such as setMyCommands)."""
        key = method.lower()
        if key not in self._handlers:
            raise ValueError(f"unknown Bot API method {method!r}")
        return self._holds.setdefault((key, chat_id), asyncio.Event())

    def held_calls(self, method: str, chat_id: int | None) -> int:
        """How many calls of `method` into `chat_id` are waiting on a hold right now."""
        return self._held[(method.lower(), chat_id)]

    @property
    def updates_unconfirmed(self) -> int:
        """Updates the bot has not confirmed yet (by a getUpdates offset past them)."""
        return len(self._updates)

    def unanswered_callback_queries(self) -> list[str]:
        """Ids of callback queries the bot never answered."""
        return [q.id for q in self._callback_queries.values() if not q.answered]

    @property
    def is_polling(self) -> bool:
        """Whether a getUpdates long poll is being held right now."""
        return self._poller is not None

    def pending_updates(self) -> list[JSON]:
        """Updates enqueued but not yet confirmed by the bot's getUpdates offset."""
        return list(self._updates)
