"""Bad input, restarts, deep links and stage advancement, through the real bot."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from telegram import Update

from dojobot.jobs.idle_sets import close_idle_sets
from dojobot.storage.connect import open_url
from dojobot.storage.db import Database
from dojobot.storage.migrator import migrate_up
from dojobot.transport.context import DojoContext
from telegram_standin import BotApiStandIn
from tests.support.clock import FakeClock
from tests.support.db import execute, fetchall, fetchone
from tests.support.dojo import Dojo, run_dojo
from tests.support.learner import (
    current_question,
    open_addition_seedling,
    reply,
    solve,
    start_set,
)


async def attempts(db: Database) -> list[tuple[str, str, int]]:
    rows = await fetchall(db, "SELECT question, given, correct FROM attempt ORDER BY attempt_id")
    return [(r["question"], r["given"], r["correct"]) for r in rows]


async def test_wrong_answer_shows_the_answer_and_comes_back(
    dojo: Dojo, standin: BotApiStandIn
) -> None:
    learner = await standin.user(601, "Ben")
    message = await start_set(standin, learner, "math-arithmetic-addition-d101")
    _, _, missed = current_question(message)
    right = solve(missed)
    dojo.clock.advance(2300)
    message = await reply(standin, learner, str(right + 1))
    assert message.plain_text.startswith(f"✗ {missed} = {right} · 2.3 s")
    seen_after = []
    for _ in range(5):
        _number, _, question = current_question(message)
        seen_after.append(question)
        if question == missed:
            break
        message = await reply(standin, learner, str(solve(question)))
    assert missed in seen_after[2:5]  # back 3 to 5 problems later
    assert current_question(message)[1] == 26  # the set grew by the retry


async def test_garbage_never_breaks_the_set(dojo: Dojo, standin: BotApiStandIn) -> None:
    learner = await standin.user(602, "Chika")
    first = await start_set(standin, learner, "math-arithmetic-subtraction-d101")
    _number, _total, question = current_question(first)
    bad_inputs = {
        "seven": "like 42",
        "3 4": "one number",
        "NaN": "",
        "1e309": "",
        "0x1F": "",
        "9" * 400: "",
        "x" * 100: "",
    }
    for text, hint in bad_inputs.items():
        answer = await reply(standin, learner, text)
        assert "Problem 1 of" in answer.plain_text, text
        assert hint in answer.plain_text
        assert question in answer.plain_text
        assert not answer.plain_text.startswith(("✓", "✗"))
    await standin.send_sticker(learner)
    sticker_reply = await standin.next_message(learner)
    assert "as a number" in sticker_reply.plain_text
    await standin.send_photo(learner)
    assert "as a number" in (await standin.next_message(learner)).plain_text
    unknown = await reply(standin, learner, "/frobnicate")
    assert "I don't know /frobnicate" in unknown.plain_text
    # The set is intact: the first problem is still the one to answer.
    judged = await reply(standin, learner, str(solve(question)))
    assert judged.plain_text.startswith("✓")
    assert "Problem 2 of" in judged.plain_text
    assert len(await attempts(dojo.db)) == 1


async def test_edited_answer_is_not_judged_again(dojo: Dojo, standin: BotApiStandIn) -> None:
    learner = await standin.user(603, "Dai")
    first = await start_set(standin, learner, "math-arithmetic-addition-d101")
    _, _, question = current_question(first)
    sent = await standin.send_text(learner, "0" if solve(question) != 0 else "1")
    await standin.next_message(learner)
    await standin.edit_text(learner, sent["message_id"], str(solve(question)))
    note = await standin.next_message(learner)
    assert "Edited answers are not judged again" in note.plain_text
    assert [a[2] for a in await attempts(dojo.db)] == [0]


async def test_forged_and_stale_buttons_change_nothing(dojo: Dojo, standin: BotApiStandIn) -> None:
    learner = await standin.user(604, "Emi")
    first = await start_set(standin, learner, "math-arithmetic-addition-d101")
    forged = ["go:99:101", "go:1:999", "go:1", "nav:t:abc", "nav:f:42", "chart:x", "zzz", "nav:"]
    for data in forged:
        query = await standin.press_data(learner, None, first.message_id, data)
        await standin.settle()
        answer = standin.callback_answers[query]
        assert "no longer valid" in answer.get("text", ""), data
    assert standin.unanswered_callback_queries() == []
    _, _, question = current_question(first)
    judged = await reply(standin, learner, str(solve(question)))
    assert judged.plain_text.startswith("✓")
    sessions = await fetchall(dojo.db, "SELECT session_id FROM session")
    assert len(sessions) == 1


async def test_deep_links(dojo: Dojo, standin: BotApiStandIn) -> None:
    learner = await standin.user(605, "Fumi")
    menu = await reply(standin, learner, "/start math-arithmetic-negatives-addition")
    assert menu.plain_text.startswith("Adding negatives · Hatsu")
    assert "🌱 Seedling" in [b.text for b in menu.flat_buttons]
    unknown = await reply(standin, learner, "/start math-arithmetic-alchemy")
    assert unknown.plain_text.startswith("I didn't recognise that link")
    assert "Math" in [b.text for b in unknown.flat_buttons]
    bad_level = await reply(standin, learner, "/start math-arithmetic-addition-d999")
    assert bad_level.plain_text.startswith("I didn't recognise that link")
    problem = await reply(standin, learner, "/start math-arithmetic-roots-d102")
    assert "Roots · Sapling" in problem.plain_text
    _number, _total, question = current_question(problem)
    assert question.startswith("√")


async def test_stop_and_answers_without_a_set(dojo: Dojo, standin: BotApiStandIn) -> None:
    learner = await standin.user(606, "Gen")
    assert "No set is running" in (await reply(standin, learner, "12")).plain_text
    assert "No set is running" in (await reply(standin, learner, "/stop")).plain_text
    first = await start_set(standin, learner, "math-arithmetic-multiplication-d101")
    _, _, question = current_question(first)
    dojo.clock.advance(4000)
    await reply(standin, learner, str(solve(question)))
    summary = await reply(standin, learner, "/stop")
    assert "Set complete" in summary.plain_text
    assert "1 answer · 1 right (100%)" in summary.plain_text
    assert "No set is running" in (await reply(standin, learner, "5")).plain_text


async def test_idle_set_is_closed_at_its_last_answer(dojo: Dojo, standin: BotApiStandIn) -> None:
    learner = await standin.user(607, "Hana")
    first = await start_set(standin, learner, "math-arithmetic-addition-d101")
    _, _, question = current_question(first)
    dojo.clock.advance(1000)
    await reply(standin, learner, str(solve(question)))
    answered_at = dojo.clock.now_ms
    dojo.clock.advance(31 * 60_000)
    await close_idle_sets(DojoContext(dojo.app))
    row = await fetchone(dojo.db, "SELECT end_time, total_reps FROM session")
    assert row is not None
    assert (row["end_time"], row["total_reps"]) == (answered_at, 1)
    assert "No set is running" in (await reply(standin, learner, "4")).plain_text


async def test_stage_advancement_is_celebrated(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> None:
    db = await open_url(migrated_url)
    await migrate_up(db)
    await execute(db, "UPDATE difficulty_progression SET hatsu = 5 WHERE code = 'standard'")
    await db.close()
    async with run_dojo(
        standin, tmp_path / "dojobot.sqlite3", database_url=migrated_url
    ) as dojo:
        learner = await standin.user(608, "Isamu")
        message = await start_set(standin, learner, "math-arithmetic-addition-d101")
        for _ in range(5):
            _, _, question = current_question(message)
            message = await reply(standin, learner, str(solve(question)))
        celebration = await standin.next_message(learner)
        assert celebration.plain_text.startswith("🎉 New stage in Addition: Shu 守")
        row = await fetchone(dojo.db, "SELECT stage_id, reps_in_stage FROM user_progress")
        assert row is not None
        assert tuple(row) == (2, 0)
        # The rest of the set still counts, but not as reps in the new stage.
        _, _, question = current_question(message)
        await reply(standin, learner, str(solve(question)))
        row = await fetchone(dojo.db, "SELECT reps_in_stage, total_reps FROM user_progress")
        assert row is not None
        assert tuple(row) == (0, 6)


async def test_restart_mid_set_loses_nothing(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> None:
    path = tmp_path / "dojobot.sqlite3"
    clock = FakeClock()
    learner = await standin.user(609, "Jun")
    async with run_dojo(standin, path, clock, database_url=migrated_url):
        message = await start_set(standin, learner, "math-arithmetic-division-d101")
        for _ in range(3):
            _, _, question = current_question(message)
            clock.advance(1200)
            message = await reply(standin, learner, str(solve(question)))
    # A new process: nothing in memory, only the database.
    async with run_dojo(standin, path, clock, database_url=migrated_url) as dojo:
        number, _, question = current_question(message)
        assert number == 4
        clock.advance(2000)
        judged = await reply(standin, learner, str(solve(question)))
        assert judged.plain_text.startswith("✓ 2.0 s")
        assert "Problem 5 of" in judged.plain_text
        assert len(await attempts(dojo.db)) == 4


async def test_redelivered_answer_counts_once_and_gets_its_reply(
    dojo: Dojo, standin: BotApiStandIn
) -> None:
    """An answer Telegram sends again (its replica died before answering the POST) gets the
    reply it got first, verdict and next problem; once a later answer was judged, it gets a
    note and the current problem."""
    learner = await standin.user(610, "Kei")
    first = await start_set(standin, learner, "math-arithmetic-addition-d101")
    _, _, question = current_question(first)
    sent = await standin.send_text(learner, str(solve(question)))
    judged = await standin.next_message(learner)
    again = Update.de_json({"update_id": 10_000, "message": sent}, dojo.app.bot)
    assert again is not None
    await dojo.app.process_update(again)
    repeated = await standin.next_message(learner)
    assert repeated.text == judged.text
    assert repeated.reply_to_message_id == sent["message_id"]
    assert len(await attempts(dojo.db)) == 1

    _, _, question = current_question(judged)
    await reply(standin, learner, str(solve(question)))
    await dojo.app.process_update(again)
    note = await standin.next_message(learner)
    assert note.plain_text.startswith("Already counted.\nProblem 3 of"), note.plain_text
    assert len(await attempts(dojo.db)) == 2


async def test_redelivered_deep_link_starts_one_set(dojo: Dojo, standin: BotApiStandIn) -> None:
    """A /start link Telegram sends again (its replica died before answering the POST) shows
    the set it started: a second set would judge the next answer against another problem."""
    learner = await standin.user(612, "Aki")
    sent = await standin.send_text(learner, "/start math-arithmetic-addition-d101")
    first = await standin.next_message(learner)
    again = Update.de_json({"update_id": 10_001, "message": sent}, dojo.app.bot)
    assert again is not None
    await dojo.app.process_update(again)
    shown = await standin.next_message(learner)
    assert shown.reply_to_message_id == sent["message_id"]
    assert current_question(shown) == current_question(first)
    judged = await reply(standin, learner, str(solve(current_question(first)[2])))
    assert judged.plain_text.startswith("✓")
    assert tuple(await fetchone(dojo.db, "SELECT count(*) FROM session") or ()) == (1,)


async def test_progress_report_and_chart(dojo: Dojo, standin: BotApiStandIn) -> None:
    learner = await standin.user(611, "Rin")
    empty = await reply(standin, learner, "/progress")
    assert empty.plain_text.startswith("No answers yet")
    for seconds in (3000, 2000):
        message = await start_set(standin, learner, "math-arithmetic-addition-d101")
        while "Set complete" not in message.plain_text:
            _, _, question = current_question(message)
            dojo.clock.advance(seconds)
            message = await reply(standin, learner, str(solve(question)))
    report = await reply(standin, learner, "/progress")
    assert "Addition · Hatsu 初" in report.plain_text
    assert "50/1000" in report.plain_text
    assert "50 answers · 100% right" in report.plain_text
    fluency_map = await standin.next_message(learner)
    assert fluency_map.kind == "photo"
    assert fluency_map.file_bytes is not None
    assert fluency_map.file_bytes.startswith(b"\x89PNG")
    # Seedling's 25 gentle facts, each right within 3 s twice, of the 81 on the map; the
    # caption also counts the reviews due today (none: all were answered right just now)
    assert fluency_map.plain_text == "25 of 81 facts fluent · 0 due for review today"
    # Beyond Kan there is no fact map: the chart of recent sets instead.
    await execute(dojo.db, "UPDATE user_progress SET stage_id = 4 WHERE user_id = 611")
    await reply(standin, learner, "/progress")
    chart = await standin.next_message(learner)
    assert chart.kind == "photo"
    assert chart.file_bytes is not None
    assert chart.file_bytes.startswith(b"\x89PNG")
    assert "last 2 sets" in chart.plain_text


async def blocked_at(dojo: Dojo, user_id: int) -> int | None:
    row = await fetchone(dojo.db, 'SELECT blocked_at FROM "user" WHERE user_id = ?', (user_id,))
    assert row is not None
    return row["blocked_at"]


async def test_learner_who_blocks_and_unblocks(dojo: Dojo, standin: BotApiStandIn) -> None:
    learner = await standin.user(612, "Sora")
    first = await start_set(standin, learner, "math-arithmetic-addition-d101")
    await standin.block_bot(learner)
    await standin.settle()
    assert await blocked_at(dojo, 612) is not None
    # Writing again unblocks (Telegram sends my_chat_member 'member' first) and the set goes on.
    _, _, question = current_question(first)
    judged = await reply(standin, learner, str(solve(question)))
    assert judged.plain_text.startswith("✓")
    assert await blocked_at(dojo, 612) is None


async def test_a_403_on_the_reply_keeps_the_answer(dojo: Dojo, standin: BotApiStandIn) -> None:
    learner = await standin.user(613, "Taro")
    first = await start_set(standin, learner, "math-arithmetic-addition-d101")
    _, _, question = current_question(first)
    standin.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await standin.send_text(learner, str(solve(question)))
    await standin.settle()
    assert len(await attempts(dojo.db)) == 1  # committed before the reply was refused
    assert await blocked_at(dojo, 613) is not None
    assert standin.messages(learner)[-1].message_id == first.message_id  # no apology sent


async def test_taps_answered_too_late_still_do_their_work(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A busy bot may answer a tap after Telegram's 15 s: Telegram refuses the toast. The
    menus answer a tap before their work, so the refusal stopped the work and apologised
    ("something went wrong") for a menu that never opened. (Not the `dojo` fixture: it
    rightly refuses a run with any call Telegram refused.)"""
    standin.callback_answer_timeout_s = 0.0  # every tap's answer comes too late
    learner = await standin.user(531, "Rin")
    async with run_dojo(standin, tmp_path / "dojobot.sqlite3",
                        database_url=migrated_url) as dojo:
        with caplog.at_level(logging.INFO):
            first = await open_addition_seedling(dojo, learner)
    assert "Addition · Seedling" in first.plain_text
    assert not any("went wrong" in m.plain_text for m in standin.messages(learner))
    assert not any(r.exc_info for r in caplog.records)
    assert "a tap was answered too late" in caplog.text
