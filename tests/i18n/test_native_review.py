"""What a fluent review of the catalogues found (issue 26), checked where a learner reads it:
counts through the plural rules, and the German words for fluency and the stage test."""

from __future__ import annotations

from tests.support.dojo import Dojo
from tests.support.learner import say


async def test_a_long_nickname_is_counted_with_russian_plurals(dojo: Dojo) -> None:
    misha = await dojo.standin.user(951, "Миша", language_code="ru")
    reply = await say(dojo, misha, "/nickname " + "я" * 33)
    # Was "Здесь 33 символов": the count never reached the plural rules.
    assert reply.plain_text.startswith("Здесь 33 символа, а можно не больше 32.")
    reply = await say(dojo, misha, "/nickname " + "я" * 35)
    assert reply.plain_text.startswith("Здесь 35 символов, а можно не больше 32.")


async def test_german_help_says_what_a_german_teacher_would(dojo: Dojo) -> None:
    anna = await dojo.standin.user(952, "Anna", language_code="de")
    text = (await say(dojo, anna, "/help")).plain_text
    assert "Flüssigkeit" not in text  # a liquid
    assert "Einstufungstest" not in text  # a placement test
    assert "Stufenprüfung" in text
    assert "(2,5, -3 und 1/2 gehen auch)" in text
    await say(dojo, anna, "/start math-arithmetic-addition-d101")
    summary = await say(dojo, anna, "/stop")
    assert "Runde beendet" in summary.plain_text  # not "geschafft" after a /stop
