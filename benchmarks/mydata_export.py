"""/mydata for the heaviest learner of the 10-million-answer database (target: <= 2 s).

    .venv/bin/python -m benchmarks.make_big_db          # once: benchmarks/data/big.sqlite3
    .venv/bin/python -m benchmarks.mydata_export        # about half a minute

Two figures, each repeated (`--runs`, median and max; the first run is reported apart, as
the coldest this process sees):

- parts: the streak, then reading_learner streamed into ExportWriter (a read snapshot on a
  heavy reader; compression in worker threads), timed separately, on the big file with
  every migration applied;
- end to end: the real bot against the Bot API stand-in on that file; from sending
  `/mydata` to the document being stored by the stand-in (upload included). Runs are a
  minute apart on the bot's (fake) clock, so none hits the once-a-minute limit.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from dojobot.app import build_application
from dojobot.config import load_settings
from dojobot.handlers.privacy.export import ExportWriter
from dojobot.storage.db import SqliteDatabase
from dojobot.storage.migrator import migrate_up
from dojobot.storage.privacy import reading_learner
from dojobot.storage.streaks import streak_for
from dojobot.transport.lifecycle import running
from telegram_standin import BotApiStandIn

HEAVY_USER = 100_000_000  # learner 1 of make_big_db.py: the most attempts
NOW_MS = 1_795_564_800_000  # make_big_db.py's END_MS: the file's last day
BIG = Path("benchmarks/data/big.sqlite3")


def summary(label: str, seconds: list[float]) -> str:
    """'label: first 0.41 s, then median 0.35 s, max 0.38 s'."""
    rest = seconds[1:] or seconds
    return (
        f"{label}: first {seconds[0]:.3f} s, then median {statistics.median(rest):.3f} s, "
        f"max {max(rest):.3f} s"
    )


async def timed(fn: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await fn()
    return time.perf_counter() - start


async def parts(path: Path, runs: int) -> None:
    db = await SqliteDatabase.open(path)
    await migrate_up(db)
    try:
        streak_s, written, size, answers, sets = [], [], 0, 0, 0
        for _ in range(runs):
            start = time.perf_counter()
            streak = await streak_for(db, HEAVY_USER, "UTC", NOW_MS)
            streak_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            with tempfile.TemporaryFile() as archive:
                async with reading_learner(db, HEAVY_USER) as (data, chunks):
                    writer = await asyncio.to_thread(ExportWriter, archive, data, streak, NOW_MS)
                    async for rows in chunks:
                        await asyncio.to_thread(writer.add, rows)
                    await asyncio.to_thread(writer.close)
                size = archive.tell()
            written.append(time.perf_counter() - start)
            answers, sets = data.answer_count, len(data.sets)
        print(f"learner {HEAVY_USER}: {answers:,} answers, {sets:,} sets; "
              f"ZIP {size / 1024:.0f} KiB")
        print(summary("  streak", streak_s))
        print(summary("  read and write the ZIP (streamed, worker threads)", written))
    finally:
        await db.close()


async def end_to_end(path: Path, runs: int) -> None:
    clock_ms = [NOW_MS]
    async with BotApiStandIn() as standin:
        settings = load_settings(
            bot_token=standin.token, api_base_url=standin.base_url,
            database_url=f"sqlite:///{path}", max_messages_per_second=0,
        )
        app = build_application(settings, clock=lambda: clock_ms[0])
        async with running(app):
            learner = await standin.user(HEAVY_USER, "Heavy")
            seconds = []
            for _ in range(runs):
                clock_ms[0] += 61_000

                async def export() -> None:
                    await standin.send_text(learner, "/mydata")
                    message = await standin.next_message(learner, timeout=60)
                    assert message.file_name is not None, message.plain_text

                seconds.append(await timed(export))
                await standin.settle()
            print(summary("end to end (/mydata sent -> document stored)", seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=BIG)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.database.exists():
        raise SystemExit(f"{args.database} is missing: run python -m benchmarks.make_big_db")
    asyncio.run(parts(args.database, args.runs))
    asyncio.run(end_to_end(args.database, args.runs))


if __name__ == "__main__":
    main()
