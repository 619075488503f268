"""`dojobot run` on PostgreSQL when the server ends its connections (`kill -9` on both
engines: test_kill9.py)."""

from __future__ import annotations

from pathlib import Path

from dojobot.storage.postgres import PostgresDatabase
from telegram_standin import BotApiStandIn
from tests.conftest import run_dojo
from tests.support.db import fetchone
from tests.support.learner import current_question, solve, start_set
from tests.support.learner import reply as reply_to
from tests.support.postgres import fresh_database


async def answers_recorded(url: str) -> int:
    db = await PostgresDatabase.open(url)
    try:
        row = await fetchone(db, "SELECT count(*) FROM attempt")
    finally:
        await db.close()
    assert row is not None
    return int(row[0])


async def test_the_bot_reconnects_after_its_connections_are_cut(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    """The server ends every session of the bot (as a restart or a failover does): the
    next answer is judged on a new connection (the dead ones fail at BEGIN, before anything
    is written, and are replaced), and every answer is counted once."""
    learner = await standin.user(703, "Sora")
    async with fresh_database(migrated=True) as url:
        async with run_dojo(standin, tmp_path / "unused.sqlite3", database_url=url):
            message = await start_set(standin, learner, "math-arithmetic-addition-d101")
            admin = await PostgresDatabase.open(url)
            try:
                async with admin.transaction() as tx:
                    cut = await tx.fetchall(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                assert len(cut) >= 1  # the bot's pool held at least one session
            finally:
                await admin.close()
            for _ in range(2):
                _, _, question = current_question(message)
                message = await reply_to(standin, learner, str(solve(question)))
                assert message.plain_text.startswith("✓"), message.plain_text
        assert await answers_recorded(url) == 2
