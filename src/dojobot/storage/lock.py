"""An advisory lock file beside the database: held by a running bot, checked by the commands
that must not run under it (restore, schema changes)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dojobot.storage.db import StorageError
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


@contextmanager
def without_a_bot(database_path: Path) -> Iterator[None]:
    """Hold `<db>.lock` while a command changes what a running bot relies on; refuse at once
    if a bot holds it (a schema change under it drops tables it is using)."""
    lock = DatabaseLock(database_path)
    try:
        acquired = lock.try_acquire()
    except OSError as exc:
        raise StorageError(f"cannot create {lock.path}: {exc.strerror}") from None
    if not acquired:
        raise StorageError(
            f"a bot process is using {database_path} (it holds {lock.path}); stop it first"
        )
    try:
        yield
    finally:
        lock.release()
