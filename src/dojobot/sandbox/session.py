"""`dojobot sandbox`: the real bot, a local Bot API stand-in and a terminal chat."""

from __future__ import annotations

import functools
import getpass
import logging
import sys
import tempfile
from pathlib import Path

from dojobot.app import build_application
from dojobot.config import load_settings
from dojobot.sandbox.terminal import chat_in_terminal, stdin_lines
from dojobot.storage.connect import sqlite_url
from dojobot.transport.lifecycle import handling_updates, running
from telegram_standin import BotApiStandIn

SANDBOX_USER_ID = 1001


async def run_sandbox(keep_database: str | None = None) -> None:
    """Chat with DojoBot in this terminal; no token, no network."""
    # Log lines would interleave with the chat; only problems are worth showing here.
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="dojobot-sandbox-") as scratch:
        path = Path(keep_database) if keep_database else Path(scratch) / "sandbox.sqlite3"
        async with BotApiStandIn() as standin:
            settings = load_settings(
                bot_token=standin.token,
                api_base_url=standin.base_url,
                database_url=sqlite_url(path.resolve()),
            )
            name = (getpass.getuser() or "learner").capitalize()
            user = await standin.user(SANDBOX_USER_ID, name, username=name.lower())
            print(f"DojoBot sandbox: you are {name}; database {path}.", file=sys.stdout)
            app = build_application(settings)
            standin.bot_busy = functools.partial(handling_updates, app)
            async with running(app):
                await chat_in_terminal(
                    standin, user, lines=stdin_lines(), out=sys.stdout,
                )
