"""A real PTB Application against the stand-in, over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time

import pytest
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from dojobot.transport.context import AnyApp
from dojobot.transport.lifecycle import running
from telegram_standin import BotApiStandIn

from .conftest import add_echo_handlers, build_app


async def test_text_round_trip(standin: BotApiStandIn, bot: AnyApp) -> None:
    ann = await standin.user(1, "Ann", username="ann")
    sent = await standin.send_text(ann, "2 < 3 & 4")
    reply = await standin.next_message(ann)
    assert reply.plain_text == "2 < 3 & 4"
    assert reply.text == "2 &lt; 3 &amp; 4"
    assert reply.chat_id == ann.id
    assert reply.message_id == sent["message_id"] + 1
    assert reply.kind == "text"
    assert isinstance(reply.date, int)
    call = standin.calls_of("sendMessage")[-1]
    assert call.ok
    assert call.params["chat_id"] == 1
    assert call.params["parse_mode"] == "HTML"


async def test_long_poll_wakes_promptly_and_stop_is_quick(standin: BotApiStandIn) -> None:
    """A parked getUpdates (timeout 10 s) returns as soon as an update arrives, and stopping
    releases it. Bounds are half the poll's timeout: only a poll that waited out its
    timeout can pass them, however loaded the machine (no speed is asserted)."""
    app = build_app(standin)
    add_echo_handlers(app)
    ann = await standin.user(1, "Ann")
    async with running(app):
        async with asyncio.timeout(5):  # the bot parks in a getUpdates with timeout=10
            while not standin.is_polling:
                await standin.wait_for_change(0.1)
        started = time.perf_counter()
        await standin.send_text(ann, "ping")
        await standin.next_message(ann)
        latency = time.perf_counter() - started
        stopping = time.perf_counter()
    stop_time = time.perf_counter() - stopping
    assert standin.calls_of("getUpdates")[1].params["timeout"] == 10
    assert latency < 5
    assert stop_time < 5


async def test_command_entities_and_deep_link(standin: BotApiStandIn, bot: AnyApp) -> None:
    ann = await standin.user(1, "Ann")
    message = await standin.send_text(ann, "/start math-arithmetic-addition")
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    reply = await standin.next_message(ann)
    assert reply.plain_text == "Welcome (payload: math-arithmetic-addition)"
    assert reply.text.startswith("<b>Welcome</b>")


async def test_group_commands_and_privacy_mode(standin: BotApiStandIn, bot: AnyApp) -> None:
    teacher = await standin.user(7, "Tess")
    cls = await standin.group(-100, "Class 5b")
    await standin.add_bot_to_group(cls, teacher)
    msg = await standin.send_text(teacher, "/start@DojoSandboxBot", chat=cls)
    assert msg["entities"][0]["length"] == len("/start@DojoSandboxBot")
    assert (await standin.next_message(cls)).plain_text.startswith("Welcome")
    # Privacy mode: plain chatter and commands for other bots never reach the bot.
    await standin.send_text(teacher, "hello class", chat=cls)
    await standin.send_text(teacher, "/start@SomeOtherBot", chat=cls)
    await standin.settle()
    assert len(standin.messages(cls)) == 1
    seen = bot.bot_data["seen"]
    assert any(
        u.my_chat_member and u.my_chat_member.new_chat_member.status == "member" for u in seen
    )
    assert any(u.message and u.message.new_chat_members for u in seen)


async def test_button_press_answered_exactly_once(standin: BotApiStandIn, bot: AnyApp) -> None:
    ann = await standin.user(1, "Ann")
    await standin.send_text(ann, "/menu")
    menu = await standin.next_message(ann)
    assert [[b.text for b in row] for row in menu.buttons] == [
        ["Math", "Science (coming soon)"],
        ["Help"],
    ]
    assert menu.buttons[1][0].url == "https://example.org/help"
    qid = await standin.press(ann, "Math")
    edited = await standin.wait_for_edit(ann, menu.message_id)
    assert edited.plain_text == "You picked Math."
    assert edited.buttons == []  # editMessageText without reply_markup drops the keyboard
    assert edited.edited == 1
    assert qid in standin.callback_answers
    assert standin.unanswered_callback_queries() == []
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.bot.answer_callback_query(qid)


async def test_press_by_index_and_answer_text(standin: BotApiStandIn, bot: AnyApp) -> None:
    ann = await standin.user(1, "Ann")
    await standin.send_text(ann, "/menu")
    await standin.next_message(ann)
    qid = await standin.press(ann, 1)
    await standin.settle()
    assert standin.callback_answers[qid]["text"] == "Coming soon!"
    with pytest.raises(LookupError, match="Math"):
        await standin.press(ann, "Physics")


async def test_second_answer_and_unanswered_queries(standin: BotApiStandIn, bot: AnyApp) -> None:
    ann = await standin.user(1, "Ann")
    await standin.send_text(ann, "/menu")
    menu = await standin.next_message(ann)
    twice = await standin.press_data(ann, None, menu.message_id, "twice")
    silent = await standin.press_data(ann, None, menu.message_id, "silent")
    await standin.settle()
    (error,) = bot.bot_data["errors"]
    assert isinstance(error, BadRequest)
    assert "query is too old" in str(error).lower()
    assert twice in standin.callback_answers
    assert standin.unanswered_callback_queries() == [silent]


async def test_edit_not_modified_refused(standin: BotApiStandIn, bot: AnyApp) -> None:
    ann = await standin.user(1, "Ann")
    await standin.send_text(ann, "/menu")
    menu = await standin.next_message(ann)
    await standin.press_data(ann, None, menu.message_id, "same")
    await standin.settle()
    (error,) = bot.bot_data["errors"]
    assert isinstance(error, BadRequest)
    assert "message is not modified" in str(error).lower()
    # Same text in other tags yields the same entities: still not modified.
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.bot.edit_message_text(
            "Pick a <strong>field</strong>:",
            chat_id=ann.id,
            message_id=menu.message_id,
            reply_markup=menu.reply_markup and InlineKeyboardMarkup.de_json(menu.reply_markup),
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.bot.edit_message_text("x", chat_id=ann.id, message_id=999)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.bot.edit_message_text("x", chat_id=ann.id, message_id=menu.message_id - 1)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>x", "Can't find end tag"),
        ("a < b", "Unsupported start tag"),
        ("a & b", "unescaped"),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("<br>", 'Unsupported start tag "br"'),
        ("&nbsp;", "unescaped"),
        ("<b></b>", "text is empty"),
        (" \n ", "text is empty"),  # (ExtBot turns "" into "[]" before sending)
        ("x" * 4097, "too long"),
    ],
)
async def test_bad_text_refused(
    standin: BotApiStandIn, bot: AnyApp, text: str, error: str
) -> None:
    ann = await standin.user(1, "Ann")
    await standin.send_text(ann, "hi")
    await standin.next_message(ann)
    with pytest.raises(BadRequest) as info:
        await bot.bot.send_message(ann.id, text)
    assert error.lower() in str(info.value).lower()


async def test_text_limits_count_text_after_parsing(standin: BotApiStandIn, bot: AnyApp) -> None:
    ann = await standin.user(1, "Ann")
    await standin.send_text(ann, "hi")
    await standin.next_message(ann)
    await bot.bot.send_message(ann.id, "<b>" + "x" * 4096 + "</b>")
    await bot.bot.send_message(ann.id, "&lt;" * 4096)
    sent = standin.messages(ann)
    assert len(sent[-1].plain_text) == 4096
    assert sent[-2].plain_text == "x" * 4096
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.bot.send_photo(ann.id, b"\x89PNG\r\n\x1a\n", caption="y" * 1025)


async def test_callback_data_over_64_bytes_refused(standin: BotApiStandIn, bot: AnyApp) -> None:
    ann = await standin.user(1, "Ann")
    await standin.send_text(ann, "hi")
    await standin.next_message(ann)
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="é" * 32)]])
    await bot.bot.send_message(ann.id, "fits", reply_markup=ok)
    for data in ("é" * 33, "x" * 65):
        too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data=data)]])
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.bot.send_message(ann.id, "too long", reply_markup=too_long)
    assert [m.plain_text for m in standin.messages(ann)] == ["hi", "fits"]


async def test_chat_not_found(standin: BotApiStandIn, bot: AnyApp) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.bot.send_message(424242, "hello?")
    await standin.group(-5, "Never joined")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.bot.send_message(-5, "hello?")
    # A known user who never opened the private chat.
    await standin.user(9, "Quiet")
    with pytest.raises(Forbidden, match="initiate conversation"):
        await bot.bot.send_message(9, "hello?")


async def test_blocked_user_is_forbidden(standin: BotApiStandIn, bot: AnyApp) -> None:
    ann = await standin.user(1, "Ann")
    await standin.send_text(ann, "hi")
    await standin.next_message(ann)
    await standin.block_bot(ann)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.bot.send_message(ann.id, "still there?")
    await standin.settle()
    kicked = [u for u in bot.bot_data["seen"] if u.my_chat_member]
    assert kicked[-1].my_chat_member.new_chat_member.status == "kicked"
    await standin.unblock_bot(ann)
    await bot.bot.send_message(ann.id, "welcome back")
    assert standin.messages(ann)[-1].plain_text == "welcome back"


async def test_kicked_from_group_is_forbidden(standin: BotApiStandIn, bot: AnyApp) -> None:
    tess = await standin.user(7, "Tess")
    cls = await standin.group(-100, "Class")
    await standin.add_bot_to_group(cls, tess)
    await bot.bot.send_message(cls.id, "hello class")
    await standin.remove_bot_from_group(cls, tess)
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.bot.send_message(cls.id, "hello?")


async def test_injected_failures(
    standin: BotApiStandIn, bot: AnyApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    ann = await standin.user(1, "Ann")
    await standin.send_text(ann, "hi")
    await standin.next_message(ann)
    standin.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter) as info:
        await bot.bot.send_message(ann.id, "x")
    assert info.value.retry_after == dtm.timedelta(seconds=3)
    standin.fail_next("sendMessage", 502, "Bad Gateway", count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.bot.send_message(ann.id, "x")
    await bot.bot.send_message(ann.id, "now it works")
    assert standin.stats.injected_failures == 3
    assert [c.error_code for c in standin.calls_of("sendMessage")][-4:] == [429, 502, 502, None]


async def test_rate_limits_with_injected_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    now = [1000.0]
    async with BotApiStandIn(enforce_rate_limits=True, clock=lambda: now[0]) as standin:
        app = build_app(standin)
        users = [await standin.user(i, f"U{i}") for i in range(1, 41)]
        cls = await standin.group(-100, "Class")
        await standin.add_bot_to_group(cls, users[0])
        for u in users:
            await standin.send_text(u, "hi")
        async with app:
            # Bursts to one private chat are fine; 30 per second overall is the cap.
            for i in range(30):
                await app.bot.send_message(users[i % 2].id, f"m{i}")
            with pytest.raises(RetryAfter) as info:
                await app.bot.send_message(users[5].id, "one too many")
            assert info.value.retry_after == dtm.timedelta(seconds=1)
            now[0] += 1.0
            # 20 per minute per group.
            for i in range(20):
                now[0] += 0.1
                await app.bot.send_message(cls.id, f"g{i}")
            with pytest.raises(RetryAfter) as info:
                await app.bot.send_message(cls.id, "g20")
            assert info.value.retry_after == dtm.timedelta(seconds=59)
            await app.bot.send_message(users[3].id, "private chats are not blocked by it")
            now[0] += 58.2
            await app.bot.send_message(cls.id, "g20")
        assert standin.stats.rate_limited == 2


async def test_supergroup_migration(standin: BotApiStandIn, bot: AnyApp) -> None:
    tess = await standin.user(7, "Tess")
    cls = await standin.group(-100, "Class")
    await standin.set_admins(cls, tess, [])
    await standin.add_bot_to_group(cls, tess)
    new = await standin.migrate_to_supergroup(cls, -1001234567890)
    assert new.type == "supergroup"
    await standin.settle()
    seen = [u.message for u in bot.bot_data["seen"] if u.message]
    assert any(m.migrate_to_chat_id == new.id and m.chat.id == cls.id for m in seen)
    assert any(m.migrate_from_chat_id == cls.id and m.chat.id == new.id for m in seen)
    with pytest.raises(ChatMigrated) as info:
        await bot.bot.send_message(cls.id, "hello")
    assert info.value.new_chat_id == new.id
    await bot.bot.send_message(new.id, "hello supergroup")
    assert standin.messages(new)[-1].plain_text == "hello supergroup"
    member = await bot.bot.get_chat_member(new.id, tess.id)
    assert member.status == "creator"


async def test_photo_and_document_upload(standin: BotApiStandIn, bot: AnyApp) -> None:
    ann = await standin.user(1, "Ann")
    await standin.send_text(ann, "hi")
    await standin.next_message(ann)
    png = (
        bytes.fromhex("89504e470d0a1a0a0000000d49484452000000020000000308060000009db1c4") + b"rest"
    )
    sent = await bot.bot.send_photo(
        ann.id, png, caption="Your <b>progress</b>", filename="chart.png"
    )
    assert (sent.photo[0].width, sent.photo[0].height) == (2, 3)
    photo = standin.messages(ann)[-1]
    assert (photo.kind, photo.file_bytes, photo.file_name) == ("photo", png, "chart.png")
    assert photo.plain_text == "Your progress"
    assert photo.text == "Your <b>progress</b>"
    file = await bot.bot.get_file(sent.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == png
    doc = await bot.bot.send_document(ann.id, b"a,b\n1,2\n", filename="stats.csv")
    assert doc.document is not None
    assert doc.document.file_name == "stats.csv"
    last = standin.messages(ann)[-1]
    assert (last.kind, last.file_bytes, last.file_name) == ("document", b"a,b\n1,2\n", "stats.csv")
    # Re-sending by file_id works without an upload.
    await bot.bot.send_photo(ann.id, sent.photo[-1].file_id)
    assert standin.messages(ann)[-1].file_bytes == png


async def test_user_edit_delete_and_settle(standin: BotApiStandIn, bot: AnyApp) -> None:
    ann = await standin.user(1, "Ann")
    first = await standin.send_text(ann, "one")
    await standin.next_message(ann)
    await standin.edit_text(ann, first["message_id"], "two")
    # the echo bot's MessageHandler also matches edited messages and replies again
    assert (await standin.next_message(ann)).plain_text == "two"
    await standin.settle()
    count = len(standin.messages(ann))
    await bot.bot.delete_message(ann.id, standin.messages(ann)[0].message_id)
    assert len(standin.messages(ann)) == count - 1
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.bot.delete_message(ann.id, 999)
    with pytest.raises(TimeoutError, match="received"):
        await standin.next_message(ann, timeout=0.05)


async def test_group_members_and_admins(standin: BotApiStandIn, bot: AnyApp) -> None:
    tess = await standin.user(7, "Tess")
    ann = await standin.user(1, "Ann")
    bob = await standin.user(2, "Bob")
    cls = await standin.group(-100, "Class")
    await standin.set_admins(cls, tess, [ann])
    await standin.add_bot_to_group(cls, tess, as_admin=True)
    await standin.send_text(bob, "hi all", chat=cls)  # admins' bots see all messages
    await standin.settle()
    admins = await bot.bot.get_chat_administrators(cls.id)
    assert [(a.user.id, a.status) for a in admins] == [
        (7, "creator"),
        (1, "administrator"),
        (standin.bot_id, "administrator"),
    ]
    assert (await bot.bot.get_chat_member(cls.id, bob.id)).status == "member"
    carl = await standin.user(3, "Carl")
    assert (await bot.bot.get_chat_member(cls.id, carl.id)).status == "left"
    with pytest.raises(BadRequest, match=r"(?i)user not found"):
        await bot.bot.get_chat_member(cls.id, 555)
    chat = await bot.bot.get_chat(cls.id)
    assert chat.title == "Class"
    assert standin.messages(cls)[-1].plain_text == "hi all"


async def test_commands_and_chat_action(standin: BotApiStandIn, bot: AnyApp) -> None:
    assert await bot.bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("stats", "S")])
    assert [c.command for c in await bot.bot.get_my_commands()] == ["start", "stats"]
    assert standin.my_commands()[1] == {"command": "stats", "description": "S"}
    with pytest.raises(BadRequest):
        await bot.bot.set_my_commands([BotCommand("Bad-Name", "x")])
    ann = await standin.user(1, "Ann")
    await standin.send_text(ann, "hi")
    assert await bot.bot.send_chat_action(ann.id, "typing")
    me = await bot.bot.get_me()
    assert me.username == "DojoSandboxBot"
