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


def test_spanish_groups_from_five_digits_as_cldr_says() -> None:
    """CLDR's minimumGroupingDigits: Spanish writes 1000 but 10.000 (Babel ignores it and
    wrote "1.000"); German and Persian group from four digits."""
    from decimal import Decimal

    from dojobot.display.formats import exact, number, seconds
    from dojobot.i18n import use_language

    with use_language("es"):
        assert (exact(Decimal(1000)), exact(Decimal(10000)), number(1234)) == (
            "1000", "10.000", "1234")
        assert (exact(Decimal("-2500.5")), seconds(1_234_000)) == ("-2500,5", "1234,0 s")
    with use_language("de"):
        assert (exact(Decimal(1000)), number(1234)) == ("1.000", "1.234")
    with use_language("fa"):
        assert exact(Decimal(1000)) == "۱٬۰۰۰"


def test_persian_writes_its_own_percent_and_minus_signs_and_digits_in_problems() -> None:
    from decimal import Decimal

    from dojobot.display.formats import exact, percent, written
    from dojobot.i18n import use_language

    with use_language("fa"):
        # Before: "۹۵%" (Babel keeps the pattern's ASCII sign) and "-۳٫۵".
        assert percent(0.95) == "۹۵٪"
        assert exact(Decimal("-3.5")) == "\u200e−۳٫۵"  # CLDR's minus for fa
        assert written("2.5 × 14") == "۲٫۵ × ۱۴"
    with use_language("de"):
        assert written("2.5 × 14") == "2,5 × 14"  # the decimal sign, never grouping
        assert written("17 mod 5") == "17 mod 5"
    with use_language("en"):
        assert written("√6.25") == "√6.25"


async def test_a_spanish_dot_before_three_digits_is_asked_about(dojo: Dojo) -> None:
    """Spanish writes one thousand "1000" (and Mexico writes 1.5 with a dot): "7.000" is
    not how Spanish writes a number, so it is asked about, not judged either way."""
    lucia = await dojo.standin.user(964, "Lucía", language_code="es")
    first = await say(dojo, lucia, "/start math-arithmetic-addition-d101")
    question = question_of(first)
    right = solve(question)
    # One digit before the dot: "12.000" would be twelve thousand, grouped as Spanish groups
    # 10,000 and more, so not ambiguous; the problem's answer is random.
    digit = right % 10 or 1
    asked = await say(dojo, lucia, f"{digit}.000")
    # Before: read as digit * 1000, and judged wrong.
    assert asked.plain_text.startswith(f"¿Quisiste decir {digit * 1000} o {digit}?"), (
        asked.plain_text)
    assert question_of(asked) == question  # not judged: the same problem again
    judged = await say(dojo, lucia, f"{right}0.000")  # ten thousand and more: grouped
    assert judged.plain_text.startswith(f"✗ {question} = {right} · ")
