"""Per-person bounds on what one person can make the bot do: token buckets by key, and a
count of requests in flight. Times are the bot's clock (ms), so tests move them.

A bucket that has refilled holds nothing a fresh one would not, and is dropped: the memory
is that of the people active in the last few seconds (minutes, for a slow bucket), not of
everyone ever seen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at_ms: int


class TokenBuckets:
    """A token bucket per key: `burst` at once, then `per_second` on average."""

    def __init__(self, per_second: float, burst: int) -> None:
        self.per_second = per_second
        self.burst = burst
        self._buckets: dict[object, _Bucket] = {}
        self._swept_ms: int | None = None

    def take(self, key: object, now_ms: int) -> float:
        """Spend one of the key's tokens: 0 if there was one, else the seconds until one."""
        self._sweep(now_ms)
        bucket = self._buckets.get(key)
        tokens = self._refilled(bucket, now_ms) if bucket else float(self.burst)
        if tokens < 1:
            self._buckets[key] = _Bucket(tokens, now_ms)
            return (1 - tokens) / self.per_second
        self._buckets[key] = _Bucket(tokens - 1, now_ms)
        return 0.0

    def __len__(self) -> int:
        return len(self._buckets)

    def __contains__(self, key: object) -> bool:
        return key in self._buckets

    def forget(self, key: object) -> None:
        self._buckets.pop(key, None)

    def clear(self) -> None:
        self._buckets.clear()

    def _refilled(self, bucket: _Bucket, now_ms: int) -> float:
        # A clock that stepped back refills nothing (and does not drain either).
        elapsed_s = max(0, now_ms - bucket.at_ms) / 1000
        return min(float(self.burst), bucket.tokens + elapsed_s * self.per_second)

    def _sweep(self, now_ms: int) -> None:
        """Drop the full buckets, at most once per refill time (so in O(1) per take)."""
        refill_ms = 1000 * self.burst / self.per_second
        if self._swept_ms is not None and 0 <= now_ms - self._swept_ms < refill_ms:
            return
        self._swept_ms = now_ms
        full = [k for k, b in self._buckets.items() if self._refilled(b, now_ms) >= self.burst]
        for key in full:
            del self._buckets[key]


class InFlight:
    """How many requests each key has running, at most `limit` each."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._running: dict[object, int] = {}

    def enter(self, key: object) -> bool:
        """Count one more running for the key; False (and nothing counted) at the limit."""
        running = self._running.get(key, 0)
        if running >= self.limit:
            return False
        self._running[key] = running + 1
        return True

    def leave(self, key: object) -> None:
        running = self._running.get(key, 0) - 1
        if running > 0:
            self._running[key] = running
        else:  # nobody's zero is kept
            self._running.pop(key, None)

    def running(self, key: object) -> int:
        return self._running.get(key, 0)

    def __len__(self) -> int:
        return len(self._running)


def retry_after(seconds: float) -> int:
    """A Retry-After header's whole seconds: at least 1."""
    return max(1, math.ceil(seconds))
