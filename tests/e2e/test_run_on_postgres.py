"""`dojobot run` on PostgreSQL when the server ends its connections (`kill -9` on both
engines: test_kill9.py)."""

from __future__ import annotations

from pathlib import Path

from dojobot.storage.connect import opened
from telegram_standin import BotApiStandIn
from tests.support.db import fetchone
from tests.support.dojo import run_dojo
from tests.support.learner import current_question, solve, start_set
from tests.support.learner import reply as reply_to
from tests.support.postgres import fresh_database
from tests.support.tcp_proxy import severing


async def answers_recorded(url: str) -> int:
    async with opened(url) as db:
        row = await fetchone(db, "SELECT count(*) FROM attempt")
    assert row is not None
    return int(row[0])


async def test_the_bot_reconnects_after_its_connections_are_cut(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    """The bot's sessions end without the bot being told (a failover whose old server
    vanished; tests/support/tcp_proxy.py): the next answer meets a dead pooled connection at
    BEGIN, before anything is written, and is judged on a new one; every answer counts once.
    (Ended with pg_terminate_backend instead, the sessions close visibly and the driver's
    pool replaces them by itself: that version passed without the fix.)"""
    learner = await standin.user(703, "Sora")
    async with fresh_database(migrated=True) as url:
        async with (
            severing(url) as (proxy, through),
            run_dojo(standin, tmp_path / "unused.sqlite3", database_url=through),
        ):
            message = await start_set(standin, learner, "math-arithmetic-addition-d101")
            assert proxy.sever() >= 2  # the pool's connection(s) and the election's
            for _ in range(2):
                _, _, question = current_question(message)
                message = await reply_to(standin, learner, str(solve(question)))
                assert message.plain_text.startswith("✓"), message.plain_text
        assert await answers_recorded(url) == 2
