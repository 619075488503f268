"""Telegram's flood limits for bots, enforced when a test asks for them."""

from __future__ import annotations

import math
from collections import deque

from telegram_standin.models import ApiError, ChatState, StandInStats

__all__ = ["RateLimits"]

# Rate limits Telegram documents for bots (sliding windows).
_OVERALL_LIMIT = (30, 1.0)
_GROUP_LIMIT = (20, 60.0)
_COUNTED_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "editmessagetext",
        "editmessagereplymarkup",
        "editmessagecaption",
    }
)


class RateLimits:
    """Sliding windows of sent messages: 30 a second overall, 20 a minute per group."""

    def __init__(self, stats: StandInStats) -> None:
        self._stats = stats
        self._overall_window: deque[float] = deque()
        self._group_windows: dict[int, deque[float]] = {}

    def check(self, state: ChatState, method: str, now: float) -> None:
        """Count one call of `method` into `state` at `now`; raise 429 past a limit."""
        if method.lower() not in _COUNTED_METHODS:
            return
        limit, window = _OVERALL_LIMIT
        _expire(self._overall_window, now, window)
        if len(self._overall_window) >= limit:
            self._too_many(self._overall_window[0] + window - now)
        group_window: deque[float] | None = None
        if state.is_group:
            group_window = self._group_windows.setdefault(state.chat.id, deque())
            glimit, gwindow = _GROUP_LIMIT
            _expire(group_window, now, gwindow)
            if len(group_window) >= glimit:
                self._too_many(group_window[0] + gwindow - now)
            group_window.append(now)
        self._overall_window.append(now)

    def _too_many(self, wait: float) -> None:
        self._stats.rate_limited += 1
        retry_after = max(1, math.ceil(wait))
        raise ApiError(
            429,
            f"Too Many Requests: retry after {retry_after}",
            {"retry_after": retry_after},
        )


def _expire(window: deque[float], now: float, span: float) -> None:
    while window and window[0] <= now - span:
        window.popleft()
