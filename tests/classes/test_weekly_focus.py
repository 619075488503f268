"""A class's weekly focus through the real bot: an admin sets it with /board focus, members
see it first in /start and in their nudge, /leaderboard and the weekly post say who met it;
bad input changes nothing; leaving the class takes a member off it."""

from __future__ import annotations

from dojobot.engine.calendar import Period, period_bounds
from dojobot.engine.nudges import Action, NudgePlan
from dojobot.jobs.nudges import nudge_message
from dojobot.storage import focus as store
from telegram_standin import BotMessage, User
from tests.support.classes import (
    GROUP_ID,
    SUNDAY_EVENING_MS,
    in_group,
    join_both,
    make_class,
    run_weekly_job,
    toast,
)
from tests.support.db import fetchall
from tests.support.dojo import Dojo
from tests.support.learner import current_question, reply, solve
from tests.support.privacy import unpack


async def practise_focus(dojo: Dojo, learner: User, answers: int = 2) -> BotMessage:
    """/start, the focus button, a few right answers, /stop: one set toward the focus."""
    s = dojo.standin
    menu = await reply(s, learner, "/start")
    assert menu.flat_buttons[0].text == "🎯 Practise the focus"
    await s.press(learner, "🎯 Practise the focus", message_id=menu.message_id)
    problem = await s.next_message(learner)
    await s.settle()
    for _ in range(answers):
        _n, _total, question = current_question(problem)
        dojo.clock.advance(1500)
        await s.send_text(learner, str(solve(question)))
        problem = await s.next_message(learner)
        await s.settle()
    return await reply(s, learner, "/stop")


