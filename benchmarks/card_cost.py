"""The FSRS card update's own CPU cost per answer transaction.

    .venv/bin/python -m benchmarks.card_cost                 # 3,000 transactions, twice each

One process, a fresh SQLite file: empty write transactions alternate with transactions that
read a fact's card, review it with the fsrs library (engine.cards.review) and store it back,
as the answer's transaction does. The difference is what the card update adds per answer;
the answer path's end-to-end figure (benchmarks.answer_path) is too noisy on a shared
machine to show a tenth of a millisecond.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from dojobot.engine.cards import review
from dojobot.storage.cards import fact_card, keep_card
from dojobot.storage.db import SqliteDatabase
from dojobot.storage.migrator import migrate_up
from dojobot.storage.users import upsert_user

USER, TOPIC, PACE_MS = 1, 3, 3000
FACTS = [f"{a} × {b}" for a in range(2, 10) for b in range(2, 10)]


async def cpu_ms_per_transaction(db: SqliteDatabase, count: int, with_card: bool) -> float:
    """CPU ms per transaction over `count` transactions, with or without the card update."""
    start = time.process_time()
    for i in range(count):
        async with db.transaction() as tx:
            if with_card:
                fact = FACTS[i % len(FACTS)]
                card = review(await fact_card(tx, USER, TOPIC, fact), i % 7 != 0, 2000,
                              10**12 + i * 60_000, PACE_MS)
                await keep_card(tx, USER, TOPIC, fact, card)
    return (time.process_time() - start) / count * 1000


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="dojobot-card-cost-") as folder:
        db = await SqliteDatabase.open(Path(folder) / "db.sqlite3")
        try:
            await migrate_up(db)
            await upsert_user(db, USER, "Bench", None, None, 0)
            for label, with_card in (("empty", False), ("card", True)) * 2:
                ms = await cpu_ms_per_transaction(db, count, with_card)
                print(f"{label:>5}: {ms:.3f} ms CPU per transaction")
        finally:
            await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000, help="transactions per phase")
    asyncio.run(main(parser.parse_args().count))
