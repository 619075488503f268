"""A replica's listening connection: a NOTIFY committed anywhere reaches it; a lost
connection is opened again and the process told it may have missed notices."""

from __future__ import annotations

import asyncpg
from tests.support.postgres import fresh_database
from tests.support.waiting import until

from dojobot.storage.postgres import PostgresDatabase


async def test_a_notice_arrives_and_a_lost_connection_comes_back_with_a_gap() -> None:
    async with fresh_database() as url:
        db = await PostgresDatabase.open(url)
        heard: list[str] = []
        gaps: list[int] = []
        listener = await db.listen("test_channel", heard.append, lambda: gaps.append(1))
        try:
            async with db.transaction() as tx:
                await tx.fetchone(db.dialect.announce_erasure, ("test_channel", "42"))
            await until(lambda: heard == ["42"], "the committed notice is heard")

            admin = await asyncpg.connect(url)
            try:
                pid = listener._conn.get_server_pid()
                await admin.execute("SELECT pg_terminate_backend($1, 5000)", pid)
            finally:
                await admin.close()
            await until(lambda: gaps == [1], "the listener reconnected and reported a gap")
            async with db.transaction() as tx:
                await tx.fetchone(db.dialect.announce_erasure, ("test_channel", "43"))
            await until(lambda: heard == ["42", "43"], "notices are heard again")
        finally:
            await listener.close()
            await db.close()
