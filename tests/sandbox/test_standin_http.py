"""The stand-in at the HTTP level: envelope, auth, getUpdates semantics, HTML rules."""

from __future__ import annotations

import asyncio
import json
import struct
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from dojobot.transport.lifecycle import running
from telegram_standin import BotApiStandIn
from telegram_standin.telegram_html import EntityParseError, parse_html

from .conftest import build_app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as c:
        yield c


async def call(
    client: httpx.AsyncClient, standin: BotApiStandIn, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    res = await client.post(f"{standin.base_url}{standin.token}/{method}", data=data)
    return res.status_code, res.json()


async def sent(
    client: httpx.AsyncClient, standin: BotApiStandIn, method: str, **params: Any
) -> int:
    """The id of the message a send method made."""
    status, body = await call(client, standin, method, **params)
    assert status == 200, body
    return int(body["result"]["message_id"])


async def edited(
    client: httpx.AsyncClient, standin: BotApiStandIn, method: str, chat_id: int,
    message_id: int, **content: Any,
) -> str:
    """An edit's outcome: "ok", or Telegram's description of the refusal."""
    status, body = await call(
        client, standin, method, chat_id=chat_id, message_id=message_id, **content
    )
    return "ok" if status == 200 else str(body["description"])


async def test_envelope_auth_and_unknown_method(
    standin: BotApiStandIn, client: httpx.AsyncClient
) -> None:
    res = await client.get(f"{standin.base_url}{standin.token}/getMe")
    assert res.status_code == 200
    body = res.json()
    assert body["ok"] is True
    assert body["result"]["is_bot"] is True
    assert body["result"]["username"] == "DojoSandboxBot"
    res = await client.get(f"{standin.base_url}999:WRONG/getMe")
    assert (res.status_code, res.json()) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    status, body = await call(client, standin, "sendTelepathy")
    assert (status, body["description"]) == (404, "Not Found: method not found")
    # Method names are case-insensitive, as on Telegram; JSON bodies work too.
    res = await client.post(f"{standin.base_url}{standin.token}/GETME", json={})
    assert res.json()["ok"] is True
    assert [c.method for c in standin.calls] == ["getMe", "getMe", "sendTelepathy", "getMe"]


async def test_get_updates_offset_limit_and_allowed_updates(
    standin: BotApiStandIn, client: httpx.AsyncClient
) -> None:
    ann = await standin.user(1, "Ann")
    for text in ("a", "b", "c"):
        await standin.send_text(ann, text)
    await standin.block_bot(ann)  # a my_chat_member update
    _, body = await call(client, standin, "getUpdates", limit=2)
    first = [u["update_id"] for u in body["result"]]
    assert len(first) == 2
    # Unconfirmed updates come again; an offset confirms everything before it.
    _, body = await call(client, standin, "getUpdates", offset=first[1] + 1)
    assert [u["message"]["text"] for u in body["result"] if "message" in u] == ["c"]
    _, body = await call(
        client, standin, "getUpdates", offset=first[1] + 1, allowed_updates=["message"]
    )
    assert [list(u)[1] for u in body["result"]] == ["message"]  # my_chat_member dropped
    last = body["result"][-1]["update_id"]
    _, body = await call(client, standin, "getUpdates", offset=last + 1)
    assert body["result"] == []
    assert standin.pending_updates() == []


async def test_long_poll_held_then_woken(
    standin: BotApiStandIn, client: httpx.AsyncClient
) -> None:
    ann = await standin.user(1, "Ann")
    poll = asyncio.create_task(call(client, standin, "getUpdates", timeout=10))
    await asyncio.sleep(0.05)
    assert not poll.done()
    assert standin.is_polling
    started = time.perf_counter()
    await standin.send_text(ann, "wake up")
    _, body = await poll
    assert time.perf_counter() - started < 5  # woken, not timed out (no speed asserted)
    assert body["result"][0]["message"]["text"] == "wake up"
    # A short timeout returns an empty list when nothing comes.
    _, body = await call(
        client, standin, "getUpdates", offset=body["result"][0]["update_id"] + 1, timeout=0
    )
    assert body == {"ok": True, "result": []}


async def test_second_poller_terminates_first(
    standin: BotApiStandIn, client: httpx.AsyncClient
) -> None:
    first = asyncio.create_task(call(client, standin, "getUpdates", timeout=10))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(call(client, standin, "getUpdates", timeout=10))
    status, body = await first
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")
    await standin.stop()  # releases the held second poll
    assert (await second)[1] == {"ok": True, "result": []}


async def test_webhook_blocks_get_updates(
    standin: BotApiStandIn, client: httpx.AsyncClient
) -> None:
    status, body = await call(client, standin, "setWebhook", url="http://insecure")
    assert status == 400
    await call(client, standin, "setWebhook", url="https://example.org/hook")
    _, body = await call(client, standin, "getWebhookInfo")
    assert body["result"]["url"] == "https://example.org/hook"
    status, body = await call(client, standin, "getUpdates")
    assert status == 409
    await call(client, standin, "deleteWebhook")
    status, _ = await call(client, standin, "getUpdates")
    assert status == 200


async def test_stop_releases_a_held_long_poll(standin: BotApiStandIn) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        poll = asyncio.create_task(call(client, standin, "getUpdates", timeout=30))
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        await standin.stop()
        assert (await poll)[1]["result"] == []
        assert time.perf_counter() - started < 15  # released, not timed out at 30 s


async def test_inline_keyboard_rules(standin: BotApiStandIn, client: httpx.AsyncClient) -> None:
    ann = await standin.user(1, "Ann")
    await standin.send_text(ann, "hi")

    async def send(markup: Any) -> str:
        status, body = await call(
            client, standin, "sendMessage", chat_id=ann.id, text="x", reply_markup=markup
        )
        return "ok" if status == 200 else body["description"]

    assert await send({"inline_keyboard": [[{"text": "a", "callback_data": "1"}]]}) == "ok"
    assert "Text buttons are unallowed" in await send({"inline_keyboard": [[{"text": "a"}]]})
    both = {"text": "a", "callback_data": "1", "url": "https://x.org"}
    assert "exactly one" in await send({"inline_keyboard": [[both]]})
    empty = {"text": "a", "callback_data": ""}
    assert await send({"inline_keyboard": [[empty]]}) == "Bad Request: BUTTON_DATA_INVALID"
    no_text = {"text": "", "callback_data": "1"}
    assert "text" in await send({"inline_keyboard": [[no_text]]})
    bad_url = {"text": "a", "url": "javascript:alert(1)"}
    assert "Wrong HTTP URL" in await send({"inline_keyboard": [[bad_url]]})
    status, _ = await call(
        client, standin, "sendMessage", chat_id=ann.id, text="x", reply_markup="{nope"
    )
    assert status == 400


async def test_text_and_caption_edits_fit_the_message_kind(
    standin: BotApiStandIn, client: httpx.AsyncClient
) -> None:
    ann = await standin.user(1, "Ann")
    await standin.send_text(ann, "hi")
    text_id = await sent(client, standin, "sendMessage", chat_id=ann.id, text="a")
    png = (await standin.send_photo(ann))["photo"][0]["file_id"]
    photo_id = await sent(client, standin, "sendPhoto", chat_id=ann.id, photo=png, caption="c")

    async def edit(method: str, message_id: int, **content: Any) -> str:
        return await edited(client, standin, method, ann.id, message_id, **content)

    assert await edit("editMessageCaption", text_id, caption="b") == (
        "Bad Request: there is no caption in the message to edit"
    )
    assert await edit("editMessageText", photo_id, text="b") == (
        "Bad Request: there is no text in the message to edit"
    )
    assert await edit("editMessageText", text_id, text="b") == "ok"
    assert await edit("editMessageCaption", photo_id, caption="d") == "ok"
    assert [m.plain_text for m in standin.messages(ann)] == ["b", "d"]


async def test_edits_take_inline_keyboards_only(
    standin: BotApiStandIn, client: httpx.AsyncClient
) -> None:
    ann = await standin.user(1, "Ann")
    await standin.send_text(ann, "hi")
    plain_id = await sent(client, standin, "sendMessage", chat_id=ann.id, text="a")
    forced_id = await sent(client, standin, "sendMessage", chat_id=ann.id, text="b",
                           reply_markup={"force_reply": True})

    async def edit(method: str, message_id: int, **content: Any) -> str:
        return await edited(client, standin, method, ann.id, message_id, **content)

    keyboard = {"keyboard": [[{"text": "7"}]]}
    assert await edit("editMessageText", plain_id, text="c", reply_markup=keyboard) == (
        "Bad Request: inline keyboard expected"
    )
    assert await edit("editMessageReplyMarkup", plain_id, reply_markup=keyboard) == (
        "Bad Request: inline keyboard expected"
    )
    # Telegram edits only messages without reply_markup or with an inline keyboard.
    assert await edit("editMessageText", forced_id, text="d") == (
        "Bad Request: message can't be edited"
    )
    inline = {"inline_keyboard": [[{"text": "x", "callback_data": "x"}]]}
    assert await edit("editMessageText", plain_id, text="c", reply_markup=inline) == "ok"


def _png_head(width: int, height: int) -> bytes:
    """The first bytes of a PNG: enough for its size to be read."""
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", width, height)


async def test_photo_limits_and_command_languages(
    standin: BotApiStandIn, client: httpx.AsyncClient
) -> None:
    ann = await standin.user(1, "Ann")
    await standin.send_text(ann, "hi")

    async def photo(width: int, height: int) -> str:
        res = await client.post(
            f"{standin.base_url}{standin.token}/sendPhoto", data={"chat_id": str(ann.id)},
            files={"photo": ("chart.png", _png_head(width, height), "image/png")},
        )
        return "ok" if res.status_code == 200 else res.json()["description"]

    assert await photo(880, 495) == "ok"
    # sendPhoto's documented bounds: width + height at most 10000, a ratio of at most 20.
    assert await photo(9000, 1500) == "Bad Request: PHOTO_INVALID_DIMENSIONS"
    assert await photo(2100, 100) == "Bad Request: PHOTO_INVALID_DIMENSIONS"
    commands = [{"command": "start", "description": "Start"}]
    for code, expected in (("pt", 200), ("", 200), ("pt_BR", 400), ("pt-br", 400), ("EN", 400)):
        status, _ = await call(client, standin, "setMyCommands", commands=commands,
                               language_code=code)
        assert status == expected, code


async def test_a_tap_is_answered_once_and_in_time(client: httpx.AsyncClient) -> None:
    now = [1000.0]
    async with BotApiStandIn(clock=lambda: now[0]) as standin:
        ann = await standin.user(1, "Ann")
        await standin.send_text(ann, "hi")
        message_id = await sent(client, standin, "sendMessage", chat_id=ann.id, text="a",
                                reply_markup={"inline_keyboard": [[{"text": "x",
                                                                    "callback_data": "x"}]]})
        on_time = await standin.press_data(ann, None, message_id, "x")
        late = await standin.press_data(ann, None, message_id, "x")
        now[0] += 14.0
        assert (await call(client, standin, "answerCallbackQuery",
                           callback_query_id=on_time))[0] == 200
        assert (await call(client, standin, "answerCallbackQuery",
                           callback_query_id=on_time))[0] == 400  # twice
        now[0] += 2.0  # Telegram drops a tap's answer after about 15 s
        status, body = await call(client, standin, "answerCallbackQuery", callback_query_id=late)
        assert (status, body["description"]) == (
            400, "Bad Request: query is too old and response timeout expired or query ID is "
            "invalid"
        )


async def test_answer_unknown_callback_query(
    standin: BotApiStandIn, client: httpx.AsyncClient
) -> None:
    status, body = await call(client, standin, "answerCallbackQuery", callback_query_id="42")
    assert status == 400
    assert body["description"] == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )


