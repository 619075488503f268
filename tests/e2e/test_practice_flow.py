"""A learner's whole path through the real bot, over HTTP, against the stand-in."""

from __future__ import annotations

import re

from dojobot.sandbox.standin import BotApiStandIn, BotMessage, User
from tests.conftest import Dojo
from tests.e2e.helpers import current_question, solve


async def open_addition_seedling(dojo: Dojo, learner: User) -> BotMessage:
    s = dojo.standin
    await s.send_text(learner, "/start")
    menu = await s.next_message(learner)
    assert "Pick a field" in menu.plain_text
    for button in ("Math", "Arithmetic", "Addition · Hatsu 0/1000", "🌱 Seedling"):
        await s.press(learner, button, message_id=menu.message_id)
        await s.settle()
    return await s.next_message(learner)


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
        if "Set complete" in message.plain_text:
            break
    assert answered == 25
    assert "25 answers · 25 right (100%)" in message.plain_text
    assert "Mean 1.5 s · median 1.5 s" in message.plain_text
    assert [b.text for b in message.flat_buttons] == [
        "🔁 Another set", "📚 Change topic", "📈 My progress",
    ]
    row = await dojo.db.fetchone(
        "SELECT total_reps, correct_reps, reps_in_stage FROM user_progress WHERE user_id = 501"
    )
    assert row is not None
    assert tuple(row) == (25, 25, 25)
    session = await dojo.db.fetchone(
        "SELECT total_reps, accuracy, median_response_time, end_time IS NOT NULL FROM session"
    )
    assert session is not None
    assert tuple(session) == (25, 1.0, 1500.0, 1)
