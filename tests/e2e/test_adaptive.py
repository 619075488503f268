"""Adaptive practice end to end: test-out, a missed fact that turns fluent, the class map,
/pace, the stage line's accuracy floor and imported history, through the stand-in."""

from __future__ import annotations

import io
import re
from collections.abc import Collection
from functools import partial

from PIL import Image

from dojobot.display.fluency_map import COLOURS, learner_legend
from dojobot.engine.cards import band
from dojobot.engine.flags import SCHEDULER
from dojobot.engine.memory import Standing
from dojobot.i18n import use_language
from dojobot.storage import flags
from dojobot.storage.cards import card_columns, card_of
from dojobot.storage.classes import is_member
from dojobot.storage.practice_times import next_practice
from telegram_standin import BotApiStandIn, BotMessage, User
from tests.support.classes import GROUP_ID, in_group, make_class
from tests.support.db import execute, executemany, fetchall, fetchone
from tests.support.dojo import Dojo
from tests.support.learner import current_question, solve
from tests.support.waiting import until

MUL = "math-arithmetic-multiplication"
FAST_MS = 1500
DAY_MS, HOUR_MS = 86_400_000, 3_600_000


async def answer_set(
    dojo: Dojo, learner: User, first: BotMessage, wrong: Collection[str] = (),
    pause_ms: int = FAST_MS,
) -> tuple[list[str], BotMessage]:
    """Answer until the set ends: right in `pause_ms`, except questions in `wrong`."""
    s = dojo.standin
    asked: list[str] = []
    message = first
    while "Set complete" not in message.plain_text:
        _, _, question = current_question(message)
        asked.append(question)
        dojo.clock.advance(pause_ms)
        value = solve(question)
        await s.send_text(learner, str(value + 1 if question in wrong else value))
        message = await s.next_message(learner)
        await s.settle()
        assert len(asked) < 200
    return asked, message


async def levels_menu(dojo: Dojo, learner: User) -> BotMessage:
    await dojo.standin.send_text(learner, f"/start {MUL}")
    menu = await dojo.standin.next_message(learner)
    await dojo.standin.settle()
    return menu


async def press(dojo: Dojo, learner: User, button: str, menu: BotMessage) -> str:
    """Press a button and return the toast its query was answered with ('' for none)."""
    qid = await dojo.standin.press(learner, button, message_id=menu.message_id)
    await dojo.standin.settle()
    return str(dojo.standin.callback_answers[qid].get("text") or "")


async def forged(dojo: Dojo, learner: User, menu: BotMessage, data: str) -> str:
    qid = await dojo.standin.press_data(learner, None, menu.message_id, data)
    await dojo.standin.settle()
    return str(dojo.standin.callback_answers[qid].get("text") or "")


