"""Fluent means likely known at the learner's next usual practice: for a learner who starts
their day at 08:00, an evening's fact is judged at 08:00 tomorrow, in /progress and in the
app's progress page alike; a learner with no habit yet is judged a day ahead."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dojobot.engine.cards import recall, review
from dojobot.storage.cards import keep_card
from telegram_standin import User
from tests.support.learner import current_question, reply, solve, start_set
from tests.support.web import WebDojo

MUL = "math-arithmetic-multiplication-d102"
TOPIC_MUL = 3
HOUR_MS = 3_600_000


def at(day: int, hour: int, minute: int = 0) -> int:
    return int(datetime(2025, 11, day, hour, minute, tzinfo=UTC).timestamp() * 1000)


async def evening_fact(web: WebDojo, user_id: int) -> None:
    """7 × 8 this evening: right, missed, then right within the pace in the set's retry."""
    card = None
    for minute, right in enumerate((True, False, True)):
        card = review(card, right, 2500, web.dojo.clock() - (3 - minute) * 60_000, 3000)
    assert card is not None
    # Likely known 14 hours on (08:00), not 24 hours on: the rule decides.
    assert recall(card, at(26, 8)) >= 0.9 > recall(card, card.last_review_ms + 24 * HOUR_MS)
    async with web.dojo.db.transaction() as tx:
        await keep_card(tx, user_id, TOPIC_MUL, "mul 7 8", card)


async def fluent_in_chat_and_app(web: WebDojo, user_id: int) -> tuple[int, int]:
    s = web.dojo.standin
    learner = await s.user(user_id, f"L{user_id}")
    await s.send_text(learner, "/progress")
    await s.next_message(learner)
    photo = await s.next_message(learner)
    await s.settle()
    counted = re.match(r"(\d+) of 64 facts fluent · (\d+) due for review today",
                       photo.plain_text)
    assert counted is not None, photo.plain_text
    body = (await web.http.get(f"/api/progress/map?topic={TOPIC_MUL}",
                               headers=web.auth(web.init_data(user_id)))).json()
    cell = next(c for c in body["facts"] if c["key"] == "mul 7 8")
    assert body["fluent"] == sum(c["fluent"] for c in body["facts"])
    assert cell["fluent"] == bool(body["fluent"])
    # Shaded by recall now: answered minutes ago, nearly sure; not due today.
    assert 0.99 < cell["recall"] < 1
    assert not cell["due"]
    assert int(counted[2]) == body["due"]
    return int(counted[1]), body["fluent"]


async def missed_set(web: WebDojo, learner: User) -> None:
    """A set begun now whose one answer is wrong (a missed fact is fluent nowhere)."""
    first = await start_set(web.dojo.standin, learner, MUL)
    web.dojo.clock.advance(4000)
    await reply(web.dojo.standin, learner, str(solve(current_question(first)[2]) + 1))
    await reply(web.dojo.standin, learner, "/stop")


async def test_an_evening_fact_is_judged_at_tomorrows_usual_morning(web: WebDojo) -> None:
    s = web.dojo.standin
    habit, new = await s.user(8101, "Early"), await s.user(8102, "New")
    # Early starts a set at 08:00 two days running; New has never practised before tonight.
    for day in (24, 25):
        web.dojo.clock.now_ms = at(day, 8, 5 if day == 24 else 0)
        await missed_set(web, habit)
    web.dojo.clock.now_ms = at(25, 18)
    for learner in (habit, new):
        await missed_set(web, learner)
    web.dojo.clock.now_ms = at(25, 18, 20)
    for learner in (habit, new):
        await evening_fact(web, learner.id)
    assert await fluent_in_chat_and_app(web, habit.id) == (1, 1)
    assert await fluent_in_chat_and_app(web, new.id) == (0, 0)
