"""Updates of different chats run concurrently; one chat's run in order, timed at arrival."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import REGISTRY

from dojobot.transport.updates import CHAT_BACKLOG
from telegram_standin import BotApiStandIn, User
from tests.support.db import fetchone
from tests.support.dojo import Dojo
from tests.support.learner import current_question, solve, start_set
from tests.support.waiting import until


async def test_a_stalled_chat_delays_only_itself_and_keeps_its_order(
    dojo: Dojo, standin: BotApiStandIn
) -> None:
    slow = await standin.user(701, "Slow")
    other = await standin.user(702, "Other")
    first = await start_set(standin, slow, "math-arithmetic-addition-d101")
    _, _, question = current_question(first)
    processor = dojo.app.update_processor
    dojo.clock.advance(1500)

    # Telegram is slow for this chat: its /help reply hangs until released.
    released = standin.hold("sendMessage", slow.id)
    await standin.send_text(slow, "/help")
    await until(lambda: processor.current_concurrent_updates == 1, "the /help is being handled")
    await standin.send_text(slow, str(solve(question)))
    await until(lambda: processor.current_concurrent_updates == 2, "the answer has arrived")

    # Another learner is answered meanwhile.
    await standin.send_text(other, "/help")
    assert "/start" in (await standin.next_message(other)).plain_text

    # The answer waits for the /help before it: not judged yet.
    row = await fetchone(dojo.db, "SELECT count(*) FROM attempt WHERE user_id = ?", (slow.id,))
    assert row is not None
    assert row[0] == 0

    # Ten seconds pass before Telegram answers; the answer is timed from its arrival.
    dojo.clock.advance(10_000)
    released.set()
    assert "/start" in (await standin.next_message(slow)).plain_text
    verdict = await standin.next_message(slow)
    assert verdict.plain_text.startswith("✓ 1.5 s"), verdict.plain_text


async def test_double_taps_start_one_set_and_are_answered_quietly(
    dojo: Dojo, standin: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    learner = await standin.user(703, "Quick Fingers")
    await standin.send_text(learner, "/start")
    menu = await standin.next_message(learner)
    for button in ("Math", "Arithmetic", "Addition · Hatsu 0/1000"):
        await standin.press(learner, button, message_id=menu.message_id)
        await standin.settle()
    # Both taps are made before the bot handles the first (the buttons are still shown).
    await standin.press(learner, "🌱 Seedling", message_id=menu.message_id)
    await standin.press(learner, "🌱 Seedling", message_id=menu.message_id)
    assert "Problem 1 of" in (await standin.next_message(learner)).plain_text
    await standin.settle()
    await standin.send_text(learner, "/stop")
    summary = await standin.next_message(learner)
    await standin.settle()
    await standin.press(learner, "🔁 Another set", message_id=summary.message_id)
    await standin.press(learner, "🔁 Another set", message_id=summary.message_id)
    assert "Problem 1 of" in (await standin.next_message(learner)).plain_text
    await standin.settle()
    # One set per menu, every tap answered (the fixture checks: no 400, none unanswered).
    problems = [m for m in standin.messages(learner) if "Problem 1 of" in m.plain_text]
    assert len(problems) == 2
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def dropped() -> float:
    """Updates dropped so far, as /metrics says (an operator's only sight of a flood)."""
    return REGISTRY.get_sample_value("dojobot_updates_dropped_total") or 0.0


async def flood_answered_once(standin: BotApiStandIn, flood: User) -> None:
    """Once Telegram lets the flooding chat's replies through: a reply to each of its first
    CHAT_BACKLOG /help, and one note about the rest."""
    await standin.settle()
    texts = [m.plain_text for m in standin.messages(flood)]
    notes = [t for t in texts if t.startswith("You're sending messages faster than I can")]
    assert len(notes) == 1, notes
    assert len(texts) == CHAT_BACKLOG + 1


async def test_a_chat_past_its_backlog_gets_one_note_and_the_rest_is_dropped(
    dojo: Dojo, standin: BotApiStandIn
) -> None:
    # 6,000 /help of one chat filled python-telegram-bot's semaphore: other learners waited
    # 95.6 s for a reply, and that wait was stored as their response time. Now a chat has
    # at most CHAT_BACKLOG updates waiting; what comes past that is dropped, with one note.
    flood = await standin.user(711, "Flo")
    other = await standin.user(712, "Oto")
    released = standin.hold("sendMessage", flood.id)  # its first reply hangs at Telegram
    before = dropped()
    for _ in range(CHAT_BACKLOG + 30):
        await standin.send_text(flood, "/help")
    await until(lambda: standin.updates_unconfirmed == 0, "the bot took every update in")
    await standin.send_text(other, "/help")  # answered while the flood waits
    assert "/start" in (await standin.next_message(other)).plain_text
    assert dropped() - before == 30
    released.set()
    await flood_answered_once(standin, flood)


async def test_a_chat_told_of_its_flood_is_dropped_unparsed_and_others_in_its_batches_go_on(
    dojo: Dojo, standin: BotApiStandIn
) -> None:
    # Once a chat has had its note, its further excess is dropped from getUpdates' batches
    # before python-telegram-bot parses it (the parsing made 6,000 updates take 4 s to
    # come off Telegram's queue). A batch keeps its last update whatever it is: the bot
    # confirms a batch by it, and a batch of nothing but dropped updates was fetched again
    # and again. Other chats' updates in those batches are handled, in their places.
    flood = await standin.user(713, "Flu")
    other = await standin.user(714, "Ota")
    released = standin.hold("sendMessage", flood.id)
    before = dropped()
    for _ in range(CHAT_BACKLOG + 1):  # the last one is dropped, with the note
        await standin.send_text(flood, "/help")
    await until(lambda: standin.updates_unconfirmed == 0, "the bot took every update in")
    # Three batches more: the flood, another chat's /help in the middle, and batches that
    # end with the flood's (the last of them all is the flood's).
    for i in range(250):
        await standin.send_text(other if i == 120 else flood, "/help")
    await until(lambda: standin.updates_unconfirmed == 0, "the bot confirmed every batch")
    assert "/start" in (await standin.next_message(other)).plain_text
    assert dropped() - before == 1 + 249  # unparsed or not, every dropped one is counted
    released.set()
    await flood_answered_once(standin, flood)
