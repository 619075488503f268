"""Command words in the learner's language (issue 26): /remind takes the words its own
buttons show, /timezone takes a city as the learner's language names it (CLDR), and /help's
test-out share comes from the engine's constant, written by the locale."""

from __future__ import annotations

import pytest

from tests.support.dojo import Dojo
from tests.support.learner import say


@pytest.mark.parametrize(
    ("language", "off", "on", "stopped", "started"),
    [
        ("de", "aus", "an", "🔕 Die täglichen Erinnerungen sind aus.", "🔔"),
        ("es", "apagar", "encender", "🔕 Los recordatorios diarios están apagados.", "🔔"),
        ("pt-br", "desligar", "ligar", "🔕", "🔔"),
        ("ru", "выкл", "вкл", "🔕", "🔔"),
        ("ru", "Выключить", "включить", "🔕", "🔔"),  # the button's own word
    ],
)
async def test_reminders_switch_in_the_learners_words(
    dojo: Dojo, language: str, off: str, on: str, stopped: str, started: str
) -> None:
    learner = await dojo.standin.user(971, "Kim", language_code=language)
    set_up = await say(dojo, learner, "/remind 18:30")
    assert set_up.plain_text.startswith("🔔")
    # Before: "/remind aus" was read as a time and refused.
    assert (await say(dojo, learner, f"/remind {off}")).plain_text.startswith(stopped)
    assert (await say(dojo, learner, f"/remind {on}")).plain_text.startswith(started)


@pytest.mark.parametrize(
    ("language", "city", "zone"),
    [
        ("de", "Tokio", "Asia/Tokyo"),
        ("es", "Tokio", "Asia/Tokyo"),
        ("pt-br", "São Paulo", "America/Sao_Paulo"),
        ("ru", "Москва", "Europe/Moscow"),
        ("ru", "москва", "Europe/Moscow"),
        ("en", "Tokyo", "Asia/Tokyo"),
        # Not CLDR exemplar cities (Europe/Berlin's is Berlin): GeoNames' names, so before
        # they were refused.
        ("de", "München", "Europe/Berlin"),
        ("de", "muenchen", "Europe/Berlin"),
        ("de", "Köln", "Europe/Berlin"),
        ("pt-br", "Belo Horizonte", "America/Sao_Paulo"),
        ("ru", "Новосибирск", "Asia/Novosibirsk"),
        ("es", "Ciudad de México", "America/Mexico_City"),
        ("fa", "مشهد", "Asia/Tehran"),
        ("fa", "شيراز", "Asia/Tehran"),  # with an Arabic yeh, as some keyboards type it
    ],
)
async def test_a_city_in_the_learners_language(
    dojo: Dojo, language: str, city: str, zone: str
) -> None:
    learner = await dojo.standin.user(972, "Kim", language_code=language)
    reply = await say(dojo, learner, f"/timezone {city}")
    assert f": {zone}." in reply.plain_text.splitlines()[0]


async def test_an_unknown_city_gets_the_one_line_help_with_examples(dojo: Dojo) -> None:
    anna = await dojo.standin.user(973, "Anna", language_code="de")
    reply = await say(dojo, anna, "/timezone Atlantis")
    assert reply.plain_text == (
        "Die Zeitzone „Atlantis“ kenne ich nicht. Schick /timezone Europe/Berlin, eine Stadt "
        "wie /timezone Tokio oder eine Verschiebung wie /timezone +05:30."
    )


async def test_help_writes_the_test_out_share_as_the_language_does(dojo: Dojo) -> None:
    misha = await dojo.standin.user(974, "Миша", language_code="ru")
    text = (await say(dojo, misha, "/help")).plain_text
    assert "95\u00a0% верно" in text  # was a hard-coded "95%" beside "90 %"
    lena = await dojo.standin.user(975, "Lena", language_code="en")
    assert "95% right" in (await say(dojo, lena, "/help")).plain_text


async def test_a_city_several_zones_share_gets_one_line_naming_them(dojo: Dojo) -> None:
    lucia = await dojo.standin.user(976, "Lucía", language_code="es")
    reply = await say(dojo, lucia, "/timezone Barcelona")  # Spain's and Venezuela's
    assert reply.plain_text == (
        "Hay varios lugares llamados «Barcelona». Envía /timezone America/Caracas o "
        "/timezone Europe/Madrid."
    )
    assert "🌍" in (await say(dojo, lucia, "/timezone Europe/Madrid")).plain_text