async def test_runner_mirrors_ptb_lifecycle_order(standin: BotApiStandIn) -> None:
    order: list[str] = []
    app = build_app(standin)

    async def hook(name: str) -> None:
        order.append(name)

    app.post_init = lambda a: hook("post_init")
    app.post_stop = lambda a: hook("post_stop")
    app.post_shutdown = lambda a: hook("post_shutdown")
    async with running(app):
        order.append(f"running:{app.running}:{app.updater is not None and app.updater.running}")
    assert order == ["post_init", "running:True:True", "post_stop", "post_shutdown"]
    assert not app.running


@pytest.mark.parametrize(
    ("text", "plain", "entities"),
    [
        ("<b>bold</b> <i>it</i>", "bold it", [("bold", 0, 4), ("italic", 5, 2)]),
        ("<B>x</B>", "x", [("bold", 0, 1)]),
        ("&lt;&gt;&amp;&quot;&#39;&#x41;", "<>&\"'A", []),
        ("😀<b>x</b>", "😀x", [("bold", 2, 1)]),  # offsets in UTF-16 code units
        ('<a href="https://x.org/?a=1&amp;b=2">l</a>', "l", [("text_link", 0, 1)]),
        ("<tg-spoiler>s</tg-spoiler>", "s", [("spoiler", 0, 1)]),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍", [("custom_emoji", 0, 2)]),
        ("<blockquote>q</blockquote>", "q", [("blockquote", 0, 1)]),
        ("<b>a<i>b</i></b>", "ab", [("bold", 0, 2), ("italic", 1, 1)]),
        ("2 > 1", "2 > 1", []),
    ],
)
def test_html_valid(text: str, plain: str, entities: list[tuple[str, int, int]]) -> None:
    got_plain, got = parse_html(text)
    assert got_plain == plain
    assert [(e.type, e.offset, e.length) for e in got] == entities


@pytest.mark.parametrize(
    "text",
    [
        "<b>x",
        "x</b>",
        "a < b",
        "a <b",
        "a & b",
        "&amp",
        "&#0;",
        "<span>x</span>",
        "<p>x</p>",
        "<code><b>x</b></code>",
        "<blockquote><blockquote>x</blockquote></blockquote>",
        "<tg-emoji>x</tg-emoji>",
    ],
)
def test_html_invalid(text: str) -> None:
    with pytest.raises(EntityParseError):
        parse_html(text)
