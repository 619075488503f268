"""Daily nudges and streaks through the real bot, over HTTP, with a fake clock.

The nudge job is disabled in APScheduler here; tests call the job's body, send_due_nudges,
at the moments they choose, so nothing depends on real time passing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dojobot.handlers.reminders import STALE
from dojobot.jobs.nudges import JOB_NAME, send_due_nudges
from dojobot.transport.context import AnyApp
from telegram_standin import BotApiStandIn, BotMessage, User
from tests.support.classes import practise as practise_answers
from tests.support.clock import FakeClock
from tests.support.db import fetchone
from tests.support.dojo import Dojo, run_dojo
from tests.support.learner import current_question, solve
from tests.support.waiting import until

MINUTE = 60_000
DAY = 24 * 60 * MINUTE


def ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def hold_the_job(app: AnyApp) -> None:
    """One repeating job serves every reminder; keep APScheduler from firing it mid-test."""
    assert app.job_queue is not None
    jobs = app.job_queue.get_jobs_by_name(JOB_NAME)
    assert len(jobs) == 1
    jobs[0].enabled = False


@pytest.fixture
def held(dojo: Dojo) -> Dojo:
    hold_the_job(dojo.app)
    return dojo


async def say(standin: BotApiStandIn, learner: User, text: str) -> BotMessage:
    await standin.send_text(learner, text)
    return await standin.next_message(learner)


async def nudges(dojo: Dojo, app: AnyApp | None = None) -> list[BotMessage]:
    """Run the nudge job once at the fake clock's time; the messages it sent."""
    calls = len(dojo.standin.calls)
    await send_due_nudges(app or dojo.app)
    await dojo.standin.settle()
    sent: dict[int, int] = {}
    for call in dojo.standin.calls[calls:]:
        if call.method == "sendMessage" and call.ok:
            chat_id = int(call.params["chat_id"])
            sent[chat_id] = sent.get(chat_id, 0) + 1
    # Read them through next_message so each chat's cursor stays in step.
    return [await dojo.standin.next_message(cid) for cid, n in sent.items() for _ in range(n)]


async def practise(dojo: Dojo, learner: User) -> BotMessage:
    """One answer, then /stop: a finished set. Returns the summary message."""
    s = dojo.standin
    first = await say(s, learner, "/start math-arithmetic-addition-d101")
    _, _, question = current_question(first)
    dojo.clock.advance(2000)
    await say(s, learner, str(solve(question)))
    dojo.clock.advance(1000)
    return await say(s, learner, "/stop")


async def test_setting_a_reminder_and_timezone_reads_clearly(held: Dojo) -> None:
    s = held.standin
    held.clock.now_ms = ms(2026, 6, 1, 8, 0)
    learner = await s.user(601, "Aiko")
    status = await say(s, learner, "/remind")
    assert "Daily reminder: off." in status.plain_text
    assert "Times are in UTC, the default timezone." in status.plain_text
    assert "/timezone Europe/Berlin" in status.plain_text
    assert [b.text for b in status.flat_buttons] == ["07:00", "12:00", "18:00", "20:00", "🔕 Off"]
    await s.press(learner, "18:00", message_id=status.message_id)
    edited = await s.wait_for_edit(learner, status.message_id)
    assert "every day at 18:00 (UTC time)" in edited.plain_text
    assert "First reminder: today at 18:00." in edited.plain_text
    assert s.unanswered_callback_queries() == []

    zone = await say(s, learner, "/timezone Europe/Berlin")
    assert zone.plain_text == (
        "🌍 Timezone set: Europe/Berlin. Your local time: 10:00.\n"
        "Your daily reminder stays at 18:00 your time; next: today at 18:00."
    )
    status = await say(s, learner, "/remind")
    assert "every day at 18:00" in status.plain_text
    assert "Your timezone: Europe/Berlin" in status.plain_text
    row = await fetchone(held.db, "SELECT next_due_at FROM reminder WHERE user_id = 601")
    assert row is not None
    assert row[0] == ms(2026, 6, 1, 16, 0)

    bad_time = await say(s, learner, "/remind 25:99")
    assert bad_time.plain_text == (
        "I can't read “25:99” as a time. Send hours and minutes, for example /remind 18:30 "
        "(or /remind off)."
    )
    bad_zone = await say(s, learner, "/timezone Mars/<b>Base")
    assert bad_zone.plain_text.startswith("I don't know the timezone “Mars/<b>Base”. Send ")
    assert "/timezone +05:30" in bad_zone.plain_text
    offset = await say(s, learner, "/timezone +05:30")
    assert offset.plain_text.startswith("🌍 Timezone set: UTC+05:30. Your local time: 13:30.")
    off = await say(s, learner, "/remind off")
    assert off.plain_text == "🔕 Daily reminders are off. Send /remind to set a time again."
    row = await fetchone(held.db, "SELECT enabled, next_due_at FROM reminder WHERE user_id = 601")
    assert row is not None
    assert tuple(row) == (0, None)
    forged = await s.press_data(learner, None, status.message_id, "rem:t:99999")
    await s.settle()
    assert s.callback_answers[forged].get("text") == STALE


