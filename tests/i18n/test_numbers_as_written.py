"""Answers are read as the learner's language writes numbers, and the right answer is
written that way too (issue 26): a German "1.000" is one thousand, a Russian "1.000" gets a
question instead of a verdict, digits of other scripts count."""

from __future__ import annotations

from telegram_standin import BotMessage
from tests.support.dojo import Dojo
from tests.support.learner import say, solve


def question_of(message: BotMessage) -> str:
    return message.plain_text.splitlines()[-1].removesuffix(" = ?")


async def test_a_german_thousand_is_a_thousand(dojo: Dojo) -> None:
    anna = await dojo.standin.user(961, "Anna", language_code="de")
    first = await say(dojo, anna, "/start math-arithmetic-addition-d101")
    question = question_of(first)
    right = solve(question)
    # Before: "1.000" was read as 1 (so "5 mod 4" answered "1.000" was right). Now it is
    # right's thousandfold, and wrong.
    judged = await say(dojo, anna, f"{right}.000")
    assert judged.plain_text.startswith(f"✗ {question} = {right} · ")
    judged = await say(dojo, anna, f"{solve(question_of(judged))},0")  # a decimal comma
    assert judged.plain_text.startswith("✓ ")


async def test_a_russian_dot_before_three_digits_is_asked_about(dojo: Dojo) -> None:
    misha = await dojo.standin.user(962, "Миша", language_code="ru")
    first = await say(dojo, misha, "/start math-arithmetic-addition-d101")
    question = question_of(first)
    right = solve(question)
    asked = await say(dojo, misha, f"{right}.000")
    assert asked.plain_text.startswith(
        f"Это {right * 1000} или {right}? Отправь число ещё раз, записав его вот так."
    )
    assert question_of(asked) == question  # not judged: the same problem again
    judged = await say(dojo, misha, str(right))
    assert judged.plain_text.startswith("✓ ")


async def test_persian_and_arabic_digits_are_answers(dojo: Dojo) -> None:
    lena = await dojo.standin.user(963, "Lena", language_code="en")
    first = await say(dojo, lena, "/start math-arithmetic-addition-d101")
    persian = str(solve(question_of(first))).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    judged = await say(dojo, lena, persian)
    assert judged.plain_text.startswith("✓ ")
    arabic = str(solve(question_of(judged))).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert (await say(dojo, lena, arabic)).plain_text.startswith("✓ ")


def test_right_answers_are_written_as_the_language_writes_them() -> None:
    from decimal import Decimal

    from dojobot.display.formats import exact
    from dojobot.i18n import use_language

    written = {}
    for code in ("en", "de", "ru", "pt_BR"):
        with use_language(code):
            written[code] = (exact(Decimal("2.5")), exact(Decimal("-1234.125")))
    # Before: "2.5" in every language, beside times written "2,1 s".
    assert written == {
        "en": ("2.5", "-1,234.125"),
        "de": ("2,5", "-1.234,125"),
        "ru": ("2,5", "-1\u00a0234,125"),
        "pt_BR": ("2,5", "-1.234,125"),
    }
