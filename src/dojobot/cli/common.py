"""What the maintainer commands share: the one-line failure, the clock they stamp changes
with, and the current database (refused while its schema is behind)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from dojobot.config import Settings
from dojobot.ops.database import open_database
from dojobot.storage.db import Database
from dojobot.storage.migrator import status


class CliError(Exception):
    """A failure to report as one line and a non-zero exit (by main.py)."""


def now_ms() -> int:
    """Now, in the milliseconds since the epoch that the database stores."""
    return time.time_ns() // 1_000_000


@asynccontextmanager
async def open_current(
    settings: Settings, *, readonly: bool = False, path: Path | None = None
) -> AsyncIterator[Database]:
    """The existing database on either engine (or a copy of the SQLite file at `path`),
    refusing one whose schema is behind this version."""
    db = await open_database(settings, create=False, readonly=readonly, path=path)
    try:
        state = await status(db)
        if state.pending:
            raise CliError(
                f"database {db.display_name} is at schema version {state.current}; "
                "run `dojobot migrate up` first"
            )
        yield db
    finally:
        await db.close()
