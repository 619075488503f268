"""An advisory lock file beside the database: held by a running bot, checked by restore."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from dojobot.storage.files import PRIVATE


def lock_path_for(database_path: Path) -> Path:
    """`<db>.lock` beside the database file."""
    return database_path.with_name(database_path.name + ".lock")


class DatabaseLock:
    """An exclusive flock on `<db>.lock`; the kernel drops it when the process dies."""

    def __init__(self, database_path: Path) -> None:
        self.path = lock_path_for(database_path)
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """Take the lock without waiting; False if another holder has it."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        """Let go of the lock (the file stays; its presence means nothing)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
