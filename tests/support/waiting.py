"""Waiting for the bot to reach a state, without timing it (the machine may be slow)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable


async def until(condition: Callable[[], bool | Awaitable[bool]], what: str) -> None:
    """Poll `condition` (plain or async) until it holds; fail after 15 s."""
    for _ in range(1500):
        result = condition()
        if await result if inspect.isawaitable(result) else result:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")
