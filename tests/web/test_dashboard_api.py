"""The class dashboard's API over HTTP against the running bot: admins only (by the bot's
cached admin check), current members only, the focus refused on bad input, the CSV the same
as /board export."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo
from telegram.error import BadRequest

from dojobot.storage import focus as focus_store
from tests.support.classes import (
    GROUP_ID,
    in_group,
    join_both,
    make_class,
    practise,
    toast,
)
from tests.support.learner import reply
from tests.support.web import WebDojo

API = f"/api/dashboard/{GROUP_ID}"


# The names the standin's users have: initData carries them, and the bot records them.
NAMES = {900: "Ms Tanaka", 901: "Mr Ito", 501: "Aiko", 502: "Ben", 503: "Carl"}


async def get(web: WebDojo, path: str, user_id: int = 900) -> Any:
    response = await web.http.get(path, headers=web.auth(web.init_data(user_id, NAMES[user_id])))
    return response.status_code, response.json()


async def post(web: WebDojo, path: str, body: object, user_id: int = 900) -> Any:
    headers = {**web.auth(web.init_data(user_id, NAMES[user_id])),
               "Content-Type": "application/json"}
    response = await web.http.post(path, headers=headers, json=body)
    return response.status_code, response.json()


async def test_admin_sees_members_and_others_are_refused(web: WebDojo) -> None:
    dojo = web.dojo
    k = await make_class(dojo)
    await join_both(dojo, k)
    await practise(dojo, k.aiko, [(True, 1200), (False, 2000), (True, 900)])
    carl = await dojo.standin.user(503, "Carl")  # practises, never joins
    await practise(dojo, carl, [(True, 500)])

    status, body = await get(web, API)
    assert status == 200
    assert body["title"] == "7A Maths"
    assert body["labels"]["idle"] == "Not practised this week"
    rows = {r["name"]: r for r in body["members"]}
    assert set(rows) == {"Aiko", "Ben"}
    assert (rows["Aiko"]["reps"], rows["Aiko"]["accuracy_text"]) == (3, "67%")
    assert (rows["Aiko"]["median_text"], rows["Aiko"]["stage_text"]) == ("1.2 s", "Hatsu")
    assert (rows["Aiko"]["week"], rows["Ben"]["week"]) == (True, False)
    assert rows["Aiko"]["streak"] == 1
    # Members × topics: a column per topic practised, a cell per member who has a stage in
    # it or answered in the period.
    assert body["grid_topics"] == [{"id": 1, "sign": "+", "name": "Addition"}]
    assert rows["Aiko"]["topics"] == {
        "1": {"stage": 1, "stage_text": "Hatsu", "reps": 3}
    }
    assert rows["Ben"]["topics"] == {}
    # A cell tapped: the member on that topic with every figure of the period.
    status, cell = await get(web, f"{API}/member/{k.aiko.id}?topic=1&period=week")
    assert status == 200
    assert cell["figures"] == {
        "title": "Addition · this week (Nov 24\u2009–\u200930, 2025)", "stage": "Hatsu",
        "reps": "3", "accuracy": "67%", "median": "1.2 s", "last": "Nov 24", "streak": "1",
    }
    status, no_cell = await get(web, f"{API}/member/{k.aiko.id}?topic=1")
    assert (status, no_cell["figures"]) == (200, None)

    # A member who is not an admin, an outsider, a forged class id: the same refusal.
    refusal = ("This dashboard is for the admins of the class's group. If you run the "
               "group, open /board there and tap 📊 Dashboard.")
    for path, user_id in ((API, k.aiko.id), (API, 503), ("/api/dashboard/-999999", 900),
                          (f"{API}/member/{k.aiko.id}", k.ben.id)):
        assert await get(web, path, user_id) == (403, {"error": refusal}), path
    # A learner of another class, or nobody's: not a member of this one.
    not_member = (404, {"error": "That learner is not a member of this class."})
    assert await get(web, f"{API}/member/503") == not_member
    assert await get(web, f"{API}/member/99999999999999999999") == not_member
    assert (await get(web, f"{API}?period=year"))[0] == 400
    assert (await get(web, f"{API}?topic=99"))[0] == 400

    status, member = await get(web, f"{API}/member/{k.aiko.id}")
    assert status == 200
    assert member["name"] == "Aiko"
    assert [s["reps"] for s in member["sets"]] == ["2 right of 3"]
    assert member["fluency"]["topic_name"] == "Addition"
    assert {c["s"] for c in member["fluency"]["cells"]} >= {"unseen"}

    # Leaving the class ends it: off the table, no member page.
    await in_group(dojo, k.aiko, "/leave", k.group)
    status, body = await get(web, API)
    assert [r["name"] for r in body["members"]] == ["Ben"]
    assert await get(web, f"{API}/member/{k.aiko.id}") == not_member


async def test_focus_set_from_the_dashboard_and_bad_input_refused(web: WebDojo) -> None:
    dojo = web.dojo
    k = await make_class(dojo)
    await join_both(dojo, k)
    status, body = await post(web, f"{API}/focus", {"topic_id": 3, "level_id": 102, "target": 2})
    assert status == 200
    assert body["focus"]["name"] == "Multiplication · Sapling"
    assert body["focus"]["summary"] == "0 of 2 members met it."
    bad = [
        ({"topic_id": 99, "level_id": 102}, "That topic does not exist. Nothing changed."),
        ({"topic_id": 3, "level_id": 999}, "Multiplication has no such level. Nothing changed."),
        ({"topic_id": "3", "level_id": 102}, "That topic does not exist. Nothing changed."),
    ] + [
        ({"topic_id": 1, "level_id": 101, "target": target},
         "The target must be a number of sets from 1 to 20. Nothing changed.")
        for target in (0, -1, 10_000, "3", True, 2.5)
    ]
    for payload, refusal in bad:
        assert await post(web, f"{API}/focus", payload) == (400, {"error": refusal}), payload
    assert (await post(web, f"{API}/focus", {"topic_id": 1, "level_id": 101}, k.aiko.id))[0] == 403
    focus = await focus_store.focus_at(dojo.db, GROUP_ID, dojo.clock())
    assert focus is not None
    assert (focus.topic_id, focus.level_id, focus.target_sets, focus.set_by) == (3, 102, 2, 900)
    # The member sees it in the chat.
    menu = await reply(dojo.standin, k.ben, "/start")
    assert menu.plain_text.startswith(
        "🎯 Your class 7A Maths is practising Multiplication at Sapling this week."
    )
    status, body = await get(web, API)
    assert body["focus"]["each"] == "2 sets each"
    assert [r["focus_sets"] for r in body["members"]] == [0, 0]
    assert await post(web, f"{API}/focus", {"clear": True}) == (
        200, {"focus": None, "message": "This week's focus is cleared."}
    )


async def test_a_demoted_admin_loses_the_dashboard(web: WebDojo) -> None:
    dojo = web.dojo
    s = dojo.standin
    teacher = await s.user(900, "Ms Tanaka")
    helper = await s.user(901, "Mr Ito")
    group = await s.group(GROUP_ID, "7A Maths")
    await s.set_admins(group, teacher, [helper])
    await s.join_group(group, helper)
    await s.add_bot_to_group(group, teacher, as_admin=True)  # so it sees member updates
    await s.next_message(group)
    await s.settle()
    assert (await get(web, API, helper.id))[0] == 200
    await s.demote_admin(group, helper, teacher)
    await s.settle()
    assert (await get(web, API, helper.id))[0] == 403  # at once


async def test_without_the_update_the_cache_holds_five_minutes(web: WebDojo) -> None:
    dojo = web.dojo
    k = await make_class(dojo)  # the bot is a plain member: no chat_member updates
    helper = await dojo.standin.user(901, "Mr Ito")
    await dojo.standin.set_admins(k.group, k.teacher, [helper])
    assert (await get(web, API, helper.id))[0] == 200
    await dojo.standin.demote_admin(k.group, helper, k.teacher)
    dojo.clock.advance(4 * 60_000)
    assert (await get(web, API, helper.id))[0] == 200
    dojo.clock.advance(60_000)
    assert (await get(web, API, helper.id))[0] == 403


async def test_facts_trends_and_the_csv_of_board_export(web: WebDojo) -> None:
    dojo = web.dojo
    s = dojo.standin
    k = await make_class(dojo)
    await join_both(dojo, k)
    await practise(dojo, k.aiko, [(True, 1200), (True, 1100), (False, 2000)])
    status, facts = await get(web, f"{API}/facts?topic=1")
    assert status == 200
    assert facts["topic_name"] == "Addition"
    assert facts["members"] == 2
    # FSRS: a fact answered right at once (under half the 3 s pace) is predicted to be
    # recalled tomorrow; the missed one is not. One of the two members: a share of 50%.
    seen = [c for c in facts["cells"] if c["seen"]]
    assert sorted((c["share"], c["text"]) for c in seen) == [
        (0.0, "0%"), (0.5, "50%"), (0.5, "50%")
    ]
    # Each shaded cell takes a step of /board facts' legend, never a colour between steps.
    legend = [entry["colour"] for entry in facts["legend"]]
    assert [entry["text"] for entry in facts["legend"]] == [
        "no member fluent", "fewer than half fluent", "at least half fluent",
        "every member fluent",
    ]
    assert sorted((c["share"], c["colour"]) for c in seen) == [
        (0.0, legend[0]), (0.5, legend[2]), (0.5, legend[2])
    ]
    status, default = await get(web, f"{API}/facts")
    assert default["topic_name"] == "Multiplication"  # the board counts all topics
    # The page's topic filter at "All topics": the same default grid, not a refusal.
    status, every = await get(web, f"{API}/facts?topic=all")
    assert (status, every["topic_name"]) == (200, "Multiplication")
    status, trends = await get(web, f"{API}/trends")
    assert len(trends["rows"]) == 8
    assert trends["rows"][-1]["reps"] == "3"
    assert trends["rows"][-1]["active"] == "1"
    assert [c["title"] for c in trends["charts"]] == [
        "Reps per week", "Members who practised, per week", "Accuracy per week",
        "Median time per week",
    ]
    assert all("<title>" in c["svg"] for c in trends["charts"])

    # The CSV goes to the admin's private chat, the same file as /board export.
    await reply(s, k.teacher, "/start")
    assert await post(web, f"{API}/export", {"period": "week", "topic": None}) == (
        200, {"message": "📄 Sent to our private chat."}
    )
    from_web = s.messages(k.teacher)[-1]
    await in_group(dojo, k.teacher, "/board export", k.group)
    from_chat = s.messages(k.teacher)[-1]
    assert from_web.kind == from_chat.kind == "document"
    assert from_web.file_bytes == from_chat.file_bytes
    assert from_web.file_name == from_chat.file_name
    assert (await post(web, f"{API}/export", {"period": "decade"}))[0] == 400
    # A period that is not a string at all was a 500 (a list cannot be looked up in a set).
    for period in (["week"], {"week": 1}):
        assert await post(web, f"{API}/export", {"period": period}) == (
            400, {"error": "Unknown period: use week, month or all."}
        )


async def test_forgetme_removes_the_member_from_everything_the_dashboard_reads(
    web: WebDojo,
) -> None:
    dojo = web.dojo
    s = dojo.standin
    k = await make_class(dojo)
    await join_both(dojo, k)
    await practise(dojo, k.aiko, [(True, 1200), (True, 1100)])
    statement = (await reply(s, k.aiko, "/privacy")).plain_text
    assert "Its admins also see your practice on the class dashboard" in statement
    assert "takes you off its board and its dashboard at once" in statement
    assert [r["name"] for r in (await get(web, API))[1]["members"]] == ["Aiko", "Ben"]
    assert any(c["seen"] for c in (await get(web, f"{API}/facts?topic=1"))[1]["cells"])

    ask = await reply(s, k.aiko, "/forgetme")
    qid = await s.press(k.aiko, "🗑 Delete everything", message_id=ask.message_id)
    assert await toast(s, qid) == "Deleted."
    await s.settle()
    overview = (await get(web, API))[1]
    assert [r["name"] for r in overview["members"]] == ["Ben"]
    facts = (await get(web, f"{API}/facts?topic=1"))[1]
    assert facts["members"] == 1
    assert not any(c["seen"] for c in facts["cells"])
    assert (await get(web, f"{API}/trends"))[1]["rows"][-1]["reps"] == "0"
    assert (await get(web, f"{API}/member/{k.aiko.id}"))[0] == 404


async def test_telegram_refuses_a_web_app_button_in_a_group(web: WebDojo) -> None:
    """Why the dashboard's button goes to the admin's private chat: the stand-in refuses it
    in a group as Telegram does."""
    k = await make_class(web.dojo)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(
        "📊", web_app=WebAppInfo(f"{web.base}/dashboard?class=n4001")
    )]])
    with pytest.raises(BadRequest, match=r"(?i)button_type_invalid"):
        await web.dojo.app.bot.send_message(k.group.id, "x", reply_markup=markup)
    web.dojo.standin.calls.clear()  # the refusal was the point, not a bot mistake


async def test_another_class_is_out_of_reach(web: WebDojo) -> None:
    """Two classes side by side: each admin sees their own only, and a member of the other
    class is not a member of this one, whatever the path says."""
    dojo = web.dojo
    s = dojo.standin
    k = await make_class(dojo)
    await join_both(dojo, k)
    helper = await s.user(901, "Mr Ito")
    carl = await s.user(503, "Carl")
    other = await s.group(-4002, "8B Maths")
    await s.set_admins(other, helper, [])
    await s.join_group(other, carl)
    await s.add_bot_to_group(other, helper)
    await s.next_message(other)
    await s.settle()
    assert (await in_group(dojo, carl, "/join", other)).plain_text.startswith(
        "✋ Joined the class: Carl.")
    await practise(dojo, carl, [(True, 800)])

    refused = (403, {"error": "This dashboard is for the admins of the class's group. If "
                              "you run the group, open /board there and tap 📊 Dashboard."})
    assert (await get(web, "/api/dashboard/-4002", 901))[0] == 200
    assert await get(web, "/api/dashboard/-4002", 900) == refused  # not the teacher's class
    assert await get(web, API, 901) == refused
    assert await post(web, "/api/dashboard/-4002/focus",
                      {"topic_id": 1, "level_id": 101}, 900) == refused
    not_member = (404, {"error": "That learner is not a member of this class."})
    assert await get(web, f"{API}/member/503") == not_member
    assert await get(web, f"{API}/member/503?topic=1&period=week") == not_member
    # Carl is in the other class, and only there.
    assert [r["name"] for r in (await get(web, "/api/dashboard/-4002", 901))[1]["members"]] \
        == ["Carl"]
    assert {r["name"] for r in (await get(web, API))[1]["members"]} == {"Aiko", "Ben"}
    # A cell's figures with a period or topic that does not exist: refused.
    assert (await get(web, f"{API}/member/{k.aiko.id}?topic=1&period=year"))[0] == 400
    assert (await get(web, f"{API}/member/{k.aiko.id}?topic=42&period=week"))[0] == 400
    assert await focus_store.focus_at(dojo.db, -4002, dojo.clock()) is None  # nothing set
