"""Charts are drawn in a worker process, never on the event loop's thread or beside it.

A chart costs about 100-200 ms of CPU, nearly all of it holding the GIL (matplotlib's
artists are Python; Agg does not release the GIL while drawing). In a thread beside the
event loop it would slow every other learner's update by GIL hand-offs; in a process it
uses the other core. One worker per bot process, started on the first chart (importing
matplotlib takes a second), ended at exit; a worker that died is replaced on the next chart.
The worker runs at a lower CPU priority (nice +10): when the cores are busy, a learner's
answer is served first and a chart waits, not the other way round.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from dojobot.i18n import current, use_language

_pool: ProcessPoolExecutor | None = None
WORKER_NICENESS = 10


def _lower_priority() -> None:
    """In the worker, at start: yield the CPU to the bot's event loop when both want it."""
    with contextlib.suppress(OSError, AttributeError):  # no nice() on some platforms
        os.nice(WORKER_NICENESS)


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawn, not fork: forking a process that runs threads (database readers, the job queue)
        # can copy a held lock into the child.
        _pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"),
            initializer=_lower_priority,
        )
    return _pool


def _draw_in(language: str, draw: Callable[..., bytes], *args: Any) -> bytes:
    """In the worker: draw with the caller's language active (charts translate labels)."""
    with use_language(language):
        return draw(*args)


async def render(draw: Callable[..., bytes], *args: Any) -> bytes:
    """Run a chart function of dojobot.display.charts in the chart worker, in the current language;
    its PNG bytes."""
    global _pool
    loop = asyncio.get_running_loop()
    language = current().code
    try:
        return await loop.run_in_executor(_executor(), _draw_in, language, draw, *args)
    except BrokenProcessPool:
        _pool = None  # the worker died (killed, out of memory): one more try on a new one
        return await loop.run_in_executor(_executor(), _draw_in, language, draw, *args)
