"""A learner's whole path through the real bot, over HTTP, against the stand-in."""

from __future__ import annotations

import re

from telegram_standin import BotApiStandIn
from tests.support.db import fetchall, fetchone
from tests.support.dojo import Dojo
from tests.support.learner import current_question, open_addition_seedling, solve


async def test_new_learner_finishes_a_set(dojo: Dojo, standin: BotApiStandIn) -> None:
    learner = await standin.user(501, "Aiko")
    first = await open_addition_seedling(dojo, learner)
    assert "Addition · Seedling" in first.plain_text
    number, total, question = current_question(first)
    assert (number, total) == (1, 25)
    assert re.fullmatch(r"\d \+ \d", question)
    answered = 0
    message = first
    while True:
        number, total, question = current_question(message)
        dojo.clock.advance(1500)
        calls_before = len(standin.calls)
        await standin.send_text(learner, str(solve(question)))
        message = await standin.next_message(learner)
        await standin.settle()
        sends = [c for c in standin.calls[calls_before:] if c.method != "getUpdates"]
        assert [c.method for c in sends] == ["sendMessage"]  # one Bot API call per answer
        answered += 1
        assert message.plain_text.startswith("✓ 1.5 s")
        has_stage_line = re.search(r"Hatsu 初 [▓░]{10} \d+/1000", message.plain_text) is not None
        assert has_stage_line == (answered in (10, 20, 25)), message.plain_text
        if "Set complete" in message.plain_text:
            break
    assert answered == 25
    assert "25 answers · 25 right (100%)" in message.plain_text
    assert "Mean 1.5 s · median 1.5 s" in message.plain_text
    assert [b.text for b in message.flat_buttons] == [
        "🔁 Another set", "📚 Change topic", "📈 My progress",
    ]
    row = await fetchone(
        dojo.db,
        "SELECT total_reps, correct_reps, reps_in_stage FROM user_progress WHERE user_id = 501"
    )
    assert row is not None
    assert tuple(row) == (25, 25, 25)
    session = await fetchone(
        dojo.db,
        "SELECT total_reps, accuracy, median_response_time, end_time IS NOT NULL FROM session"
    )
    assert session is not None
    assert tuple(session) == (25, 1.0, 1500.0, 1)
    assert message.plain_text.endswith("Hatsu 初 ░░░░░░░░░░ 25/1000 · 100% · median 1.5 s")
    assert standin.unanswered_callback_queries() == []


async def test_another_set_and_quick_answers(dojo: Dojo, standin: BotApiStandIn) -> None:
    learner = await standin.user(502, "Botan")
    first = await open_addition_seedling(dojo, learner)
    # Two answers sent before the bot replies: judged in order, each exactly once.
    _, _, question = current_question(first)
    await standin.send_text(learner, str(solve(question)))
    await standin.send_text(learner, "0")
    replies = [await standin.next_message(learner), await standin.next_message(learner)]
    await standin.settle()
    assert replies[0].plain_text.startswith("✓")
    assert "Problem 2 of" in replies[0].plain_text
    assert "Problem 3 of" in replies[1].plain_text or "Problem 2 of 26" in replies[1].plain_text
    rows = await fetchall(dojo.db, "SELECT given FROM attempt ORDER BY attempt_id")
    assert [r["given"] for r in rows] == [str(solve(question)), "0"]
    # /stop, then 'Another set' starts a fresh set of the same topic and level.
    await standin.send_text(learner, "/stop")
    done = await standin.next_message(learner)
    await standin.press(learner, "🔁 Another set", message_id=done.message_id)
    again = await standin.next_message(learner)
    assert "Addition · Seedling" in again.plain_text
    assert current_question(again)[0] == 1
    sessions = await fetchall(dojo.db, "SELECT end_time IS NULL AS open FROM session")
    assert [r["open"] for r in sessions] == [0, 1]
    assert standin.unanswered_callback_queries() == []


async def test_change_topic_keeps_the_summary(dojo: Dojo, standin: BotApiStandIn) -> None:
    learner = await standin.user(503, "Chiyo")
    await open_addition_seedling(dojo, learner)
    await standin.send_text(learner, "/stop")
    summary = await standin.next_message(learner)
    await standin.press(learner, "📚 Change topic", message_id=summary.message_id)
    topics = await standin.next_message(learner)
    await standin.settle()
    assert topics.plain_text == "Arithmetic · pick a topic."
    assert "Addition · Hatsu 0/1000" in [b.text for b in topics.flat_buttons]
    kept = next(m for m in standin.messages(learner) if m.message_id == summary.message_id)
    assert kept.plain_text == summary.plain_text
    assert kept.edited == 0
    forged = await standin.press_data(learner, None, summary.message_id, "topics:99")
    await standin.settle()
    assert "no longer valid" in standin.callback_answers[forged].get("text", "")
