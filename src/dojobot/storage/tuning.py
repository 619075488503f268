"""Memory for a long-running bot's connection: SQLite's page cache and memory-mapped I/O.

SQLite's default page cache is 2 MB, so on a big file a learner's index pages are evicted
by everyone else's between two of their sets, and their next answers read them again
from the OS. A larger cache keeps the busy pages; memory-mapped reads skip the copy into
SQLite's cache for the rest. Only `dojobot run` sizes them: short commands gain nothing.
"""

from __future__ import annotations

from dojobot.storage.db import SqliteDatabase


async def size_memory(db: SqliteDatabase, *, cache_mib: int, mmap_mib: int) -> None:
    """Set the connection's page cache and memory-mapped window (0 MiB: SQLite's default
    cache, no mapping)."""
    async with db.read() as tx:  # both settings belong to the connection, not the file
        if cache_mib:
            await tx.execute(f"PRAGMA cache_size = {-cache_mib * 1024}")  # negative: KiB
        await tx.execute(f"PRAGMA mmap_size = {mmap_mib * 1024 * 1024}")