async def test_nudge_at_local_time_in_three_zones(held: Dojo) -> None:
    s = held.standin
    held.clock.now_ms = ms(2026, 6, 1, 6, 0)
    learners = {}
    for uid, name, zone in ((611, "Ken", "Asia/Tokyo"), (612, "Lena", "Europe/Berlin"),
                            (613, "Mia", "America/New_York")):
        learners[zone] = await s.user(uid, name)
        await say(s, learners[zone], f"/timezone {zone}")
        await say(s, learners[zone], "/remind 18:00")
    expected = [(ms(2026, 6, 1, 9), "Asia/Tokyo"), (ms(2026, 6, 1, 16), "Europe/Berlin"),
                (ms(2026, 6, 1, 22), "America/New_York")]
    for due, zone in expected:
        held.clock.now_ms = due - MINUTE
        assert await nudges(held) == []
        held.clock.now_ms = due + 30_000
        sent = await nudges(held)
        assert [m.chat_id for m in sent] == [learners[zone].id]
        nudge = sent[0]
        assert nudge.plain_text.startswith("🥋 Time for today's practice!\n🔥 Streak: none yet.")
        assert [b.text for b in nudge.flat_buttons] == ["▶️ Practise now", "🔕 Stop reminders"]
        assert await nudges(held) == []  # once a day


async def test_no_nudge_on_a_day_already_practised_and_streaks_show(held: Dojo) -> None:
    s = held.standin
    learner = await s.user(621, "Noa")
    held.clock.now_ms = ms(2026, 6, 1, 7, 0)  # 09:00 in Berlin
    await say(s, learner, "/timezone Europe/Berlin")
    await say(s, learner, "/remind 18:00")
    summary = await practise(held, learner)
    assert "Set complete" in summary.plain_text
    assert "Mean 0.0 s · median 0.0 s\n🔥 Streak: 1 day\n" in summary.plain_text
    held.clock.now_ms = ms(2026, 6, 1, 16, 0, 30)
    assert await nudges(held) == []  # practised today: no nudge
    # The next day, before practising: the nudge carries the streak and the last topic.
    held.clock.now_ms = ms(2026, 6, 2, 16, 0, 30)
    (nudge,) = await nudges(held)
    assert nudge.plain_text == (
        "🥋 Time for today's practice!\n🔥 Streak: 1 day. Practise today to keep it.\n"
        "Last time: Addition · Seedling."
    )
    progress = await say(s, learner, "/progress")
    assert "🔥 Streak: 1 day. Practise today to keep it." in progress.plain_text
    await s.next_message(learner)  # the chart
    # "Practise now" opens a set at the last topic and level.
    await s.press(learner, "▶️ Practise now", message_id=nudge.message_id)
    first = await s.next_message(learner)
    assert first.plain_text.startswith("Addition · Seedling")
    _, _, question = current_question(first)
    await say(s, learner, str(solve(question)))
    summary = await say(s, learner, "/stop")
    assert "🔥 Streak: 2 days\n" in summary.plain_text
    # A day missed breaks it.
    held.clock.now_ms = ms(2026, 6, 4, 10, 0)
    progress = await say(s, learner, "/progress")
    assert "🔥 Streak: none yet. Finish a set today to start one." in progress.plain_text


@asynccontextmanager
async def bot(
    standin: BotApiStandIn, path: Path, clock: FakeClock, url: str
) -> AsyncIterator[Dojo]:
    """The bot on the test's database, its nudge job held; again to 'restart' it."""
    async with run_dojo(standin, path, clock, database_url=url) as dojo:
        hold_the_job(dojo.app)
        yield dojo


