"""Buttons act only where they were made, and every tap is answered."""

from __future__ import annotations

from dojobot.handlers.callback_format import PrivateData, formats
from dojobot.handlers.callbacks import WRONG_CHAT
from telegram_standin import BotMessage
from tests.support.classes import GROUP_ID, make_class, practise
from tests.support.db import fetchone
from tests.support.dojo import Dojo

# Every private-chat format, with ids that exist (Math, Arithmetic, Addition, Seedling).
PRIVATE_DATA = [
    "progress", "chart:1", "go:1:101", "nav:f", "nav:f:1", "nav:s:1", "nav:t:1", "topics:1",
    "rem:t:0", "rem:off", "to:1:1", "lang:de", "fgt:keep",
]


def test_every_private_format_is_pressed_in_a_group_below() -> None:
    private = {kind.PREFIX for kind in formats() if issubclass(kind, PrivateData)}
    assert private == {data.split(":")[0] for data in PRIVATE_DATA}


def snapshot(messages: list[BotMessage]) -> list[tuple[int, str, int, list[str | None]]]:
    return [
        (m.message_id, m.text, m.edited, [b.callback_data for b in m.flat_buttons])
        for m in messages
    ]


async def count(dojo: Dojo, table: str) -> int:
    row = await fetchone(dojo.db, f"SELECT COUNT(*) FROM {table}")
    assert row is not None
    return int(row[0])


async def test_private_buttons_pressed_on_a_group_message_show_nothing(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await practise(dojo, k.aiko, [(True, 1000), (False, 2000)])  # private figures to leak
    group_before = snapshot(s.messages(k.group))
    private_before = snapshot(s.messages(k.aiko))
    sessions = await count(dojo, "session")
    taps = {}
    for data in PRIVATE_DATA:
        taps[data] = await s.press_data(k.aiko, k.group, k.welcome.message_id, data)
        await s.settle()
    # Nothing posted into the group, the welcome not rewritten, nothing sent privately
    # either, no set started and no reminder set; each tap told why.
    assert snapshot(s.messages(k.group)) == group_before
    assert {d: s.callback_answers[q].get("text") for d, q in taps.items()} == {
        d: WRONG_CHAT for d in PRIVATE_DATA
    }
    assert snapshot(s.messages(k.aiko)) == private_before
    assert await count(dojo, "session") == sessions
    assert await count(dojo, "reminder") == 0


async def test_a_private_button_acts_only_for_its_chats_learner(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await practise(dojo, k.ben, [(True, 1000)])
    summary = s.messages(k.ben)[-1]
    aiko_before = snapshot(s.messages(k.aiko))
    # Forged: Aiko's client presses a button of Ben's private chat.
    for data in ("progress", "go:1:101", "rem:t:0"):
        qid = await s.press_data(k.aiko, k.ben.id, summary.message_id, data)
        await s.settle()
        assert s.callback_answers[qid].get("text") == WRONG_CHAT, data
    assert snapshot(s.messages(k.aiko)) == aiko_before
    assert s.messages(k.ben)[-1].message_id == summary.message_id
    assert await count(dojo, "reminder") == 0


async def test_group_buttons_pressed_in_a_private_chat_do_nothing(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await practise(dojo, k.aiko, [(True, 1000)])
    summary = s.messages(k.aiko)[-1]
    for data in (f"cls:join:{GROUP_ID}", f"brd:{GROUP_ID}:p:all", f"cls:join:{k.aiko.id}"):
        qid = await s.press_data(k.aiko, None, summary.message_id, data)
        await s.settle()
        assert "no longer valid" in s.callback_answers[qid].get("text", ""), data
    assert await count(dojo, "class_member") == 0


async def test_malformed_numbers_are_refused_and_answered(dojo: Dojo) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    await practise(dojo, k.aiko, [(True, 1000)])
    summary = s.messages(k.aiko)[-1]
    private = [
        "nav:f:²", "go:²:101", "go:1:\uff11\uff10\uff11", "chart:٣", "topics:²", "rem:t:²",
        "nav:f:01", "go:1:101:7", "rem:t:1440", "rem:t:-1", "chart:99999999999999999999999",
        "progress:1",
    ]
    for data in private:
        qid = await s.press_data(k.aiko, None, summary.message_id, data)
        await s.settle()
        assert "no longer valid" in s.callback_answers[qid].get("text", ""), data
    panel_before = snapshot(s.messages(k.group))
    group = [f"brd:{GROUP_ID}:t:²", f"brd:{GROUP_ID}:w:1:1", "cls:join:-\uff14\uff10\uff10\uff11"]
    for data in group:
        qid = await s.press_data(k.teacher, k.group, k.welcome.message_id, data)
        await s.settle()
        assert "no longer valid" in s.callback_answers[qid].get("text", ""), data
    assert snapshot(s.messages(k.group)) == panel_before
    assert s.unanswered_callback_queries() == []
