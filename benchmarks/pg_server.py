"""A PostgreSQL server on this machine, seen from outside: its CPU time, a cold restart, and
throw-away databases on it.

For benchmarks against the throw-away cluster `scripts/with-postgres` starts (same machine;
the restart needs to act as the cluster's owner, so root or that user).

- `server_cpu_seconds`: the postmaster's user + system CPU, its live children's (backends,
  checkpointer, WAL writer, autovacuum), and the children that already exited (the kernel
  adds a reaped child's time to its parent's cutime/cstime). A benchmark reads it before
  and after a run: PostgreSQL's own work per answer, which the bot process's CPU omits.
  A child that exits between the two reads of one call may be counted twice; pooled
  connections live for the whole run, so that is rare.
- `restart_cold`: `pg_ctl restart` (empty shared buffers), then the OS page cache dropped
  (`drop_caches`, root only): the next query reads from disk, like SQLite's cold figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
from collections.abc import AsyncIterator
from pathlib import Path

from tests.support.postgres import fresh_database

CLK_TCK = os.sysconf("SC_CLK_TCK")


def drop_os_cache() -> bool:
    """Drop the page cache (root only); False if the kernel refused."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


async def postmaster_pid(url: str) -> int:
    """The server's postmaster: the parent of the backend serving a new connection."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:  # read while the backend lives: it exits with the connection
        return _parent(int(await conn.fetchval("SELECT pg_backend_pid()")))
    finally:
        await conn.close()


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def _cpu_ticks(pid: int, *, with_reaped: bool) -> int:
    """utime + stime of a process (and cutime + cstime: its children that exited)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks + (int(fields[13]) + int(fields[14]) if with_reaped else 0)


def server_cpu_seconds(postmaster: int) -> float:
    """CPU seconds the whole server has used so far (see the module docstring)."""
    ticks = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or entry.name == str(postmaster):
            continue
        try:
            if _parent(int(entry.name)) == postmaster:
                ticks += _cpu_ticks(int(entry.name), with_reaped=True)
        except (OSError, IndexError, ValueError):
            continue  # exited while we looked: counted in the postmaster's cutime below
    return (ticks + _cpu_ticks(postmaster, with_reaped=True)) / CLK_TCK


async def restart_cold(url: str) -> bool:
    """Restart the server and drop the OS page cache; False if the cache could not be
    dropped (not root): then only PostgreSQL's own buffers are cold."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        data = str(await conn.fetchval("SHOW data_directory"))
        postmaster = _parent(int(await conn.fetchval("SELECT pg_backend_pid()")))
    finally:
        await conn.close()
    pg_ctl = Path(os.readlink(f"/proc/{postmaster}/exe")).with_name("pg_ctl")
    owner = os.stat(data).st_uid
    as_owner = [] if owner == os.geteuid() else ["runuser", "-u", pwd.getpwuid(owner).pw_name,
                                                 "--"]
    # restart reuses the options the server was started with (postmaster.opts); -l keeps its
    # log out of our pipes.
    proc = await asyncio.create_subprocess_exec(
        *as_owner, str(pg_ctl), "-D", data, "-m", "fast", "-w", "-t", "120",
        "-l", f"{data}/restart.log", "restart",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )
    if await proc.wait() != 0:
        raise RuntimeError(f"pg_ctl restart of {data} failed (see {data}/restart.log)")
    return drop_os_cache()


@contextlib.asynccontextmanager
async def throwaway_postgres(server_url: str | None) -> AsyncIterator[str | None]:
    """A new database on the server (dropped at the end), or None for SQLite."""
    if server_url is None:
        yield None
        return
    async with fresh_database(server_url=server_url) as url:
        yield url
