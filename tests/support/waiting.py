"""Waiting for the bot to reach a state, without timing it (the machine may be slow)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable

from telegram_standin.observe import WAIT_TIMEOUT_S


async def until(condition: Callable[[], bool | Awaitable[bool]], what: str) -> None:
    """Poll `condition` (plain or async) until it holds; fail after WAIT_TIMEOUT_S (a hang
    detector, like the stand-in's waits)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_TIMEOUT_S
    while loop.time() < deadline:
        result = condition()
        if await result if inspect.isawaitable(result) else result:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")