async def test_focus_seen_by_members_and_tracked_on_the_board(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await join_both(dojo, k)
    set_reply = await in_group(dojo, k.teacher, "/board focus multiplication sapling 2", k.group)
    assert set_reply.plain_text.startswith(
        "🎯 This week's focus: Multiplication · Sapling, 2 sets per member."
    )
    # A member sees it first thing in /start, with a button straight to it.
    menu = await reply(s, k.aiko, "/start")
    assert menu.plain_text.splitlines()[0] == (
        "🎯 Your class 7A Maths is practising Multiplication at Sapling this week. "
        "Your sets so far: 0 of 2."
    )
    await practise_focus(dojo, k.aiko)
    menu = await reply(s, k.aiko, "/start")
    assert menu.plain_text.splitlines()[0].endswith("Your sets so far: 1 of 2.")
    [row] = await fetchall(
        dojo.db, "SELECT topic_id, difficulty_level_id FROM session WHERE user_id = ?",
        (k.aiko.id,),
    )
    assert (row[0], row[1]) == (3, 102)  # the button opened Multiplication at Sapling
    await practise_focus(dojo, k.aiko)
    menu = await reply(s, k.aiko, "/start")
    assert menu.plain_text.splitlines()[0].endswith("✓ You've done it: 2 of 2.")
    assert menu.flat_buttons[0].text != "🎯 Practise the focus"  # met: the usual menu

    board = await in_group(dojo, k.ben, "/leaderboard", k.group)
    lines = board.plain_text.splitlines()
    assert lines[-2:] == [
        "🎯 Focus this week: Multiplication · Sapling, 2 sets each.",
        "1 of 2 members met it. ✓ Aiko",
    ]
    # Ben's nudge leads with the focus, and its button opens it.
    text, keyboard = await nudge_message(
        dojo.db, dojo.app.bot_data.catalogue,
        NudgePlan(k.ben.id, Action.SEND, None, 0, False, None, None, 0, "UTC"),
        dojo.clock(),
    )
    assert text.splitlines()[0] == (
        "🎯 Your class <b>7A Maths</b> is practising Multiplication at Sapling this week. "
        "Your sets so far: 0 of 2."
    )
    assert keyboard.inline_keyboard[0][0].callback_data == "go:3:102"

    # The final board of the week says how the focus went.
    dojo.clock.now_ms = SUNDAY_EVENING_MS
    await run_weekly_job(dojo)
    post = s.messages(k.group)[-1].plain_text
    assert "🎯 This week's focus was Multiplication · Sapling, 2 sets each.\n" \
        "1 of 2 members met it. ✓ Aiko" in post
    # A new week starts without a focus.
    dojo.clock.advance(24 * 3_600_000)
    menu = await reply(s, k.aiko, "/start")
    assert not menu.plain_text.startswith("🎯")


async def test_bad_focus_is_refused_and_changes_nothing(dojo: Dojo) -> None:
    k = await make_class(dojo)
    await join_both(dojo, k)
    good = await in_group(dojo, k.teacher, "/board focus Addition seedling", k.group)
    assert good.plain_text.startswith("🎯 This week's focus: Addition · Seedling.")
    cases = {
        "/board focus knitting sapling": "I don't know the topic knitting.",
        "/board focus multiplication granite": "I don't know the level granite.",
        "/board focus multiplication sapling 0": "The target must be a number of sets from 1 "
                                                 "to 20. Nothing changed.",
        "/board focus multiplication sapling -1": "The target must be a number of sets",
        "/board focus multiplication sapling 10000": "The target must be a number of sets",
        "/board focus multiplication": "Usage: /board focus",
    }
    for command, refusal in cases.items():
        answer = await in_group(dojo, k.teacher, command, k.group)
        assert answer.plain_text.startswith(refusal), (command, answer.plain_text)
    # Only admins, and the focus is still Addition at Seedling without a target.
    refused = await in_group(dojo, k.aiko, "/board focus multiplication sapling 3", k.group)
    assert refused.plain_text == "Only this group's admins can change the board."
    now = dojo.clock()
    focus = await store.focus_at(dojo.db, GROUP_ID, now)
    assert focus is not None
    assert (focus.topic_id, focus.level_id, focus.target_sets) == (1, 101, None)
    assert focus.set_by == k.teacher.id
    week = period_bounds(Period.WEEK, now, "UTC")
    assert (focus.week_start, focus.week_end) == (week.start_ms, week.end_ms)
    # Off clears it; a second off says there was nothing.
    cleared = await in_group(dojo, k.teacher, "/board focus off", k.group)
    assert cleared.plain_text == "This week's focus is cleared."
    again = await in_group(dojo, k.teacher, "/board focus off", k.group)
    assert again.plain_text == "No focus this week: nothing to clear."
    assert await store.focus_at(dojo.db, GROUP_ID, now) is None


async def test_a_member_who_left_is_not_counted(dojo: Dojo) -> None:
    k = await make_class(dojo)
    await join_both(dojo, k)
    await in_group(dojo, k.teacher, "/board focus multiplication sapling", k.group)
    await practise_focus(dojo, k.ben, answers=1)
    board = await in_group(dojo, k.aiko, "/leaderboard", k.group)
    assert board.plain_text.endswith("1 of 2 members met it. ✓ Ben")
    await in_group(dojo, k.ben, "/leave", k.group)
    board = await in_group(dojo, k.aiko, "/leaderboard", k.group)
    assert board.plain_text.endswith("🎯 Focus this week: Multiplication · Sapling.\n"
                                     "0 of 1 member met it.")
    menu = await reply(dojo.standin, k.ben, "/start")
    assert not menu.plain_text.startswith("🎯")


async def test_the_admins_mydata_and_forgetme_cover_the_focus_they_set(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await in_group(dojo, k.teacher, "/board focus division bamboo 3", k.group)
    sent = await reply(s, k.teacher, "/mydata")
    document, _answers, readme = unpack(sent.file_bytes)
    [focus] = document["focuses_set"]
    assert (focus["group_id"], focus["topic"], focus["difficulty"], focus["target_sets"]) == (
        GROUP_ID, "div", "bamboo", 3
    )
    assert "  focuses_set" in readme
    ask = await reply(s, k.teacher, "/forgetme")
    qid = await s.press(k.teacher, "🗑 Delete everything", message_id=ask.message_id)
    assert await toast(s, qid) == "Deleted."
    await s.settle()
    # The class keeps its focus; nothing says who set it.
    rows = await fetchall(dojo.db, "SELECT topic_id, set_by FROM class_focus")
    assert [(r[0], r[1]) for r in rows] == [(4, None)]
