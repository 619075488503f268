"""Who gets which language: Telegram's language_code on first contact, /language after,
the command menu per language; odd codes and odd input fall back without an error."""

from __future__ import annotations

import pytest

from dojobot.i18n import choice, resolve
from dojobot.storage.languages import user_language
from tests.support.dojo import Dojo


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("es", "es"), ("es-419", "es"), ("ES_mx", "es"), ("pt", "pt_BR"), ("pt-br", "pt_BR"),
        ("pt-PT", "pt_BR"), ("ru", "ru"), ("de-AT", "de"), ("en-GB", "en"), ("zh-hans", "en"),
        ("", "en"), (None, "en"), ("qps", "en"), ("x" * 300, "en"), (" de ", "de"),
    ],
)
def test_a_telegram_code_gives_the_nearest_language_we_have(
    code: str | None, language: str
) -> None:
    assert resolve(code) == language


@pytest.mark.parametrize(
    ("typed", "language"),
    [("de", "de"), ("Deutsch", "de"), ("pt-BR", "pt_BR"), ("русский", "ru"), ("xx", None),
     ("", None), ("a" * 300, None), ("es es", None)],
)
def test_what_a_learner_may_type_after_language(typed: str, language: str | None) -> None:
    assert choice(typed) == language


async def test_first_contact_speaks_the_telegram_language_and_stores_it(dojo: Dojo) -> None:
    s = dojo.standin
    learner = await s.user(801, "Lucía", language_code="es-419")
    await s.send_text(learner, "/language")
    assert (await s.next_message(learner)).plain_text == "Elige tu idioma:"
    assert await user_language(dojo.db, 801) == "es"


async def test_language_buttons_switch_and_the_choice_survives_a_new_code(dojo: Dojo) -> None:
    s = dojo.standin
    learner = await s.user(802, "Jonas", language_code="pt")
    await s.send_text(learner, "/language")
    menu = await s.next_message(learner)
    assert [b.text for b in menu.flat_buttons] == [
        "English", "Español", "Português (Brasil)", "Русский", "Deutsch", "فارسی",
    ]
    await s.press(learner, "Deutsch")
    edited = await s.wait_for_edit(learner, menu.message_id)
    assert edited.plain_text == "Ich spreche Deutsch mit dir. Schick /language, um das zu ändern."
    assert await user_language(dojo.db, 802) == "de"
    # Telegram's language_code only decides the first time: the choice stays.
    learner = await s.user(802, "Jonas", username="jonas", language_code="ru")
    await s.send_text(learner, "/language")
    assert (await s.next_message(learner)).plain_text == "Wähle deine Sprache:"


@pytest.mark.parametrize("typed", ["xx", "a" * 300, "zh-hans"])
async def test_an_unknown_language_gets_one_clear_line_and_the_buttons(
    dojo: Dojo, typed: str
) -> None:
    s = dojo.standin
    learner = await s.user(803, "Ana", language_code="")
    await s.send_text(learner, f"/language {typed}")
    reply = await s.next_message(learner)
    assert reply.plain_text == "I don't have that language. Choose one of these:"
    assert len(reply.flat_buttons) == 6
    assert await user_language(dojo.db, 803) == "en"


async def test_language_by_name_switches_at_once(dojo: Dojo) -> None:
    s = dojo.standin
    learner = await s.user(804, "Ivan", language_code="en")
    await s.send_text(learner, "/language Русский")
    reply = await s.next_message(learner)
    assert reply.plain_text == (
        "Я буду говорить с тобой по-русски. Отправь /language, чтобы сменить язык."
    )


async def test_the_command_menu_is_registered_per_language(dojo: Dojo) -> None:
    s = dojo.standin

    def descriptions(code: str = "", scope: dict[str, str] | None = None) -> list[str]:
        return [c["description"] for c in s.my_commands(scope=scope, language_code=code)]

    assert "Choose a topic and practise" in descriptions()
    assert "Elige un tema y practica" in descriptions("es")
    assert "Выбери тему и тренируйся" in descriptions("ru")
    assert "Escolha um tema e pratique" in descriptions("pt")
    assert "Die Rangliste der Klasse" in descriptions("de", {"type": "all_group_chats"})
