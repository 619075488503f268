"""What the running bot holds for operators: the database lock, the leader election, the ops
server, Sentry."""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram.ext import Updater
from tornado.httpserver import HTTPServer

from dojobot.config import Mode, Settings
from dojobot.ops.http import Rules, ops_rules, start_http_server
from dojobot.ops.redaction import redact, secrets_of
from dojobot.storage.leadership import Election
from dojobot.storage.lock import DatabaseLock

log = logging.getLogger(__name__)


@dataclass
class OpsRuntime:
    """Started in post_init, stopped in post_shutdown."""

    lock: DatabaseLock | None
    election: Election
    servers: list[HTTPServer] = field(default_factory=list)


def init_sentry(settings: Settings) -> bool:
    """Start Sentry when DOJOBOT_SENTRY_DSN is set and sentry-sdk is installed."""
    if settings.sentry_dsn is None:
        return False
    try:
        sentry_sdk = importlib.import_module("sentry_sdk")
    except ImportError:
        log.warning("DOJOBOT_SENTRY_DSN is set but sentry-sdk is missing: "
                    "pip install 'dojobot[sentry]'; errors are only logged")
        return False
    secrets = secrets_of(settings)

    def scrubbed(payload: Any, hint: Any) -> Any:
        del hint
        return redact(payload, secrets)

    # Nothing personal or secret is sent: no frame's local variables (an Update holds the
    # learner's name and message, the bot its token), every secret setting's value
    # replaced in events and breadcrumbs (each Bot API call's URL carries the token), and
    # sentry_sdk's default of no personal data (send_default_pii, deprecated in late 2.x
    # with a warning, is left unset). tests/ops/test_sentry_events.py reads the events.
    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(), include_local_variables=False,
        before_send=scrubbed, before_breadcrumb=scrubbed,
    )
    return True


def sentry_on() -> bool:
    """Whether Sentry was started (init_sentry): only then are its tags worth reading."""
    sentry_sdk = sys.modules.get("sentry_sdk")
    return sentry_sdk is not None and bool(sentry_sdk.is_initialized())


@contextlib.contextmanager
def sentry_tags(**tags: object) -> Iterator[None]:
    """Tags on whatever reaches Sentry inside the block. An error is sent by logging it
    (`log.error(..., exc_info=...)`: sentry_sdk's logging integration makes it the event);
    capturing it as well would send a second event for the same exception, which the SDK's
    dedupe drops: the tagged one, since the log line comes first."""
    if not sentry_on():
        yield
        return
    sentry_sdk = sys.modules["sentry_sdk"]
    with sentry_sdk.new_scope() as scope:
        for key, value in tags.items():
            scope.set_tag(key, str(value))
        yield


class Serving(Protocol):
    """What the health check reads of the running Application (transport's AnyApp)."""

    @property
    def running(self) -> bool: ...
    @property
    def updater(self) -> Updater | None: ...
    @property
    def bot_data(self) -> Any: ...


async def start_runtime(app: Serving, settings: Settings, web_rules: Rules = ()) -> OpsRuntime:
    """Take the database lock (SQLite) or join the replicas' election (PostgreSQL; refused in
    one line when polling mode would run beside another replica), start the ops server when
    a port is set and the Mini App's (`web_rules`) on DOJOBOT_WEB_PORT, start Sentry."""
    lock = None
    if not settings.uses_postgres:
        lock = DatabaseLock(settings.database_path)
        if not lock.try_acquire():
            log.warning("another process holds %s; is a second bot running on this database?",
                        lock.path)
    election = Election(
        settings.database_url if settings.uses_postgres else None,
        polling=settings.mode is Mode.POLLING,
    )
    try:
        await election.join()
    except Exception:
        if lock is not None:
            lock.release()
        raise
    runtime = OpsRuntime(lock, election)
    init_sentry(settings)
    replica = settings.replica_name

    async def health() -> tuple[bool, str]:
        # The updater polls (webhook mode has none: webhook.py serves); app.running is the
        # update loop.
        if not app.running or (app.updater is not None and not app.updater.running):
            return False, f"replica {replica}: update loop is not running"
        live = app.bot_data.db
        problem = "database is closed" if live is None else await live.probe()
        if problem is not None:
            return False, f"replica {replica}: {problem}"
        return True, f"replica {replica}: {election.status}, database ok"

    try:
        _start_servers(runtime, settings, ops_rules(health), web_rules)
    except Exception:
        await stop_runtime(runtime)
        raise
    return runtime


# The Mini App's requests are small JSON; its API refuses a body past its own 16 KiB with a
# JSON reason (dojobot.web.server). The server refuses, unread, anything past this, which
# its pages, static files and 404s would otherwise read into memory in full: eight 15 MB
# POSTs to a page took the bot from 115 to 342 MiB.
MAX_BODY_BYTES = 64 * 1024
# Browsers keep a few connections each, for HEADER_TIMEOUT_S once idle; the cap keeps
# connections that send nothing from taking the file descriptors the bot needs for
# Telegram and its database (600 idle ones held 1,200 descriptors, for an hour each).
MAX_CONNECTIONS = 512


def _start_servers(
    runtime: OpsRuntime, settings: Settings, ops: Rules, web: Rules
) -> None:
    """One server per port: metrics and the Mini App share one when their ports are equal."""
    by_port: dict[int, tuple[list[Any], list[str]]] = {}
    if settings.metrics_port is not None:
        by_port[settings.metrics_port] = ([*ops], ["DOJOBOT_METRICS_PORT"])
    if settings.web_port is not None and web:
        rules, names = by_port.setdefault(settings.web_port, ([], []))
        rules.extend(web)
        names.append("DOJOBOT_WEB_PORT")
    for port, (rules, names) in by_port.items():
        runtime.servers.append(start_http_server(
            port, rules, setting=" and ".join(names), max_body=MAX_BODY_BYTES,
            max_connections=MAX_CONNECTIONS,
        ))


async def stop_runtime(runtime: OpsRuntime | None) -> None:
    """Stop the ops server, leave the election and release the lock."""
    if runtime is None:
        return
    for server in runtime.servers:
        server.stop()
        await server.close_all_connections()
    await runtime.election.close()
    if runtime.lock is not None:
        runtime.lock.release()
