"""How `dojobot run` stops: SIGINT or SIGTERM ends the process within STOP_LIMIT_S, whatever
the Bot API or the database does meanwhile.

A container gets SIGTERM and, a grace period later (Docker's default: 10 s; compose.yaml
sets it), SIGKILL. A graceful stop waits for the updates in flight, for PTB's last
getUpdates and for the database to close; with the Bot API or the database hung, each of
those waits out its own timeout, and a stop took over 10 s. So the first signal starts a
graceful stop and a watchdog thread: if the process still runs STOP_LIMIT_S later, it
writes one line and exits at once. Nothing is lost by that: every acknowledged answer was
committed before its reply (kill -9 loses none either), an update not yet answered 200 is
sent again by Telegram, and one polled but unconfirmed is fetched again (and not judged
twice). A second signal exits at once.

The handlers are the event loop's (`loop.add_signal_handler`), for the whole run, start-up
included: asyncio.run's own SIGINT handler is a plain `signal.signal` handler, which runs
only when the main thread next wakes up. A signal the kernel delivers to another thread
(the resolver thread httpx leaves behind) was seen only when the loop's next timer fired,
and the start-up retries sleep up to a minute; SIGTERM had no handler at all until the bot
polled. `add_signal_handler` wakes the loop through its self-pipe, at once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# From the first signal to the end of the process (Docker's grace is 10 s; compose.yaml
# sets 10 s too): the watchdog fires a little before, so the exit itself fits.
STOP_LIMIT_S = 8.0
WATCHDOG_S = STOP_LIMIT_S - 0.5
# How long a stopping bot lets the updates it holds finish (webhook.py, and polling's
# app.stop()): the rest of the limit is for PTB's own stop and closing the database.
DRAIN_S = 4.0
FORCED_EXIT = 1


class Stop:
    """The stop request of a running `dojobot run`: an event, plus the watchdog."""

    def __init__(self) -> None:
        self.requested = asyncio.Event()
        self._main = asyncio.current_task()
        self.cancel_main = True  # while starting, a signal cancels the start itself

    def signalled(self) -> None:
        """The first signal starts the stop (and the watchdog); a second ends it now."""
        if self.requested.is_set():
            _exit_now("a second signal: exiting now")
        self.requested.set()
        watchdog = threading.Timer(
            WATCHDOG_S, _exit_now,
            (f"the stop took longer than {WATCHDOG_S:.1f} s (Bot API or database not "
             "answering): exiting now; unanswered updates come again",),
        )
        watchdog.daemon = True
        watchdog.start()
        if self.cancel_main and self._main is not None:
            self._main.cancel()


def _exit_now(reason: str) -> None:
    # os.write, not logging: the main thread may hold the handler's lock, stuck in a write.
    os.write(2, f"dojobot: {reason}\n".encode())
    os._exit(FORCED_EXIT)


@contextmanager
def stop_on_signal() -> Iterator[Stop]:
    """SIGINT and SIGTERM start a Stop for the block (inside the running loop's main task)."""
    loop = asyncio.get_running_loop()
    stop = Stop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.signalled)
    try:
        yield stop
    finally:
        # The watchdog stays armed: asyncio.run's own teardown (joining the resolver
        # threads) and the interpreter's exit are part of the stop too.
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
