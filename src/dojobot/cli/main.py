"""The `dojobot` command: run the bot, move the schema, try it in a sandbox."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from dojobot.cli.cards import add_parser as add_cards_parser
from dojobot.cli.commands import add_parsers
from dojobot.cli.common import CliError
from dojobot.cli.flags import add_parser as add_flags_parser
from dojobot.cli.progress import progress
from dojobot.config import Mode, Settings, SettingsError, load_settings
from dojobot.ops.database import open_database, open_when_reachable
from dojobot.ops.redaction import redact_text, secrets_of
from dojobot.ops.startup import StartupError
from dojobot.ops.stopping import Stop, stop_on_signal
from dojobot.storage.backup import auto_backup
from dojobot.storage.db import Database, StorageError
from dojobot.storage.leadership import one_migrator_at_a_time
from dojobot.storage.lock import without_a_bot
from dojobot.storage.migrator import migrate_down, migrate_up, status
from dojobot.storage.postgres import redact_url
from dojobot.transport.context import AnyApp

if TYPE_CHECKING:
    pass

log = logging.getLogger("dojobot")


class _RedactingFormatter(logging.Formatter):
    """Blank every secret out of every log line and traceback: Bot API URLs contain the bot
    token, and PTB logs them at DEBUG (httpx at INFO, and in its error messages); PTB's DEBUG
    line for setWebhook quotes the webhook's secret token; a driver's message may quote the
    database URL.

    python-telegram-bot's own records (network trouble, a proxy's HTML page instead of JSON)
    become one line each: their tracebacks show library internals, never a DojoBot bug, and a
    hostile server's page is cut short. DojoBot's own errors keep their tracebacks.
    """

    def __init__(self, secrets: dict[str, str]) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = {value: shown for value, shown in secrets.items() if value}

    def format(self, record: logging.LogRecord) -> str:
        if record.name.startswith("telegram") and (record.exc_info or len(str(record.msg)) > 300):
            error = record.exc_info[1] if record.exc_info else None
            record = logging.makeLogRecord(record.__dict__)
            message = record.getMessage()
            record.msg = message[:300] + ("…" if len(message) > 300 else "")
            if error is not None:
                record.msg += f" ({type(error).__name__}: {error})"
            record.args, record.exc_info, record.exc_text = None, None, None
        text = super().format(record)
        return redact_text(text, self.secrets)


def _configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter(secrets_of(settings)))
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    # httpx logs every request URL at INFO: noise, even with the token blanked.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # tornado logs each refused webhook connection (a body too long, too slow) at INFO:
    # one line per connection of whoever floods the public endpoint.
    logging.getLogger("tornado.general").setLevel(logging.WARNING)
    # tornado's access log writes every request at INFO, on the event loop: each Mini App
    # answer and each /metrics scrape. Refusals (4xx) and failures (5xx) are still logged.
    logging.getLogger("tornado.access").setLevel(logging.WARNING)


def cmd_run(settings: Settings, args: argparse.Namespace) -> None:
    """Start the bot (long polling or webhook) until SIGINT/SIGTERM."""
    from telegram.error import InvalidToken

    from dojobot.ops.startup import rejected_token_message

    token = settings.require_token()
    try:
        asyncio.run(_run(settings, token))
    except InvalidToken:  # its message quotes the token: never show it
        raise CliError(rejected_token_message(settings.api_base_url)) from None
    log.info("DojoBot stopped")


async def _run(settings: Settings, token: str) -> None:
    """Start-up and the running bot, in one event loop that SIGINT and SIGTERM stop within
    stopping.STOP_LIMIT_S (a signal while starting cancels the start)."""
    from dojobot.app import build_application
    from dojobot.ops.startup import wait_for_bot_api
    from dojobot.transport import webhook

    with stop_on_signal() as stop:
        try:
            # Fail fast with one line if the database is unusable, before talking to Telegram.
            await _migrate_to_latest(settings)
            await wait_for_bot_api(token, settings.api_base_url)
            app = build_application(settings, migrate=False)
            log.info("DojoBot starting (%s mode, database %s)", settings.mode,
                     redact_url(settings.database_url))
            if settings.mode is Mode.WEBHOOK:
                # Our endpoint, not PTB's run_webhook: it answers Telegram only once the
                # update was handled, so an update a killed replica held is sent again.
                secret = settings.webhook_secret_token
                assert settings.webhook_url is not None and secret is not None
                await webhook.serve(
                    app, stop, listen=settings.webhook_listen, port=settings.webhook_port,
                    url=settings.webhook_url, secret=secret.get_secret_value(),
                )
            else:
                await _poll(app, stop)
        except asyncio.CancelledError:
            if not stop.requested.is_set():
                raise
            task = asyncio.current_task()
            assert task is not None
            task.uncancel()
            log.debug("stopped while starting")  # "DojoBot stopped" follows: one line


async def _poll(app: AnyApp, stop: Stop) -> None:
    """Long polling until the stop is requested.

    Not PTB's run_polling: its signal handler raises SystemExit in whatever runs, so a signal
    while post_init awaited a request (setMyCommands) left that request behind, to fail once
    shutdown closed its connection: "Task exception was never retrieved" and a traceback.
    Here a signal during the start cancels it (every await unwinds, then the app is shut
    down as usual); once the bot polls, it ends the wait."""
    from dojobot.transport.lifecycle import running

    # The API answered a moment ago: should it drop again before polling starts, PTB's
    # bootstrap retries deleteWebhook quietly (-1: without limit) instead of exiting.
    async with running(app, bootstrap_retries=-1):
        stop.cancel_main = False  # from here a stop drains the updates in flight
        await stop.requested.wait()


async def _migrate_to_latest(settings: Settings) -> None:
    db = await open_when_reachable(settings)
    try:
        async with one_migrator_at_a_time(settings.database_url if settings.uses_postgres
                                          else None):
            await migrate_up(db)
    finally:
        await db.close()


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    """Show or move the schema version."""
    asyncio.run(_migrate(settings, args))


async def _migrate(settings: Settings, args: argparse.Namespace) -> None:
    db = await open_database(settings, readonly=args.action == "status")
    # No file to copy first on PostgreSQL: a managed server keeps its own backups (pg_dump).
    path = None if settings.uses_postgres else settings.database_path
    try:
        if args.action == "status":
            state = await status(db)
            print(f"database: {db.display_name}")
            print(f"schema version: {state.current} (latest known: {state.latest})")
            for migration in state.pending:
                print(f"pending: {migration.version:04d} {migration.name}")
            if state.current > state.latest:
                print("this database was migrated by a newer DojoBot")
            return
        # PostgreSQL: no lock file and no file to copy first; the migration lock keeps this
        # from running beside a starting replica's own `migrate up`.
        with without_a_bot(path) if path else nullcontext():
            async with one_migrator_at_a_time(None if path else settings.database_url):
                await _move_schema(db, path, args)
    finally:
        await db.close()


async def _move_schema(
    db: Database, path: Path | None, args: argparse.Namespace
) -> None:
    """migrate up/down, with a backup of a SQLite file first when something will change."""
    if args.action == "up":
        pending = (await status(db)).pending
        if path and pending and (saved := auto_backup(path, "before-migrate")):
            print(f"backup: {saved}")
        with progress("migrate up", None, "applied") as shown:
            done = await migrate_up(db, args.to, on_step=shown.update)
        verb = "applied"
    else:
        if path and (saved := auto_backup(path, "before-migrate")) is not None:
            print(f"backup: {saved}")
        with progress("migrate down (one transaction)", None, "rolled back") as shown:
            done = await migrate_down(db, args.to)
            shown.update(len(done))
        verb = "rolled back"
    if not done:
        print("nothing to do")
    for migration in done:
        print(f"{verb} {migration.version:04d} {migration.name}")


def cmd_sandbox(settings: Settings, args: argparse.Namespace) -> None:
    """Chat with the real bot in this terminal, against a local Bot API stand-in."""
    # The stand-in is a separate package (not in the bot's wheel): import it only here.
    try:
        from dojobot.sandbox.session import run_sandbox
    except ModuleNotFoundError as exc:
        if exc.name != "telegram_standin":
            raise
        raise CliError(
            "sandbox needs the Bot API stand-in; in the repository: "
            "pip install ./standin '.[sandbox]'"
        ) from exc

    asyncio.run(run_sandbox(keep_database=args.database))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="dojobot",
        description="DojoBot: a Telegram dojo for mental arithmetic. "
        "Settings come from DOJOBOT_* environment variables or a .env file.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser("run", help="run the bot (needs DOJOBOT_BOT_TOKEN)",
                         description="Run the bot until interrupted. The database is created "
                         "and migrated on start.")
    run.set_defaults(func=cmd_run)

    migrate = sub.add_parser("migrate", help="show or move the database schema",
                             description="Show or move the schema of DOJOBOT_DATABASE_URL.")
    actions = migrate.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("status", help="show the current and pending versions (read only)")
    up = actions.add_parser("up", help="apply pending migrations")
    up.add_argument("--to", type=int, default=None, help="stop at this version")
    down = actions.add_parser("down", help="roll back migrations")
    down.add_argument("--to", type=int, required=True, help="roll back to this version (0: all)")
    migrate.set_defaults(func=cmd_migrate)

    sandbox = sub.add_parser(
        "sandbox", help="try the bot in this terminal, no token or network needed",
        description="Run the real bot against a local Bot API stand-in and chat with it here. "
        "Uses a throw-away database unless --database is given.",
    )
    sandbox.add_argument("--database", default=None, help="keep the sandbox database in this file")
    sandbox.set_defaults(func=cmd_sandbox)  # its own SQLite file, whatever the URL says

    add_parsers(sub)
    add_flags_parser(sub)
    add_cards_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `dojobot` command."""
    try:
        try:
            return _main(argv)
        finally:
            sys.stdout.flush()  # a reader that left (`| head`) shows here, not at exit
    except BrokenPipeError:
        # Python's documented recipe: point stdout at devnull so the interpreter's own
        # flush at exit does not fail again with a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        _configure_logging(settings)
        args.func(settings, args)
    except (SettingsError, StorageError, CliError, StartupError) as exc:
        print(f"dojobot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
