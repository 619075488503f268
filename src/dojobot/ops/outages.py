"""Outages of what the bot depends on (the database, the Bot API): one line when one starts,
one when it ends, with how many updates it touched; no traceback per update.

A 10 s PostgreSQL outage wrote 106 tracebacks, one per update that failed: noise that hid
the one fact a maintainer needs (the database was away from 12:00:03 to 12:00:13, 54
updates failed). An error of this kind is expected while the outage lasts; DojoBot's own
bugs keep their tracebacks (app._on_error).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram.error import BadRequest, NetworkError

log = logging.getLogger(__name__)

# While an outage lasts, how often the bot asks whether it is over (a quiet bot has no
# successes to see its end by; the database's /healthz probe, getMe for the Bot API).
PROBE_EVERY_S = 1.0

Probe = Callable[[], Awaitable[bool]]  # True: reachable again


def database_outage(error: BaseException) -> bool:
    """Whether `error` says the database is out of reach (not a bug in a statement)."""
    if isinstance(error, sqlite3.OperationalError):
        return "locked" in str(error) or "disk I/O" in str(error)  # busy or failing disk
    if isinstance(error, OSError | TimeoutError):
        return True
    try:  # an optional extra, installed by PostgreSQL users only
        import asyncpg
    except ImportError:
        return False
    return isinstance(error, asyncpg.InterfaceError | asyncpg.InternalClientError
                      | asyncpg.PostgresConnectionError | asyncpg.CannotConnectNowError
                      | asyncpg.exceptions.OperatorInterventionError)


def outage_kind(error: BaseException | None) -> str | None:
    """"database" or "Bot API" for an outage's error; None for anything else (a bug)."""
    if error is None:
        return None
    # TimedOut is a NetworkError; so, in python-telegram-bot, is BadRequest, which is
    # Telegram's answer (a tap answered too late, say), not Telegram out of reach.
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return "Bot API"
    return "database" if database_outage(error) else None


@dataclass
class _Outage:
    started: float
    updates: int = 0
    jobs: int = 0  # job runs (nudges, idle sets) the outage failed: no learner sent them
    reason: str = ""
    watcher: asyncio.Task[None] | None = field(default=None, repr=False)


class _WithoutTraceback(logging.Filter):
    """A driver's own retry line keeps its reason and loses its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


# asyncpg's pool reconnects by itself in the background while PostgreSQL is away, logging a
# WARNING with a traceback at each try (1, 2, 4 … s apart): expected in an outage, which the
# two lines of Outages already tell.
_DRIVER_RETRIES = "asyncpg.pool"


class Outages:
    """The outages going on now, by kind; each logs its start and its end once."""

    def __init__(self) -> None:
        self._now: dict[str, _Outage] = {}
        driver = logging.getLogger(_DRIVER_RETRIES)
        if not any(isinstance(f, _WithoutTraceback) for f in driver.filters):
            driver.addFilter(_WithoutTraceback())

    def failed(self, kind: str, error: BaseException, back: Probe, *, job: bool = False) -> None:
        """Count one update (or, job: one job run) that failed because `kind` is out of
        reach; `back` tells when the outage is over."""
        now = time.monotonic()
        outage = self._now.get(kind)
        if outage is None:
            reason = f"{type(error).__name__}: {error}".splitlines()[0][:200]
            outage = self._now[kind] = _Outage(started=now, reason=reason)
            log.warning("%s out of reach (%s); updates fail until it is back", kind, reason)
            outage.watcher = asyncio.get_running_loop().create_task(self._watch(kind, back))
        if job:
            outage.jobs += 1
        else:
            outage.updates += 1

    async def _watch(self, kind: str, back: Probe) -> None:
        outage = self._now[kind]
        while True:
            await asyncio.sleep(PROBE_EVERY_S)
            try:
                if await back():
                    break
            except Exception:
                continue
        del self._now[kind]
        log.warning("%s back: out of reach for %.1f s, %s (%s)", kind,
                    time.monotonic() - outage.started, _failures(outage), outage.reason)

    async def close(self) -> None:
        """Stop watching (at shutdown); an outage still going on is logged as such."""
        for kind, outage in list(self._now.items()):
            if outage.watcher is not None:
                outage.watcher.cancel()
            log.warning("%s still out of reach at shutdown: %s", kind, _failures(outage))
        self._now.clear()


def _failures(outage: _Outage) -> str:
    """"54 updates failed", with the bot's own job runs apart ("2 updates and 1 job run
    failed"): the updates are what learners lost; a minutely job failing is not one of them."""
    updates = _count(outage.updates, "update")
    if not outage.jobs:
        return f"{updates} failed"
    return f"{updates} and {_count(outage.jobs, 'job run')} failed"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
