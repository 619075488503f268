"""The chart worker: a separate process, at a lower CPU priority than the bot."""

from __future__ import annotations

import os

from dojobot.display.rendering import WORKER_NICENESS, render


def niceness_and_pid() -> bytes:
    """Run in the worker: what it reports about itself."""
    return f"{os.nice(0)} {os.getpid()}".encode()


async def test_charts_are_drawn_in_a_process_that_yields_the_cpu() -> None:
    nice, pid = map(int, (await render(niceness_and_pid)).split())
    assert pid != os.getpid()
    assert nice >= min(os.nice(0) + WORKER_NICENESS, 19)