async def test_restart_sends_a_missed_nudge_once_and_drops_old_ones(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> None:
    clock = FakeClock(ms(2026, 6, 1, 12, 0))
    path = tmp_path / "dojobot.sqlite3"
    learner = await standin.user(631, "Omar")
    async with bot(standin, path, clock, migrated_url) as dojo:
        await say(standin, learner, "/remind 18:00")
    # Down from 12:00 until 18:20: the 18:00 nudge is 20 minutes late, sent once.
    clock.now_ms = ms(2026, 6, 1, 18, 20)
    async with bot(standin, path, clock, migrated_url) as dojo:
        (late,) = await nudges(dojo)
        assert late.chat_id == learner.id
        assert await nudges(dojo) == []
    # Another restart in the same minute.
    async with bot(standin, path, clock, migrated_url) as dojo:
        assert await nudges(dojo) == []
    # Down across the next 18:00 by more than an hour: dropped, and due again tomorrow.
    clock.now_ms = ms(2026, 6, 2, 19, 30)
    async with bot(standin, path, clock, migrated_url) as dojo:
        assert await nudges(dojo) == []
        row = await fetchone(dojo.db, "SELECT next_due_at FROM reminder WHERE user_id = 631")
        assert row is not None
        assert row[0] == ms(2026, 6, 3, 18, 0)
        clock.now_ms = ms(2026, 6, 3, 18, 0, 5)
        assert len(await nudges(dojo)) == 1
    assert len([m for m in standin.messages(learner) if "Time for" in m.plain_text]) == 2


async def test_dst_transitions_neither_skip_nor_double(held: Dojo) -> None:
    s = held.standin
    learner = await s.user(641, "Pia")
    # Spring forward: 02:30 does not exist in Berlin on 2026-03-29; it comes at 03:00 CEST.
    held.clock.now_ms = ms(2026, 3, 28, 12, 0)
    await say(s, learner, "/timezone Europe/Berlin")
    reply = await say(s, learner, "/remind 02:30")
    assert "First reminder: tomorrow at 03:00." in reply.plain_text
    held.clock.now_ms = ms(2026, 3, 29, 0, 59)
    assert await nudges(held) == []
    held.clock.now_ms = ms(2026, 3, 29, 1, 0, 10)  # 03:00:10 CEST
    assert len(await nudges(held)) == 1
    for minute in range(1, 120, 10):
        held.clock.now_ms = ms(2026, 3, 29, 1, 0) + minute * MINUTE
        assert await nudges(held) == []
    held.clock.now_ms = ms(2026, 3, 30, 0, 30, 10)  # 02:30 CEST the next day
    assert len(await nudges(held)) == 1
    # Fall back: 02:30 happens twice on 2026-10-25; the nudge comes at the first one only.
    held.clock.now_ms = ms(2026, 10, 24, 12, 0)
    await say(s, learner, "/remind 02:30")
    held.clock.now_ms = ms(2026, 10, 25, 0, 30, 10)  # 02:30 CEST
    assert len(await nudges(held)) == 1
    held.clock.now_ms = ms(2026, 10, 25, 1, 30, 10)  # 02:30 CET, an hour later
    assert await nudges(held) == []
    held.clock.now_ms = ms(2026, 10, 26, 1, 30, 10)  # 02:30 CET the next day
    assert len(await nudges(held)) == 1


async def test_back_off_after_seven_ignored_nudges_told_once(held: Dojo) -> None:
    s = held.standin
    learner = await s.user(651, "Ravi")
    held.clock.now_ms = ms(2026, 6, 1, 12, 0)
    await say(s, learner, "/remind 18:00")
    for day in range(1, 8):
        held.clock.now_ms = ms(2026, 6, day, 18, 0, 30)
        (nudge,) = await nudges(held)
        assert nudge.plain_text.startswith("🥋 Time for today's practice!")
    held.clock.now_ms = ms(2026, 6, 8, 18, 0, 30)
    (paused,) = await nudges(held)
    assert paused.plain_text.startswith("🔕 I've paused your daily reminders: the last 7")
    assert "/remind on" in paused.plain_text
    for day in (9, 10, 20):
        held.clock.now_ms = ms(2026, 6, day, 18, 0, 30)
        assert await nudges(held) == []
    status = await say(s, learner, "/remind")
    assert "paused, after 7 reminders in a row without practice" in status.plain_text
    on = await say(s, learner, "/remind on")
    assert "every day at 18:00" in on.plain_text
    held.clock.now_ms = ms(2026, 6, 21, 18, 0, 30)
    assert len(await nudges(held)) == 1


async def test_practice_between_nudges_resets_the_back_off(held: Dojo) -> None:
    s = held.standin
    learner = await s.user(652, "Sara")
    held.clock.now_ms = ms(2026, 6, 1, 12, 0)
    await say(s, learner, "/remind 18:00")
    for day in range(1, 7):
        held.clock.now_ms = ms(2026, 6, day, 18, 0, 30)
        assert len(await nudges(held)) == 1
    held.clock.now_ms = ms(2026, 6, 6, 19, 0)
    await practise(held, learner)  # the sixth nudge worked
    for day in range(7, 14):
        held.clock.now_ms = ms(2026, 6, day, 18, 0, 30)
        (nudge,) = await nudges(held)
        assert "Time for today's practice" in nudge.plain_text


async def test_blocked_learner_is_marked_and_left_alone_until_they_write(held: Dojo) -> None:
    s = held.standin
    learner = await s.user(661, "Tomo")
    held.clock.now_ms = ms(2026, 6, 1, 12, 0)
    await say(s, learner, "/remind 18:00")
    assert learner.id in held.app.bot_data.gate.known_users
    await s.block_bot(learner)  # Telegram tells the bot at once (my_chat_member: kicked)
    await s.settle()
    row = await fetchone(held.db, 'SELECT blocked_at FROM "user" WHERE user_id = 661')
    assert row is not None
    assert row[0] == held.clock.now_ms
    assert learner.id not in held.app.bot_data.gate.known_users
    calls = len(s.calls_of("sendMessage"))
    for day in (1, 2):
        held.clock.now_ms = ms(2026, 6, day, 18, 0, 30)
        assert await nudges(held) == []
    assert len(s.calls_of("sendMessage")) == calls  # nothing more is even tried
    # Writing again (which unblocks the bot) clears the mark; nudges resume.
    await say(s, learner, "/remind")
    row = await fetchone(held.db, 'SELECT blocked_at FROM "user" WHERE user_id = 661')
    assert row is not None
    assert row[0] is None
    held.clock.now_ms = ms(2026, 6, 3, 18, 0, 30)
    assert len(await nudges(held)) == 1


async def test_a_403_on_a_nudge_marks_the_learner(held: Dojo) -> None:
    s = held.standin
    learner = await s.user(662, "Ume")
    held.clock.now_ms = ms(2026, 6, 1, 12, 0)
    await say(s, learner, "/remind 18:00")
    s.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    held.clock.now_ms = ms(2026, 6, 1, 18, 0, 30)
    assert await nudges(held) == []
    row = await fetchone(held.db, 'SELECT blocked_at FROM "user" WHERE user_id = 662')
    assert row is not None
    assert row[0] == held.clock.now_ms
    assert learner.id not in held.app.bot_data.gate.known_users
    calls = len(s.calls_of("sendMessage"))
    held.clock.now_ms = ms(2026, 6, 2, 18, 0, 30)
    assert await nudges(held) == []
    assert len(s.calls_of("sendMessage")) == calls


async def test_a_429_is_retried_after_retry_after(
    held: Dojo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB 22 warns about retry_after's future type whenever it builds a RetryAfter; opt in.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    s = held.standin
    learner = await s.user(671, "Uma")
    held.clock.now_ms = ms(2026, 6, 1, 12, 0)
    await say(s, learner, "/remind 18:00")
    s.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    held.clock.now_ms = ms(2026, 6, 1, 18, 0, 30)
    started = time.monotonic()
    (nudge,) = await nudges(held)
    assert time.monotonic() - started >= 1.0  # AIORateLimiter waited retry_after
    assert "Time for today's practice" in nudge.plain_text
    tries = s.calls_of("sendMessage")[-2:]
    assert [(c.ok, c.error_code) for c in tries] == [(False, 429), (True, None)]


async def test_answers_keep_their_latency_while_nudges_go_out(held: Dojo) -> None:
    s = held.standin
    held.clock.now_ms = ms(2026, 6, 1, 12, 0)
    crowd = [await s.user(700 + i, f"L{i}") for i in range(25)]
    for learner in crowd:
        await say(s, learner, "/remind 18:00")
    player = await s.user(690, "Vera")
    problem = await say(s, player, "/start math-arithmetic-addition-d101")
    held.clock.now_ms = ms(2026, 6, 1, 18, 0, 30)
    broadcast = asyncio.create_task(send_due_nudges(held.app, per_second=10))
    await asyncio.sleep(0.2)  # the broadcast is under way (3 sent, 22 paced evenly)
    assert not broadcast.done()
    _, _, question = current_question(problem)
    reply = await say(s, player, str(solve(question)))
    assert reply.plain_text.startswith("✓")
    assert not broadcast.done(), "the answer waited for the broadcast"
    counts = await broadcast
    assert counts["sent"] == 25


async def test_stopping_bot_claims_no_more_nudges(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> None:
    clock = FakeClock(ms(2026, 6, 1, 12, 0))
    path = tmp_path / "dojobot.sqlite3"
    crowd = [await standin.user(800 + i, f"M{i}") for i in range(12)]
    async with bot(standin, path, clock, migrated_url) as dojo:
        app = dojo.app
        for learner in crowd:
            await say(standin, learner, "/remind 18:00")
        clock.now_ms = ms(2026, 6, 1, 18, 0, 30)
        before = len(standin.calls)
        broadcast = asyncio.create_task(send_due_nudges(app, per_second=20, batch=4))
        # The first batch of 4 is claimed and going out (paced: 150 ms until its last one).
        await until(lambda: any(c.method == "sendMessage" for c in standin.calls[before:]),
                    "the first nudge is sent")
        await app.stop()  # as on SIGTERM: the claimed batch is sent, nothing more is claimed
        counts = await broadcast
        assert counts["sent"] == 4
    # The next start sends the other 8.
    async with bot(standin, path, clock, migrated_url) as dojo:
        assert len(await nudges(dojo)) == 8


async def test_a_job_started_while_a_run_sends_leaves_its_minute_to_that_run(held: Dojo) -> None:
    s = held.standin
    held.clock.now_ms = ms(2026, 6, 1, 12, 0)
    crowd = [await s.user(900 + i, f"C{i}") for i in range(40)]  # over a second at 30/s
    for learner in crowd:
        await say(s, learner, "/remind 18:00")
    later = [await s.user(950 + i, f"D{i}") for i in range(4)]
    for learner in later:
        await say(s, learner, "/remind 18:01")
    assert held.app.job_queue is not None
    (job,) = held.app.job_queue.get_jobs_by_name(JOB_NAME)
    calls = len(s.calls)

    def nudged(learners: list[User]) -> int:
        return sum(1 for c in s.calls[calls:] if c.method == "sendMessage" and c.ok
                   and c.params["chat_id"] in {lr.id for lr in learners})

    held.clock.now_ms = ms(2026, 6, 1, 18, 0, 1)
    first = asyncio.create_task(job.run(held.app))
    await until(lambda: nudged(crowd) > 0, "the 18:00 run under way")
    held.clock.now_ms = ms(2026, 6, 1, 18, 1, 1)  # the next minute's job, mid-broadcast
    await job.run(held.app)
    assert nudged(later) == 0, "the next minute's job sent beside the run"
    assert not first.done()
    await first  # the run claims once more when its batch is out: 18:01's reminders
    assert (nudged(crowd), nudged(later)) == (40, 4)


async def test_a_nudge_says_what_is_due_for_review(held: Dojo) -> None:
    s = held.standin
    learner = await s.user(629, "Rin")
    held.clock.now_ms = ms(2026, 6, 1, 7, 0)  # 09:00 in Berlin
    await say(s, learner, "/timezone Europe/Berlin")
    await say(s, learner, "/remind 18:00")
    # One fact, right within the 3 s pace (Good): due in two days.
    await practise_answers(held, learner, [(True, 2500)])
    held.clock.now_ms = ms(2026, 6, 1, 16, 0, 30)
    assert await nudges(held) == []  # practised today
    # The next day nothing is due: the nudge is today's, with no review line.
    held.clock.now_ms = ms(2026, 6, 2, 16, 0, 30)
    (nudge,) = await nudges(held)
    assert "ready for review" not in nudge.plain_text
    # Two days on, the fact falls due (09:00 Berlin): the evening's nudge says so.
    held.clock.now_ms = ms(2026, 6, 3, 16, 0, 30)
    (nudge,) = await nudges(held)
    assert nudge.plain_text.startswith("🥋 Time for today's practice!\n")
    assert "\n🧠 1 fact is ready for review, about 1 minute.\n" in nudge.plain_text
