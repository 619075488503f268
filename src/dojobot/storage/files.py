"""Files holding learners' data (the database, its lock, backups) are their owner's only.

SQLite creates the -wal and -shm files with the database file's own permissions, so the
database's mode covers them. Files that already exist keep their mode: tightening a file
someone shares on purpose is their call (the README says how).
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE = 0o600


def create_private(path: Path) -> None:
    """Create `path` empty and readable by its owner only, unless it exists already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    except FileExistsError:
        return
    os.close(fd)