def cell_colour(png: bytes, row: int, col: int) -> tuple[int, int, int]:
    """The colour at the centre of the 9x9 map's cell for row × col (2..9 each)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    cell, left, top = 34, 16 + 40, 16 + 26 + 22 + 18
    x = left + (col - 2) * cell + cell // 2
    y = top + (row - 2) * cell + cell // 2
    return image.getpixel((x, y))  # type: ignore[return-value]


async def test_a_learner_who_knows_their_facts_tests_out_of_hatsu(dojo: Dojo) -> None:
    s = dojo.standin
    learner = await s.user(601, "Kenji")
    menu = await levels_menu(dojo, learner)
    assert "🥋 Test out of Hatsu" in [b.text for b in menu.flat_buttons]
    assert await press(dojo, learner, "🥋 Test out of Hatsu", menu) == ""
    first = await s.next_message(learner)
    await s.settle()
    assert "Test out of Hatsu 初" in first.plain_text
    assert current_question(first)[:2] == (1, 30)
    asked, last = await answer_set(dojo, learner, first)
    assert len(asked) == 30
    assert len(set(asked)) == 30  # 30 different facts, spread over the 64
    assert "Test-out passed" in last.plain_text
    celebration = await s.next_message(learner)
    assert "New stage in Multiplication: Shu 守" in celebration.plain_text
    row = await fetchone(
        dojo.db,
        "SELECT stage_id, reps_in_stage FROM user_progress WHERE user_id = 601 AND topic_id = 3"
    )
    assert row is not None
    assert tuple(row) == (2, 0)
    flagged = await fetchall(dojo.db, "SELECT test_out FROM session WHERE user_id = 601")
    assert [r[0] for r in flagged] == ["passed"]

    # The old Hatsu button is stale; Shu's test-out fails with a list of facts to work on.
    assert "earlier stage" in await forged(dojo, learner, menu, "to:3:1")
    menu = await levels_menu(dojo, learner)
    await press(dojo, learner, "🥋 Test out of Shu", menu)
    first = await s.next_message(learner)
    await s.settle()
    wrong = {f"{a} × {b}" for a in (2, 3) for b in range(2, 10)}
    asked, last = await answer_set(dojo, learner, first, wrong)
    assert len(asked) == 30  # a test-out asks each problem once: no retries
    missed = [q for q in asked if q in wrong]
    assert len(missed) >= 2  # 28 of 30 at most: below 95%
    assert "Test-out not passed" in last.plain_text
    assert f"Facts to work on: {', '.join(list(dict.fromkeys(missed))[:6])}" in last.plain_text
    assert "This set still counts" in last.plain_text
    # One test-out per topic and stage a day; the menu is fresh, the answer one clear line.
    menu = await levels_menu(dojo, learner)
    toast = await press(dojo, learner, "🥋 Test out of Shu", menu)
    assert toast.startswith("One test-out of Shu per day: try again in 24 h")
    dojo.clock.advance(24 * 3_600_000)
    assert await press(dojo, learner, "🥋 Test out of Shu", menu) == ""
    await s.next_message(learner)
    await s.settle()
    progress = await fetchone(
        dojo.db,
        "SELECT stage_id, reps_in_stage FROM user_progress WHERE user_id = 601 AND topic_id = 3"
    )
    assert progress is not None
    assert tuple(progress) == (2, 30)  # the failed test-out counted as reps; still Shu


async def test_a_script_answering_faster_than_a_person_does_not_test_out(dojo: Dojo) -> None:
    s = dojo.standin
    bot = await s.user(602, "Speedy")
    menu = await levels_menu(dojo, bot)
    await press(dojo, bot, "🥋 Test out of Hatsu", menu)
    first = await s.next_message(bot)
    await s.settle()
    asked, last = await answer_set(dojo, bot, first, pause_ms=270)  # every answer right
    assert len(asked) == 30
    assert "Test-out not passed" in last.plain_text
    assert ("30 answers came faster than anyone can read and type them, so they did not count "
            "toward the test-out.") in last.plain_text
    row = await fetchone(dojo.db, "SELECT stage_id FROM user_progress WHERE user_id = 602")
    assert row is not None
    assert row[0] == 1  # still Hatsu
    flagged = await fetchall(dojo.db, "SELECT test_out FROM session WHERE user_id = 602")
    assert [r[0] for r in flagged] == ["taken"]


async def test_test_out_buttons_at_ku_and_forged(dojo: Dojo) -> None:
    s = dojo.standin
    learner = await s.user(602, "Mei")
    menu = await levels_menu(dojo, learner)
    await execute(
        dojo.db,
        "INSERT INTO user_progress (user_id, topic_id, stage_id, stage_started_at)"
        " VALUES (602, 3, 7, 0)"
        " ON CONFLICT (user_id, topic_id) DO UPDATE SET stage_id = excluded.stage_id"
    )
    assert (await forged(dojo, learner, menu, "to:3:7")).startswith("You are at Ku")
    for data in ("to:3:8", "to:x:1", "to:99:1", "to:3"):
        assert await forged(dojo, learner, menu, data) == "That button is no longer valid. " \
            "Send /start to begin again."
    ku_menu = await levels_menu(dojo, learner)
    assert not [b for b in ku_menu.flat_buttons if "Test out" in b.text]
    sessions = await fetchone(dojo.db, "SELECT count(*) FROM session WHERE user_id = 602")
    assert sessions is not None
    assert sessions[0] == 0


async def recall_shade(dojo: Dojo, user_id: int, fact: str) -> tuple[int, int, int]:
    """The colour the map must give a fact: its card's band."""
    row = await fetchone(dojo.db, f"SELECT {card_columns()} FROM fact_card"
                                  " WHERE user_id = ? AND fact = ?", (user_id, fact))
    assert row is not None
    now = dojo.clock()
    return COLOURS[band(card_of(tuple(row)), now, await next_practice(dojo.db, user_id, now,
                                                                        "UTC"))]


def assert_map_agrees(photo: BotMessage) -> None:
    """Every cell is in a legend colour, and the fluent cells are the caption's count (a
    child counting green cells gets the caption's number)."""
    image = photo.file_bytes or b""
    shades = [cell_colour(image, row, col) for row in range(2, 10) for col in range(2, 10)]
    with use_language("en"):
        legend = {colour for colour, _name in learner_legend()}
    assert set(shades) <= legend, set(shades) - legend
    counted = re.match(r"(\d+) of 64 facts fluent", photo.plain_text)
    assert counted is not None, photo.plain_text
    assert shades.count(COLOURS[Standing.FLUENT]) == int(counted[1])


