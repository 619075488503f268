"""An outage of the database: one log line at each end of it, no traceback per update, and
a learner whose answer could not be saved is told to send it again (not to start over).
On SQLite the outage is another process holding the write lock; on PostgreSQL the server
goes away (tests/support/tcp_proxy.py: its connections cut, new ones reset) and comes back."""

from __future__ import annotations

import logging
import re
import sqlite3
from pathlib import Path

import pytest
from telegram.error import BadRequest, NetworkError, TimedOut

from dojobot.jobs.nudges import JOB_NAME as NUDGE_JOB
from dojobot.jobs.nudges import Runs
from dojobot.ops.outages import outage_kind
from telegram_standin import BotApiStandIn
from tests.support.dojo import Dojo, run_dojo
from tests.support.learner import current_question, reply, solve, start_set
from tests.support.postgres import fresh_database
from tests.support.tcp_proxy import severing
from tests.support.waiting import until

AGAIN = "Sorry, I couldn't save that just now. Please send it again in a moment."


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The outage's own lines, after checking that nothing else was logged as a bug."""
    assert "Traceback" not in caplog.text
    assert not any(r.exc_info for r in caplog.records)
    return [r.getMessage() for r in caplog.records if r.name == "dojobot.ops.outages"]


@pytest.mark.sqlite_only(reason="the outage is another process holding the file's write lock")
async def test_an_answer_lost_to_an_outage_is_asked_for_again(
    dojo: Dojo, standin: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    learner = await standin.user(611, "Dai")
    message = await start_set(standin, learner, "math-arithmetic-addition-d101")
    _, _, question = current_question(message)
    blocker = sqlite3.connect(dojo.database_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # the database is out of reach for writes
    try:
        with caplog.at_level(logging.WARNING):
            for _ in range(2):
                told = await reply(standin, learner, str(solve(question)))
                # It said "send /start to go on", which the learner did not need.
                assert told.plain_text == AGAIN
            # The minutely nudge job fails too (it claims in a write transaction); it runs
            # here as the clock would run it, a job run apart from the learner's updates.
            # A run the minute started may be waiting for the lock: this one would then
            # leave its work to that run and return; that run fails (counted) first.
            assert dojo.app.job_queue is not None
            [nudges] = dojo.app.job_queue.get_jobs_by_name(NUDGE_JOB)
            runs = nudges.data
            assert isinstance(runs, Runs)
            await until(lambda: not runs.sending, "the minute's nudge run is over")
            await nudges.run(dojo.app)  # returns once its error is handled
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    judged = await reply(standin, learner, str(solve(question)))
    assert judged.plain_text.startswith("✓")
    await until(lambda: "database back" in caplog.text, "the end of the outage is logged")
    # One line as it starts and one as it ends, not one per update.
    start, end = outage_lines(caplog)
    assert start.startswith("database out of reach (OperationalError: database is locked)")
    assert end.startswith("database back: out of reach for ")
    # Exactly the learner's two updates; job runs apart (the minute may turn meanwhile).
    assert re.search(r" s, 2 updates and \d+ job runs? failed \(OperationalError: database "
                     r"is locked\)$", end), end


async def test_an_answer_lost_while_postgresql_is_away_is_asked_for_again(
    standin: BotApiStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    learner = await standin.user(612, "Eli")
    async with (
        fresh_database(migrated=True) as url,
        severing(url) as (proxy, through),
        run_dojo(standin, tmp_path / "unused.sqlite3", database_url=through),
    ):
        message = await start_set(standin, learner, "math-arithmetic-addition-d101")
        _, _, question = current_question(message)
        with caplog.at_level(logging.WARNING):
            assert proxy.down() >= 1  # the server is gone
            for _ in range(2):
                told = await reply(standin, learner, str(solve(question)))
                assert told.plain_text == AGAIN
            proxy.up()
            await until(lambda: "database back" in caplog.text,
                        "the end of the outage is logged")
            judged = await reply(standin, learner, str(solve(question)))
            assert judged.plain_text.startswith("✓"), judged.plain_text
    start, end = outage_lines(caplog)
    assert start.startswith("database out of reach (")
    assert end.startswith("database back: out of reach for ")
    # The nudge job fails too if the minute turns while the server is away: counted apart.
    assert re.search(r" s, 2 updates (and \d+ job runs? )?failed \(", end), end


def test_telegram_refusing_a_call_is_no_outage() -> None:
    """python-telegram-bot's BadRequest is a NetworkError: a refused call (a tap answered
    too late) was logged as "Bot API out of reach"."""
    assert outage_kind(BadRequest("Query is too old")) is None
    assert outage_kind(TimedOut()) == "Bot API"
    assert outage_kind(NetworkError("connection reset")) == "Bot API"
