"""Who is in a class: group membership decides joining, leaving the group leaves the class,
a demoted admin loses the board at once, and a class can be deleted (by its admins, or 90
days after its group removed the bot)."""

from __future__ import annotations

from functools import partial

from dojobot.jobs.class_boards import RETENTION_JOB, delete_abandoned_classes
from dojobot.storage import classes as store
from dojobot.transport.context import DojoContext
from tests.support.classes import GROUP_ID, in_group, make_class, toast
from tests.support.dojo import Dojo
from tests.support.waiting import until

DAY_MS = 24 * 60 * 60_000


async def test_join_button_accepts_group_members_only(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    # A public group's post is visible (and its buttons pressable) to people not in it.
    outsider = await s.user(777, "Eve")
    qid = await s.press(outsider, "✋ Join the class", message_id=k.welcome.message_id,
                        chat=k.group)
    await s.settle()
    assert s.callback_answers[qid]["text"] == (
        "Only members of this group can join its class: join the group first."
    )
    assert not await store.is_member(dojo.db, GROUP_ID, outsider.id)
    await s.join_group(k.group, outsider)
    qid = await s.press(outsider, "✋ Join the class", message_id=k.welcome.message_id,
                        chat=k.group)
    await s.settle()
    assert s.callback_answers[qid]["text"].startswith("✋ You joined 7A Maths!")


async def test_leaving_or_removal_from_the_group_leaves_the_class(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)  # the bot is a plain member: it sees service messages
    for learner in (k.aiko, k.ben):
        await s.send_text(learner, "/join", chat=k.group)  # confirmed on one shared notice
        await until(partial(store.is_member, dojo.db, GROUP_ID, learner.id), "joined")
    await s.next_message(k.group)  # the join notice both joins share
    await s.leave_group(k.group, k.aiko)
    await s.settle()
    assert not await store.is_member(dojo.db, GROUP_ID, k.aiko.id)
    assert await store.is_member(dojo.db, GROUP_ID, k.ben.id)
    board = await in_group(dojo, k.teacher, "/leaderboard", k.group)
    assert "Aiko" not in board.plain_text

    # An admin bot also gets chat_member updates: a removal by an admin counts too, even
    # where the group hides its service messages.
    group = await s.group(-4002, "Chess Club")
    await s.set_admins(group, k.teacher, [])
    await s.join_group(group, k.ben)
    await s.add_bot_to_group(group, k.teacher, as_admin=True)
    await s.next_message(group)
    await in_group(dojo, k.ben, "/join", group)
    await s.leave_group(group, k.ben, removed_by=k.teacher, service_message=False)
    await s.settle()
    assert not await store.is_member(dojo.db, -4002, k.ben.id)
    # /leave still works.
    reply = await in_group(dojo, k.ben, "/leave", k.group)
    assert reply.plain_text.startswith("You left the class")


async def test_a_demoted_admin_loses_the_board_at_once(dojo: Dojo) -> None:
    s = dojo.standin
    teacher = await s.user(900, "Ms Tanaka")
    helper = await s.user(901, "Mr Sato")
    group = await s.group(GROUP_ID, "7A Maths")
    await s.set_admins(group, teacher, [helper])
    await s.add_bot_to_group(group, teacher, as_admin=True)
    await s.next_message(group)
    panel = await in_group(dojo, helper, "/board", group)
    assert panel.plain_text.startswith("⚙️")
    await s.demote_admin(group, helper, teacher)
    await s.settle()
    refused = await in_group(dojo, helper, "/board weekly off", group)
    assert refused.plain_text == "Only this group's admins can change the board."
    cls = await store.get_class(dojo.db, GROUP_ID)
    assert cls is not None
    assert cls.weekly_post


async def test_a_demoted_admin_cannot_delete_the_class_within_the_cache(dojo: Dojo) -> None:
    s = dojo.standin
    teacher = await s.user(900, "Ms Tanaka")
    helper = await s.user(901, "Mr Sato")
    group = await s.group(GROUP_ID, "7A Maths")
    await s.set_admins(group, teacher, [helper])
    await s.add_bot_to_group(group, teacher)  # not an admin: no member update on demotion
    await s.next_message(group)
    panel = await in_group(dojo, helper, "/board", group)
    await s.press(helper, "🗑 Delete the class", message_id=panel.message_id, chat=group)
    await s.settle()
    await s.demote_admin(group, helper, teacher)
    await s.settle()
    dojo.clock.advance(11_000)  # well within the 5-minute rights cache
    qid = await s.press(helper, "🗑 Delete for good", message_id=panel.message_id, chat=group)
    assert await toast(s, qid) == "Only this group's admins can change the board."
    await s.settle()
    assert await store.get_class(dojo.db, GROUP_ID) is not None
    # The owner still can.
    qid = await s.press(teacher, "🗑 Delete for good", message_id=panel.message_id, chat=group)
    assert await toast(s, qid) == "Class deleted."
    assert await store.get_class(dojo.db, GROUP_ID) is None


async def test_admins_delete_the_class_from_the_board(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await in_group(dojo, k.aiko, "/join", k.group)
    await in_group(dojo, k.teacher, "/board period month", k.group)
    panel = await in_group(dojo, k.teacher, "/board", k.group)
    # A learner can't.
    qid = await s.press(k.aiko, "🗑 Delete the class", message_id=panel.message_id, chat=k.group)
    assert await toast(s, qid) == "Only this group's admins can change the board."
    await s.settle()
    # Ask, cancel, ask again, confirm.
    await s.press(k.teacher, "🗑 Delete the class", message_id=panel.message_id, chat=k.group)
    await s.settle()
    asked = s.messages(k.group)[-1]
    assert asked.message_id == panel.message_id
    assert asked.plain_text.startswith("🗑 Delete the class 7A Maths?")
    await s.press(k.teacher, "Cancel", message_id=panel.message_id, chat=k.group)
    await s.settle()
    assert await store.get_class(dojo.db, GROUP_ID) is not None
    await s.press(k.teacher, "🗑 Delete the class", message_id=panel.message_id, chat=k.group)
    await s.settle()
    data = s.messages(k.group)[-1].flat_buttons[0].callback_data
    assert data is not None
    qid = await s.press(k.teacher, "🗑 Delete for good", message_id=panel.message_id,
                        chat=k.group)
    assert await toast(s, qid) == "Class deleted."
    await s.settle()
    assert s.messages(k.group)[-1].plain_text.startswith("🗑 The class is deleted")
    assert await store.get_class(dojo.db, GROUP_ID) is None
    assert await store.member_count(dojo.db, GROUP_ID) == 0
    # The same confirmation again changes nothing.
    again = await s.press_data(k.teacher, k.group, panel.message_id, data)
    assert (await toast(s, again)).startswith("That button is no longer valid")
    await s.settle()
    # A new class starts from scratch, with default settings.
    await s.send_text(k.aiko, "/join", chat=k.group)
    await until(lambda: store.is_member(dojo.db, GROUP_ID, k.aiko.id), "joined again")
    cls = await store.get_class(dojo.db, GROUP_ID)
    assert cls is not None
    assert cls.period == "week"


async def test_a_class_whose_group_removed_the_bot_goes_after_90_days(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await in_group(dojo, k.aiko, "/join", k.group)
    back = await s.group(-4002, "Chess Club")
    await s.set_admins(back, k.teacher, [])
    await s.add_bot_to_group(back, k.teacher)
    await s.next_message(back)
    for group in (k.group, back):
        await s.remove_bot_from_group(group, k.teacher)
    await s.settle()
    [job] = dojo.app.job_queue.get_jobs_by_name(RETENTION_JOB)  # type: ignore[union-attr]

    async def run_job() -> None:
        await delete_abandoned_classes(DojoContext.from_job(job, dojo.app))

    dojo.clock.advance(89 * DAY_MS)
    await run_job()
    assert await store.get_class(dojo.db, GROUP_ID) is not None
    await s.add_bot_to_group(back, k.teacher)  # added back in time: kept
    await s.next_message(back)
    await s.settle()
    dojo.clock.advance(2 * DAY_MS)
    await run_job()
    assert await store.get_class(dojo.db, GROUP_ID) is None
    assert await store.member_count(dojo.db, GROUP_ID) == 0
    assert await store.get_class(dojo.db, -4002) is not None