async def progress_map(dojo: Dojo, learner: User) -> BotMessage:
    await dojo.standin.send_text(learner, "/progress")
    await dojo.standin.next_message(learner)
    photo = await dojo.standin.next_message(learner)
    await dojo.standin.settle()
    assert photo.kind == "photo"
    assert photo.file_bytes is not None
    return photo


async def test_a_missed_fact_comes_back_until_it_is_fluent(dojo: Dojo) -> None:
    """The Leitner arm of the scheduler flag: a miss comes back set after set until it is
    right twice in a row (FSRS rests a right answer until another day: test_fsrs_sets)."""
    s = dojo.standin
    await flags.set_percent(dojo.db, SCHEDULER, 0, dojo.clock())
    dojo.clock.advance(flags.REFRESH_MS)
    learner = await s.user(603, "Sora")
    target = "7 × 8"
    seen_in_sets = []
    # Keep missing 7 × 8 until it has come up in two sets, answering the rest right and fast.
    for _ in range(10):
        await s.send_text(learner, f"/start {MUL}-d102")
        first = await s.next_message(learner)
        await s.settle()
        asked, _last = await answer_set(dojo, learner, first, {target})
        seen_in_sets.append(asked.count(target))
        # up to MAX_COPIES planned copies, each back at most twice; the set grows by ≤ 10
        assert asked.count(target) <= 9
        assert len(asked) <= 25 + 10
        if sum(1 for n in seen_in_sets if n) == 2:
            break
        dojo.clock.advance(3_600_000)
    missed_at = len(seen_in_sets)
    assert seen_in_sets[-1] >= 1
    photo = await progress_map(dojo, learner)
    missed = cell_colour(photo.file_bytes or b"", 7, 8)
    assert missed == await recall_shade(dojo, 603, "mul 7 8")
    assert missed[0] > missed[1]  # red or amber: a fact the model expects to slip
    assert_map_agrees(photo)
    assert "due for review today" in photo.plain_text
    # Now the learner knows it: the next set brings it back first, until it is fluent.
    for attempt in range(3):
        dojo.clock.advance(3_600_000)
        await s.send_text(learner, f"/start {MUL}-d102")
        first = await s.next_message(learner)
        await s.settle()
        asked, _last = await answer_set(dojo, learner, first)
        if attempt == 0:
            assert target in asked  # a missed fact leads the next set
        memory = await fetchone(
            dojo.db,
            "SELECT last_right, prev_right FROM fact_memory"
            " WHERE user_id = 603 AND fact = 'mul 7 8'"
        )
        assert memory is not None
        if tuple(memory) == (1, 1):
            break
    assert memory is not None
    assert tuple(memory) == (1, 1)
    photo = await progress_map(dojo, learner)
    assert cell_colour(photo.file_bytes or b"", 7, 8) == await recall_shade(dojo, 603,
                                                                            "mul 7 8")
    assert re.match(r"\d+ of 64 facts fluent · \d+ due for review today", photo.plain_text)
    assert_map_agrees(photo)
    assert missed_at >= 1


