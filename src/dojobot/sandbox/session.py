"""`dojobot sandbox`: the real bot, a local Bot API stand-in and a terminal chat."""

from __future__ import annotations

import functools
import getpass
import logging
import socket
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from dojobot.app import build_application
from dojobot.config import load_settings
from dojobot.sandbox.terminal import chat_in_terminal, stdin_lines
from dojobot.storage.connect import sqlite_url
from dojobot.storage.practice import last_message_id
from dojobot.transport.lifecycle import handling_updates, running
from dojobot.web.auth import sign
from telegram_standin import BotApiStandIn

SANDBOX_USER_ID = 1001
FIRST_PAGE = "/practice/math/arithmetic/addition?difficulty=101"


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_link(base: str, token: str, user: dict[str, object], now_s: int) -> str:
    """The Mini App's practice page for `user`, with initData signed as Telegram would sign
    it, in the URL's fragment (where Telegram puts it too): for a plain browser."""
    init_data = sign(token, user, now_s)
    return f"{base}{FIRST_PAGE}#tgWebAppData={quote(init_data, safe='')}"


async def run_sandbox(keep_database: str | None = None) -> None:
    """Chat with DojoBot in this terminal; no token, no network."""
    # Log lines would interleave with the chat; only problems are worth showing here.
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="dojobot-sandbox-") as scratch:
        path = Path(keep_database) if keep_database else Path(scratch) / "sandbox.sqlite3"
        async with BotApiStandIn() as standin:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            settings = load_settings(
                bot_token=standin.token,
                api_base_url=standin.base_url,
                database_url=sqlite_url(path.resolve()),
                web_port=port,
                web_app_url=base,
            )
            name = (getpass.getuser() or "learner").capitalize()
            user = await standin.user(SANDBOX_USER_ID, name, username=name.lower())
            print(f"DojoBot sandbox: you are {name}; database {path}.", file=sys.stdout)
            link = app_link(base, standin.token,
                            {"id": SANDBOX_USER_ID, "first_name": name,
                             "username": name.lower()}, int(time.time()))
            print(f"The Mini App in your browser (valid 24 h): {link}", file=sys.stdout)
            app = build_application(settings)
            standin.bot_busy = functools.partial(handling_updates, app)
            async with running(app):
                # A kept database has seen this chat's messages up to some id; a new
                # stand-in numbering from 1 again would send "new" messages the bot takes
                # for ones it has handled ("Already counted.").
                db = app.bot_data.db
                assert db is not None
                standin.resume_chat(user, await last_message_id(db, SANDBOX_USER_ID))
                await chat_in_terminal(
                    standin, user, lines=stdin_lines(), out=sys.stdout,
                )
