"""The answer path's storage alone: open_set + record_answer (and start_set), CPU per answer.

    .venv/bin/python -m benchmarks.storage_path              # 3,000 answers, 5 repetitions

One learner answers sets of the addition topic as fast as the storage functions return, on
a fresh SQLite file; the figure is this process's CPU time (user + system) per answer,
the median over the repetitions. It calls only the storage functions the handler calls, so
the same command measures an older checkout (run it there with PYTHONPATH=src:.) for a
before/after comparison without the noise of HTTP, Telegram's stand-in and the
dispatcher that benchmarks.answer_path carries.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from dojobot.engine.answering import GivenAnswer
from dojobot.engine.practice_set import start_set
from dojobot.storage.catalogue import load_catalogue
from dojobot.storage.db import SqliteDatabase
from dojobot.storage.migrator import migrate_up
from dojobot.storage.practice import open_set, record_answer
from dojobot.storage.practice import start_set as store_start_set
from dojobot.storage.users import upsert_user

USER = 1


async def run_once(answers: int) -> float:
    """CPU ms per answer over `answers` answers on a fresh file."""
    with tempfile.TemporaryDirectory(prefix="dojobot-storage-path-") as folder:
        db = await SqliteDatabase.open(Path(folder) / "db.sqlite3")
        try:
            await migrate_up(db)
            topic = (await load_catalogue(db)).topics[0]
            await upsert_user(db, USER, "A", None, None, 0)
            now = 1_764_000_000_000
            started = time.process_time()
            for message_id in range(1, answers + 1):
                now += 1500
                current = await open_set(db, USER)
                if current is None or current.state.current is None:
                    state = start_set(topic.code, 1, 101, message_id)
                    await store_start_set(db, USER, topic.topic_id, 101, state, now)
                    current = await open_set(db, USER)
                    assert current is not None
                correct = message_id % 12 != 0
                assert current.state.current is not None
                right = current.state.current.answer
                answer = GivenAnswer(current.state, right if correct else right + 1, 1500,
                                     now, current.pace_ms, topic.progression)
                judged = await record_answer(db, current, answer, message_id)
                assert judged is not None
            return (time.process_time() - started) * 1000 / answers
        finally:
            await db.close()


def main() -> None:
    """Print the median CPU ms per answer and every repetition."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    runs = [asyncio.run(run_once(args.answers)) for _ in range(args.repeat)]
    print(f"storage path: {statistics.median(runs):.3f} ms CPU per answer "
          f"(median of {args.repeat} x {args.answers}; runs: "
          + ", ".join(f"{r:.3f}" for r in runs) + ")")


if __name__ == "__main__":
    main()
