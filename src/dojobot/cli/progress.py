"""Signs of life from a long maintainer command, on stderr: a bar redrawn in place on a
terminal, a plain line every few seconds otherwise (a log file, CI, `docker logs`).

Our own few lines rather than tqdm or rich: both are built for terminals (off one, tqdm
writes carriage-return frames into the log), while what a log needs is one readable line
every few seconds; the terminal bar is a dozen lines more, and the image gains no dependency.
A command that ends within a second shows nothing.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TextIO

DELAY_S = 1.0  # quick commands stay silent
TERMINAL_EVERY_S = 0.2
LOG_EVERY_S = 5.0
BAR_WIDTH = 24


class Progress:
    """How far a command is: `done` of `total` units (total None: unknown, elapsed only)."""

    def __init__(
        self, label: str, total: int | None, unit: str, *, stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        poll: Callable[[], int] | None = None,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.terminal = self.stream.isatty()
        self.every_s = TERMINAL_EVERY_S if self.terminal else LOG_EVERY_S
        self.clock = clock
        self.poll = poll  # where `done` can be read (a file's growing size), if not update()d
        self.done = 0
        self.started = clock()
        self.shown = False

    def update(self, done: int, total: int | None = None) -> None:
        """Record progress (from the working thread; tick() shows it)."""
        self.done = done
        if total is not None:
            self.total = total

    def tick(self) -> None:
        """Show the current state, once the command has run for DELAY_S."""
        if self.clock() - self.started < DELAY_S:
            return
        if self.poll is not None:
            self.done = self.poll()
        self._write(self._line())

    def finish(self, ok: bool) -> None:
        """A last line once the command ran for DELAY_S: the total and the time taken."""
        if not self.shown and self.clock() - self.started < DELAY_S:
            return
        if ok:
            if self.total is not None:
                self.done = self.total
            self._write(f"{self._line()} done", end="\n")
        elif self.terminal:
            self.stream.write("\n")  # leave the bar where it stopped
            self.stream.flush()

    def _line(self) -> str:
        elapsed = f"{self.clock() - self.started:.0f} s"
        if not self.total:
            return f"{self.label}: {self.done:,} {self.unit}, {elapsed}"
        share = min(self.done / self.total, 1.0)
        counts = f"{self.done:,}/{self.total:,} {self.unit} ({share:.0%}), {elapsed}"
        if not self.terminal:
            return f"{self.label}: {counts}"
        filled = round(share * BAR_WIDTH)
        return f"{self.label} [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {counts}"

    def _write(self, line: str, end: str = "") -> None:
        self.shown = True
        if self.terminal:
            self.stream.write(f"\r\x1b[K{line}{end}")  # redraw in place (clear to line end)
        else:
            self.stream.write(f"{line}\n")
        self.stream.flush()


@contextmanager
def progress(
    label: str, total: int | None, unit: str, *, poll: Callable[[], int] | None = None,
    stream: TextIO | None = None,
) -> Iterator[Progress]:
    """A Progress shown by a background thread while the block runs."""
    shown = Progress(label, total, unit, poll=poll, stream=stream)
    stop = threading.Event()

    def ticker() -> None:
        while not stop.wait(shown.every_s):
            shown.tick()

    thread = threading.Thread(target=ticker, name="progress", daemon=True)
    thread.start()
    ok = False
    try:
        yield shown
        ok = True
    finally:
        stop.set()
        thread.join()
        shown.finish(ok)


def copying(label: str, source: Path, target: Path) -> AbstractContextManager[Progress]:
    """Progress of SQLite copying `source` into `target` in one step: the target file's size.

    One step (not SQLite's page-by-page steps) because a step-wise backup starts over each
    time the live bot writes; the target file grows as pages are written, which is enough.
    """
    sizes = [p.stat().st_size for p in (source, source.with_name(f"{source.name}-wal"))
             if p.exists()]

    def megabytes_written() -> int:
        try:
            return target.stat().st_size // 1_000_000
        except FileNotFoundError:
            return 0

    return progress(label, sum(sizes) // 1_000_000, "MB", poll=megabytes_written)