async def test_a_teacher_sees_the_class_weakest_facts(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    for learner in (k.aiko, k.ben):
        await s.send_text(learner, "/join", chat=k.group)  # confirmed on one shared notice
        await until(partial(is_member, dojo.db, GROUP_ID, learner.id), "joined")
        # everyone misses 7 × 8 whenever it comes, across two sets
        for _ in range(2):
            await s.send_text(learner, f"/start {MUL}-d102")
            first = await s.next_message(learner)
            await s.settle()
            await answer_set(dojo, learner, first, {"7 × 8", "8 × 7"})
    notice = await s.next_message(k.group)  # both joins share one notice
    assert notice.plain_text.startswith("✋ Joined the class: Aiko, Ben.")
    await s.set_admins(k.group, k.teacher, [])
    photo = await in_group(dojo, k.teacher, "/board facts", k.group)
    assert photo.kind == "photo"
    assert "Multiplication" in photo.plain_text
    assert "members" in photo.plain_text
    weakest = photo.plain_text.split("weakest: ", 1)[1]
    assert "(0%)" in weakest
    assert "Aiko" not in photo.plain_text
    assert "Ben" not in photo.plain_text
    # Only admins: a member asking gets the board's one-line refusal.
    refusal = await in_group(dojo, k.aiko, "/board facts", k.group)
    assert refusal.kind == "text"
    assert "admins" in refusal.plain_text


async def test_pace_takes_three_six_or_twelve(dojo: Dojo, standin: BotApiStandIn) -> None:
    learner = await standin.user(604, "Yuki")
    for bad in ("0", "-3", "fast", "6 12", "٣"):
        await standin.send_text(learner, f"/pace {bad}")
        reply = await standin.next_message(learner)
        assert reply.plain_text == "Your pace must be 3, 6 or 12 seconds, for example /pace 6."
    await standin.send_text(learner, "/pace")
    assert "Your pace is 3 s" in (await standin.next_message(learner)).plain_text
    await standin.send_text(learner, "/pace 6")
    assert "Your pace is 6 s" in (await standin.next_message(learner)).plain_text
    await standin.settle()
    row = await dojo_pace(standin, learner, dojo)
    assert row == 6000
    await standin.send_text(learner, "/help")
    help_text = (await standin.next_message(learner)).plain_text
    assert "fluent when your last answer was right within your pace" in help_text


async def dojo_pace(standin: BotApiStandIn, learner: User, dojo: Dojo) -> int:
    row = await fetchone(dojo.db, 'SELECT pace_ms FROM "user" WHERE user_id = ?', (learner.id,))
    assert row is not None
    return int(row[0])


async def test_the_stage_line_says_when_the_accuracy_floor_holds_back(dojo: Dojo) -> None:
    s = dojo.standin
    learner = await s.user(605, "Hana")
    await s.send_text(learner, "/start math-arithmetic-addition-d102")
    message = await s.next_message(learner)
    await s.settle()
    await execute(
        dojo.db,
        "UPDATE user_progress SET reps_in_stage = 995 WHERE user_id = 605"
    )
    for i in range(10):
        _, _, question = current_question(message)
        dojo.clock.advance(FAST_MS)
        value = solve(question)
        await s.send_text(learner, str(value if i % 2 else value + 1))
        message = await s.next_message(learner)
        await s.settle()
    assert "Hatsu 初 ▓▓▓▓▓▓▓▓▓▓ 1005/1000 reps · 50% right over your last 10 · 90% needed" \
        in message.plain_text


async def test_imported_history_shows_in_progress(dojo: Dojo) -> None:
    s = dojo.standin
    learner = await s.user(606, "Taro")
    await s.send_text(learner, "/help")
    await s.next_message(learner)
    await s.settle()
    await executemany(
        dojo.db,
        "INSERT INTO session (user_id, topic_id, stage_id, start_time, end_time, total_reps,"
        " accuracy, avg_response_time, median_response_time, is_estimate)"
        " VALUES (606, 1, 2, ?, ?, ?, 1.0, 2000, 2000, 1)",
        [(1_700_000_000_000, 1_700_000_100_000, 40), (1_700_100_000_000, 1_700_100_100_000, 60)],
    )
    await execute(
        dojo.db,
        "INSERT INTO user_progress (user_id, topic_id, stage_id, stage_started_at)"
        " VALUES (606, 1, 2, 0)"
    )
    await s.send_text(learner, "/progress")
    report = await s.next_message(learner)
    await s.settle()
    assert "No answers yet" not in report.plain_text
    assert "Addition · Shu 守" in report.plain_text
    assert "Imported from the old app: 2 sessions · 100 reps" in report.plain_text


async def test_fsrs_sets_rest_what_was_right_and_review_what_is_due_today(dojo: Dojo) -> None:
    """FSRS, the arm of a fresh install: a fact answered right waits for another day, and a
    fact due at any time of the learner's day leads that day's first set."""
    s = dojo.standin
    learner = await s.user(605, "Hana")
    dojo.clock.now_ms = DAY_MS * 20_000 + 8 * HOUR_MS  # 08:00 UTC
    await s.send_text(learner, f"/start {MUL}-d102")
    first = await s.next_message(learner)
    await s.settle()
    morning, _last = await answer_set(dojo, learner, first, pause_ms=2500)  # within 3 s
    assert len(set(morning)) == 25
    # The same evening: every fact of the morning rests; 39 others are still new.
    dojo.clock.advance(10 * HOUR_MS)
    await s.send_text(learner, f"/start {MUL}-d102")
    first = await s.next_message(learner)
    await s.settle()
    evening, _last = await answer_set(dojo, learner, first, pause_ms=2500)
    assert not set(morning) & set(evening)
    # Two days later at 07:55: the 50 facts fall due from 08:00 and 18:00 on, after the set
    # is built, and still lead it: due means due on the learner's day.
    dojo.clock.now_ms = DAY_MS * 20_002 + 8 * HOUR_MS - 5 * 60_000
    later = await fetchall(
        dojo.db, "SELECT count(*) FROM fact_card WHERE user_id = 605 AND due_at > ?",
        (dojo.clock(),),
    )
    assert later[0][0] == 50  # none is due to the minute yet
    await s.send_text(learner, f"/start {MUL}-d102")
    first = await s.next_message(learner)
    await s.settle()
    asked, _last = await answer_set(dojo, learner, first, pause_ms=2500)
    assert set(asked[:15]) <= set(morning) | set(evening)  # 15 due reviews lead...
    assert not set(asked[15:25]) & (set(morning) | set(evening))  # ... and 10 new follow
