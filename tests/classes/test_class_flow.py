"""A class through the real bot over HTTP: a group, its admin and two learners."""

from __future__ import annotations

import csv
import io
import statistics
from functools import partial

from dojobot.handlers.classes.common import ADMIN_TTL_MS
from dojobot.handlers.classes.group import GROUP_ONLY
from dojobot.storage import classes as store
from tests.support.classes import (
    GROUP_ID,
    SUNDAY_EVENING_MS,
    in_group,
    join_both,
    make_class,
    practise,
    run_weekly_job,
    toast,
)
from tests.support.db import fetchall
from tests.support.dojo import Dojo
from tests.support.waiting import until


async def test_welcome_join_practise_and_leaderboard(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    assert "Hello, 7A Maths!" in k.welcome.plain_text
    assert [b.text for b in k.welcome.flat_buttons] == ["✋ Join the class", "🥋 Practise"]
    assert k.welcome.flat_buttons[1].url == "https://t.me/DojoSandboxBot?start=join-n4001"
    await join_both(dojo, k)
    again = await s.press(k.aiko, "✋ Join the class", message_id=k.welcome.message_id,
                          chat=k.group)
    assert (await toast(s, again)).startswith("You are already in 7A Maths")
    await s.settle()

    await practise(dojo, k.aiko, [(True, 1200), (True, 2000), (False, 3000), (True, 900)])
    await practise(dojo, k.ben, [(True, 1500), (True, 2500), (True, 4000), (True, 800)])
    carl = await s.user(503, "Carl")  # practises a lot, never joins
    await practise(dojo, carl, [(True, 500)] * 6)

    board = await in_group(dojo, k.aiko, "/leaderboard", k.group)
    lines = board.plain_text.splitlines()
    assert lines[0] == "🏆 7A Maths · this week (Nov 24\u2009–\u200930, 2025) · all topics"
    assert lines[1] == "🥇 Ben · 4 right of 4 · 100% · 2.0 s"
    assert lines[2] == "🥈 Aiko · 3 right of 4 · 75% · 1.6 s"
    assert "Carl" not in board.plain_text
    assert lines[-1] == "2 of 2 members practised."
    # The numbers are the attempts' own.
    for user, line in ((k.ben, lines[1]), (k.aiko, lines[2])):
        rows = await fetchall(
            dojo.db,
            "SELECT correct, response_ms FROM attempt WHERE user_id = ?", (user.id,)
        )
        right = sum(r["correct"] for r in rows)
        median_s = statistics.median(r["response_ms"] for r in rows) / 1000
        assert f"{right} right of {len(rows)}" in line
        assert f"{median_s:.1f} s" in line
    # Privacy mode: the command addressed to the bot by name works too.
    named = await in_group(dojo, k.ben, "/leaderboard@DojoSandboxBot", k.group)
    assert named.plain_text.splitlines()[1] == lines[1]
    outsider = await in_group(dojo, carl, "/leaderboard", k.group)
    assert "You are not on this board: /join to take part." in outsider.plain_text


async def test_caller_below_the_top_ten_sees_their_rank(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    learners = [await s.user(600 + i, f"Learner{i:02d}") for i in range(12)]
    for i, learner in enumerate(learners):
        await s.send_text(learner, "/join", chat=k.group)  # confirmed on one shared notice
        await until(partial(store.is_member, dojo.db, GROUP_ID, learner.id), "joined")
        await practise(dojo, learner, [(True, 1000)] * (12 - i) + [(False, 1000)])
    await s.send_text(learners[11], "/leaderboard", chat=k.group)
    await until(lambda: "members practised" in s.messages(k.group)[-1].plain_text, "the board")
    board = s.messages(k.group)[-1]
    rows = [line for line in board.plain_text.splitlines() if " right of " in line]
    assert len(rows) == 11  # ten on the board, then the caller's own
    assert rows[0].startswith("🥇 Learner00 · 12 right of 13")
    assert rows[9].startswith("10. Learner09")
    assert "You: 12. Learner11 · 1 right of 2 · 50% · 1.0 s" in board.plain_text
    assert "12 of 12 members practised." in board.plain_text


async def test_only_admins_change_the_board(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await join_both(dojo, k)
    refusal = await in_group(dojo, k.ben, "/board", k.group)
    assert refusal.plain_text == "Only this group's admins can change the board."
    assert refusal.buttons == []
    panel = await in_group(dojo, k.teacher, "/board", k.group)
    assert "Period: this week" in panel.plain_text
    # A member presses the admin's button: nothing changes.
    qid = await s.press(k.ben, "Month", message_id=panel.message_id, chat=k.group)
    await s.settle()
    assert s.callback_answers[qid]["text"] == "Only this group's admins can change the board."
    cls = await store.get_class(dojo.db, GROUP_ID)
    assert cls is not None
    assert cls.period == "week"
    # Forged data naming another group, pressed by the admin on this group's panel.
    other = await s.group(-5005, "Other class")
    await s.set_admins(other, k.teacher, [])
    await s.add_bot_to_group(other, k.teacher)
    await s.next_message(other)
    forged = await s.press_data(k.teacher, k.group, panel.message_id, "brd:-5005:p:all")
    garbage = await s.press_data(k.teacher, k.group, panel.message_id, "brd:xyz:p:all")
    await s.settle()
    assert "another group" in s.callback_answers[forged]["text"]
    assert "no longer valid" in s.callback_answers[garbage]["text"]
    for chat_id in (GROUP_ID, -5005):
        cls = await store.get_class(dojo.db, chat_id)
        assert cls is not None
        assert cls.period == "week"
    assert s.unanswered_callback_queries() == []


async def test_admin_settings_and_the_admin_cache(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await join_both(dojo, k)
    await practise(dojo, k.aiko, [(True, 1000)] * 3)
    panel = await in_group(dojo, k.teacher, "/board", k.group)
    await s.press(k.teacher, "Month", message_id=panel.message_id, chat=k.group)
    edited = await s.wait_for_edit(k.group, panel.message_id)
    assert "Period: this month" in edited.plain_text
    assert "✓ Month" in [b.text for b in edited.flat_buttons]
    await s.press(k.teacher, "🎯 Topic: all topics", message_id=panel.message_id, chat=k.group)
    topics = await s.wait_for_edit(k.group, panel.message_id)
    assert "✓ All topics" in [b.text for b in topics.flat_buttons]
    await s.press(k.teacher, "Multiplication", message_id=panel.message_id, chat=k.group)
    back = await s.wait_for_edit(k.group, panel.message_id)
    assert "Topic: Multiplication" in back.plain_text
    await s.press(k.teacher, "🔔 Weekly post: on", message_id=panel.message_id, chat=k.group)
    off = await s.wait_for_edit(k.group, panel.message_id)
    assert "Weekly final board: off" in off.plain_text
    await s.settle()
    cls = await store.get_class(dojo.db, GROUP_ID)
    assert cls is not None
    assert (cls.period, cls.topic_id, cls.weekly_post) == ("month", 3, False)
    # Aiko practised Addition only: the Multiplication board of the month is empty.
    board = await in_group(dojo, k.aiko, "/leaderboard", k.group)
    assert board.plain_text.splitlines()[0] == "🏆 7A Maths · November 2025 · Multiplication"
    assert "No answers yet." in board.plain_text
    assert "You have no answers in this period yet." in board.plain_text

    bad = await in_group(dojo, k.teacher, "/board timezone Mars/Olympus", k.group)
    assert bad.plain_text.startswith("I don't know the timezone Mars/Olympus.")
    # The same inputs as a learner's /timezone: cities with spaces and UTC offsets too.
    offset = await in_group(dojo, k.teacher, "/board timezone +05:30", k.group)
    assert offset.plain_text == "Timezone set to UTC+05:30."
    city = await in_group(dojo, k.teacher, "/board timezone New York", k.group)
    assert city.plain_text == "Timezone set to America/New_York."
    good = await in_group(dojo, k.teacher, "/board timezone europe/berlin", k.group)
    assert good.plain_text == "Timezone set to Europe/Berlin."
    usage = await in_group(dojo, k.teacher, "/board frobnicate", k.group)
    assert usage.plain_text.startswith("Usage: /board")
    cls = await store.get_class(dojo.db, GROUP_ID)
    assert cls is not None
    assert cls.timezone == "Europe/Berlin"
    # Eight admin actions, one getChatMember: the answer is cached for a few minutes.
    def admin_checks() -> int:
        return len([c for c in s.calls_of("getChatMember") if c.params["user_id"] == 900])

    assert admin_checks() == 1
    dojo.clock.advance(6 * 60_000)
    await in_group(dojo, k.teacher, "/board", k.group)
    assert admin_checks() == 2


async def test_weekly_post_once_per_week_in_group_time(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await join_both(dojo, k)
    await practise(dojo, k.aiko, [(True, 1000), (True, 3000)])
    await practise(dojo, k.ben, [(True, 2000)])
    posted_before = len(s.messages(k.group))
    dojo.clock.now_ms = SUNDAY_EVENING_MS - 31 * 60_000  # Sunday 17:59 UTC: too early
    await run_weekly_job(dojo)
    assert len(s.messages(k.group)) == posted_before
    dojo.clock.now_ms = SUNDAY_EVENING_MS
    await run_weekly_job(dojo)
    post = s.messages(k.group)[-1]
    lines = post.plain_text.splitlines()
    assert lines[0] == "🏁 Final board of the week · 7A Maths"
    assert lines[1] == "Nov 24\u2009–\u200930, 2025 · all topics"
    assert lines[2] == "🥇 Aiko · 2 right of 2 · 100% · 2.0 s"
    assert lines[3] == "🥈 Ben · 1 right of 1 · 100% · 2.0 s"
    count = len(s.messages(k.group))
    # Again the same evening, and with the in-memory state gone as after a restart.
    dojo.clock.advance(60_000)
    await run_weekly_job(dojo)
    assert len(s.messages(k.group)) == count
    # A quiet week posts nothing.
    dojo.clock.advance(7 * 24 * 3_600_000)
    await run_weekly_job(dojo)
    assert len(s.messages(k.group)) == count


async def test_weekly_post_follows_the_groups_timezone(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await join_both(dojo, k)
    await practise(dojo, k.aiko, [(True, 1000)])
    await in_group(dojo, k.teacher, "/board timezone Asia/Tokyo", k.group)
    count = len(s.messages(k.group))
    dojo.clock.now_ms = SUNDAY_EVENING_MS  # Monday 03:30 in Tokyo: the week is over
    await run_weekly_job(dojo)
    assert len(s.messages(k.group)) == count
    dojo.clock.now_ms = SUNDAY_EVENING_MS - 9 * 3_600_000  # Sunday 18:30 in Tokyo
    await run_weekly_job(dojo)
    assert s.messages(k.group)[-1].plain_text.startswith("🏁 Final board of the week")


async def test_export_goes_to_the_admin_privately(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await join_both(dojo, k)
    await practise(dojo, k.aiko, [(True, 1000), (False, 2000), (True, 4000)])
    await s.send_text(k.ben, "/nickname =Ben<3")
    await s.next_message(k.ben)
    # The teacher never opened a private chat: the group gets a note, never the file.
    note = await in_group(dojo, k.teacher, "/board export", k.group)
    assert "I can't message you until you open a chat with me" in note.plain_text
    [button] = note.flat_buttons
    assert button.url == "https://t.me/DojoSandboxBot?start=exp-n4001"
    assert all(m.kind != "document" for m in s.messages(k.group))
    await s.send_text(k.teacher, "/start exp-n4001")
    document = await s.next_message(k.teacher)
    menu = await s.next_message(k.teacher)
    assert menu.plain_text.startswith("📄 Above: the export of 7A Maths.")
    assert document.kind == "document"
    assert document.file_name == "dojobot-7A-Maths-week-2025-11-24.csv"
    assert document.file_bytes is not None
    rows = list(csv.reader(io.StringIO(document.file_bytes.decode("utf-8-sig"))))
    assert rows == [
        ["rank", "name", "reps", "correct", "accuracy_percent", "median_ms", "stage: Addition"],
        ["1", "Aiko", "3", "2", "66.7", "2000", "Hatsu"],
        ["", "'=Ben<3", "0", "0", "", "", ""],
    ]
    # Now that the chat exists, the export goes straight there.
    confirm = await in_group(dojo, k.teacher, "/board export", k.group)
    assert confirm.plain_text == "📄 Sent you the export in our private chat."
    assert (await s.next_message(k.teacher)).kind == "document"
    # A member can't use the export link.
    await s.send_text(k.ben, "/start exp-n4001")
    refused = await s.next_message(k.ben)
    assert refused.plain_text.startswith("That export link works for the group's admins only.")
    assert all(m.kind != "document" for m in s.messages(k.ben))


async def test_the_export_button_is_answered_before_the_group_note(dojo: Dojo) -> None:
    """The note to the group may wait for the group's 20 messages a minute; Telegram refuses
    an answer to a tap after 15 s, so the tap is answered first (before, it came last)."""
    s = dojo.standin
    k = await make_class(dojo)
    panel = await in_group(dojo, k.teacher, "/board", k.group)
    s.calls.clear()
    qid = await s.press(k.teacher, "📄 Export CSV", message_id=panel.message_id, chat=k.group)
    assert await toast(s, qid) == "Open a chat with me first: see the button I posted."
    await s.settle()
    order = [c.method for c in s.calls if c.method in ("answerCallbackQuery", "sendMessage")]
    assert order == ["answerCallbackQuery", "sendMessage"], order
    assert "I can't message you" in s.messages(k.group)[-1].plain_text


async def test_an_admin_check_that_could_not_reach_telegram_is_asked_again(
    dojo: Dojo,
) -> None:
    """A refused lookup (a forged chat) is kept as a no for half a minute; one that never
    reached Telegram was kept too, so a real admin was refused for 30 s after a blip."""
    s = dojo.standin
    k = await make_class(dojo)
    dojo.clock.advance(ADMIN_TTL_MS + 1)  # the teacher's verdict is asked again
    s.fail_next("getChatMember", 502, "Bad Gateway")
    refused = await in_group(dojo, k.teacher, "/board", k.group)
    assert refused.plain_text == "Only this group's admins can change the board."
    panel = await in_group(dojo, k.teacher, "/board", k.group)
    assert panel.plain_text.startswith("⚙️"), panel.plain_text


async def test_chart_of_the_top_ten(dojo: Dojo) -> None:
    k = await make_class(dojo)
    empty = await in_group(dojo, k.teacher, "/board chart", k.group)
    assert empty.plain_text == "No answers on the board yet: nothing to chart."
    await join_both(dojo, k)
    await practise(dojo, k.aiko, [(True, 1000), (True, 2000)])
    await practise(dojo, k.ben, [(True, 3000)])
    chart = await in_group(dojo, k.teacher, "/board chart", k.group)
    assert chart.kind == "photo"
    assert chart.file_bytes is not None
    assert chart.file_bytes.startswith(b"\x89PNG")
    assert chart.plain_text.startswith("🏆 7A Maths · this week")


async def test_supergroup_migration_moves_the_class(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await join_both(dojo, k)
    await practise(dojo, k.aiko, [(True, 1000)])
    await in_group(dojo, k.teacher, "/board period month", k.group)
    supergroup = await s.migrate_to_supergroup(k.group, -1004001)
    await s.settle()
    assert await store.get_class(dojo.db, GROUP_ID) is None
    cls = await store.get_class(dojo.db, -1004001)
    assert cls is not None
    assert cls.period == "month"
    assert cls.active
    assert await store.member_count(dojo.db, -1004001) == 2
    board = await in_group(dojo, k.ben, "/leaderboard", supergroup)
    assert board.plain_text.splitlines()[:2] == [
        "🏆 7A Maths · November 2025 · all topics", "🥇 Aiko · 1 right of 1 · 100% · 1.0 s",
    ]
    assert "You have no answers in this period yet." in board.plain_text
    # The old group's welcome button no longer joins anything.
    carl = await s.user(503, "Carl")
    stale = await s.press_data(carl, k.group, k.welcome.message_id, f"cls:join:{GROUP_ID}")
    await s.settle()
    assert s.callback_answers[stale]["text"].startswith("This button is out of date")
    assert await store.get_class(dojo.db, GROUP_ID) is None


async def test_bot_removed_and_added_back(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await join_both(dojo, k)
    await practise(dojo, k.aiko, [(True, 1000)])
    await s.remove_bot_from_group(k.group, k.teacher)
    await s.settle()
    cls = await store.get_class(dojo.db, GROUP_ID)
    assert cls is not None
    assert not cls.active
    dojo.clock.now_ms = SUNDAY_EVENING_MS
    calls = len(s.calls_of("sendMessage"))
    await run_weekly_job(dojo)
    assert len(s.calls_of("sendMessage")) == calls  # nothing posted, nothing tried
    await s.add_bot_to_group(k.group, k.teacher)
    back = await s.next_message(k.group)
    assert back.plain_text.startswith(
        "🥋 Back in 7A Maths. The class is as you left it: 2 members."
    )
    await s.settle()
    assert len([m for m in s.messages(k.group) if "Back in" in m.plain_text]) == 1
    await run_weekly_job(dojo)
    assert s.messages(k.group)[-1].plain_text.startswith("🏁 Final board of the week")


async def test_a_403_on_send_marks_the_class_inactive(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await join_both(dojo, k)
    s.fail_next("sendMessage", 403, "Forbidden: bot was kicked from the group chat")
    await s.send_text(k.aiko, "/leaderboard", chat=k.group)
    await s.settle()
    cls = await store.get_class(dojo.db, GROUP_ID)
    assert cls is not None
    assert not cls.active


async def test_group_commands_in_private_and_nicknames(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    for command in ("/leaderboard", "/board", "/join", "/leave"):
        await s.send_text(k.aiko, command)
        assert (await s.next_message(k.aiko)).plain_text == GROUP_ONLY
    await join_both(dojo, k)
    await s.send_text(k.aiko, "/nickname")
    assert "Class boards show your first name, Aiko." in (await s.next_message(k.aiko)).plain_text
    await s.send_text(k.aiko, "/nickname " + "x" * 40)
    assert (await s.next_message(k.aiko)).plain_text.startswith("That is 40 characters")
    await s.send_text(k.aiko, "/nickname <b>Ninja</b> & co")
    done = await s.next_message(k.aiko)
    assert done.plain_text == "Done: class boards show you as <b>Ninja</b> & co."
    await practise(dojo, k.aiko, [(True, 1000)])
    board = await in_group(dojo, k.ben, "/leaderboard", k.group)
    assert "🥇 <b>Ninja</b> & co · 1 right of 1" in board.plain_text
    assert "Aiko" not in board.plain_text
    await s.send_text(k.aiko, "/nickname off")
    assert (await s.next_message(k.aiko)).plain_text.startswith("Done: class boards show your")
    board = await in_group(dojo, k.ben, "/leaderboard", k.group)
    assert "🥇 Aiko" in board.plain_text
    hint = await in_group(dojo, k.ben, "/nickname Secret", k.group)
    assert hint.plain_text.startswith("Choose your nickname in our private chat")
    assert await store.get_nickname(dojo.db, k.ben.id) is None
    left = await in_group(dojo, k.ben, "/leave", k.group)
    assert left.plain_text.startswith("You left the class")
    assert not await store.is_member(dojo.db, GROUP_ID, k.ben.id)


async def test_deep_link_joins_members_of_the_group_only(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await s.send_text(k.ben, "hello everyone", chat=k.group)  # Ben is in the group
    await s.send_text(k.ben, "/start join-n4001")
    joined = await s.next_message(k.ben)
    assert joined.plain_text.startswith("✋ You joined 7A Maths: your answers now count")
    assert "Pick a field to practise." in joined.plain_text
    stranger = await s.user(777, "Eve")
    await s.send_text(stranger, "/start join-n4001")
    refused = await s.next_message(stranger)
    # Nothing of the class (its title, or whether it exists) reaches a non-member.
    assert refused.plain_text.startswith("That class link is for members of its Telegram group")
    assert "7A Maths" not in refused.plain_text
    await s.send_text(stranger, "/start join-n999")
    assert (await s.next_message(stranger)).plain_text.startswith(
        "That class link is for members of its Telegram group"
    )
    assert await store.is_member(dojo.db, GROUP_ID, k.ben.id)
    assert not await store.is_member(dojo.db, GROUP_ID, stranger.id)


async def test_class_links_with_numbers_out_of_range_are_invalid_links(dojo: Dojo) -> None:
    s = dojo.standin
    learner = await s.user(778, "Mallory")
    for payload in ("join-n9999999999999999999", "exp-p99999999999999999999", "join-n00042"):
        await s.send_text(learner, f"/start {payload}")
        reply = await s.next_message(learner)
        assert reply.plain_text.startswith("I didn't recognise that class link"), payload
        assert "Pick a field to practise." in reply.plain_text
