"""Ways into the Mini App from the chat: the buttons, the menu button, startapp links."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, WebAppInfo
from telegram.error import BadRequest

from dojobot.web.auth import sign
from telegram_standin import BotApiStandIn
from tests.support.dojo import Dojo, run_dojo
from tests.support.waiting import until
from tests.support.web import free_port

APP = "https://dojo.example.test"


@pytest.fixture
async def app_dojo(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> AsyncIterator[tuple[Dojo, str]]:
    """A bot whose Mini App is public at APP (Telegram opens HTTPS only) and served locally."""
    port = free_port()
    async with run_dojo(standin, tmp_path / "dojobot.sqlite3", database_url=migrated_url,
                        web_app_url=APP, web_port=port) as dojo:
        yield dojo, f"http://127.0.0.1:{port}"


async def test_the_menus_and_the_bot_button_open_the_app(
    app_dojo: tuple[Dojo, str], standin: BotApiStandIn
) -> None:
    assert standin.menu_button() == {
        "type": "web_app", "text": "⚡ Practise", "web_app": {"url": f"{APP}/"}}
    learner = await standin.user(601, "Aiko")
    await standin.send_text(learner, "/start math-arithmetic-addition")
    levels = await standin.next_message(learner)
    [app] = [b for b in levels.flat_buttons if b.web_app_url]
    assert app.text == "⚡ Practise in the app"
    assert app.web_app_url == f"{APP}/practice/math/arithmetic/addition?difficulty=102"
    await standin.press(learner, "🌱 Seedling")
    await standin.next_message(learner)
    await standin.send_text(learner, "/stop")
    summary = await standin.next_message(learner)
    assert "Set complete" in summary.plain_text
    assert [b.web_app_url for b in summary.flat_buttons if b.web_app_url] == [
        f"{APP}/practice/math/arithmetic/addition?difficulty=101"]


@pytest.mark.parametrize(
    ("start", "lands"),
    [
        ("math-arithmetic-division-d103", "/practice/math/arithmetic/division?difficulty=103"),
        ("math-arithmetic-addition", "/practice/math/arithmetic/addition?difficulty=102"),
        ("no-such-topic", "/progress"),
        ("", "/progress"),
    ],
)
async def test_startapp_links_take_todays_deep_link_payloads(
    app_dojo: tuple[Dojo, str], start: str, lands: str
) -> None:
    _dojo, local = app_dojo
    async with httpx.AsyncClient(base_url=local) as http:
        got = await http.get("/", params={"tgWebAppStartParam": start} if start else None)
    assert got.status_code == 302
    assert got.headers["location"] == lands


async def test_the_standin_refuses_what_telegram_refuses(app_dojo: tuple[Dojo, str]) -> None:
    """Mini App buttons open HTTPS pages only: a plain-HTTP one is a 400, as on Telegram."""
    dojo, _local = app_dojo
    learner = await dojo.standin.user(601, "Aiko")
    await dojo.standin.send_text(learner, "/start")
    await dojo.standin.next_message(learner)
    insecure = WebAppInfo("http://dojo.example.test/")
    with pytest.raises(BadRequest, match=r"(?i)only https"):
        await dojo.app.bot.set_chat_menu_button(menu_button=MenuButtonWebApp("x", insecure))
    with pytest.raises(BadRequest, match=r"(?i)button_type_invalid"):
        await dojo.app.bot.send_message(601, "x", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("x", web_app=insecure)]]))
    dojo.standin.calls.clear()  # refused on purpose: not the bot's mistake


def _menu_text(standin: BotApiStandIn, chat_id: int | None = None) -> str:
    return str(standin.menu_button(chat_id).get("text"))


async def test_the_menu_button_speaks_the_learners_language(
    app_dojo: tuple[Dojo, str], standin: BotApiStandIn
) -> None:
    """setChatMenuButton has no language_code: each learner's chat gets the button in their
    language when it is known and when they change it; the bot-wide one stays English."""
    learner = await standin.user(602, "Jonas", language_code="de")
    await standin.send_text(learner, "/start")
    await standin.next_message(learner)
    await until(lambda: _menu_text(standin, 602) == "⚡ Üben", "the German menu button")
    assert standin.menu_button(602)["web_app"] == {"url": f"{APP}/"}
    for code, text in (("ru", "⚡ Тренировка"), ("fa", "⚡ تمرین"), ("es", "⚡ Practicar"),
                       ("pt_BR", "⚡ Praticar"), ("en", "⚡ Practise")):
        await standin.send_text(learner, f"/language {code}")
        await standin.next_message(learner)
        assert _menu_text(standin, 602) == text  # set before the confirmation
    assert _menu_text(standin) == "⚡ Practise"
    english = await standin.user(603, "Ann")
    await standin.send_text(english, "/start")
    await standin.next_message(english)
    assert 603 not in [c.params.get("chat_id") for c in standin.calls_of("setChatMenuButton")]


async def test_a_learner_met_first_in_the_app_gets_the_menu_button_in_their_language(
    app_dojo: tuple[Dojo, str], standin: BotApiStandIn
) -> None:
    dojo, local = app_dojo
    init_data = sign(standin.token, {"id": 605, "first_name": "Lía", "language_code": "es"},
                     dojo.clock.now_ms // 1000)
    async with httpx.AsyncClient(base_url=local) as http:
        got = await http.get("/api/practice/state", headers={"Authorization": f"tma {init_data}"})
    assert got.status_code == 200
    await until(lambda: _menu_text(standin, 605) == "⚡ Practicar", "the Spanish menu button")


async def test_forgetme_gives_the_chat_the_bots_own_menu_button(
    app_dojo: tuple[Dojo, str], standin: BotApiStandIn
) -> None:
    """The chat's menu button kept the learner's language: erased with the rest."""
    learner = await standin.user(604, "Jonas", language_code="de")
    await standin.send_text(learner, "/language de")
    await standin.next_message(learner)
    assert _menu_text(standin, 604) == "⚡ Üben"
    await standin.send_text(learner, "/forgetme")
    confirmation = await standin.next_message(learner)
    [delete] = [b.text for b in confirmation.flat_buttons if b.text.startswith("🗑")]
    await standin.press(learner, delete, message_id=confirmation.message_id)
    await until(lambda: _menu_text(standin, 604) == "⚡ Practise", "the bot's own button")
