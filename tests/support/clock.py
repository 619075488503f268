"""The fake clock tests inject: they move time, nobody sleeps."""

from __future__ import annotations


class FakeClock:
    """An injectable clock in epoch milliseconds: tests move time, nobody sleeps."""

    def __init__(self, start_ms: int = 1_764_000_000_000) -> None:
        self.now_ms = start_ms

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, ms: int) -> None:
        self.now_ms += ms
