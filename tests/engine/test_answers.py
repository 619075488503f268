"""parse_answer, is_correct and format_number: what learners type and what they see."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dojobot.engine import answers
from dojobot.engine.answers import (
    AnswerAmbiguous,
    AnswerRejected,
    format_number,
    is_correct,
    parse_answer,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", "12"),
        (" 12 ", "12"),
        ("\t12\n", "12"),
        ("-3", "-3"),
        ("\u22123", "-3"),  # U+2212 MINUS SIGN
        ("\u20133", "-3"),  # en dash, what some keyboards autocorrect to
        ("- 3", "-3"),
        ("+4", "4"),
        ("2.5", "2.5"),
        ("2,5", "2.5"),
        ("2,75", "2.75"),
        ("-2,5", "-2.5"),
        ("2.50", "2.5"),
        (".5", "0.5"),
        ("-.5", "-0.5"),
        ("5.", "5"),
        ("007", "7"),
        ("0", "0"),
        ("-0", "0"),
        ("1/2", "0.5"),
        ("-3/8", "-0.375"),
        ("6/3", "2"),
        ("1 / 4", "0.25"),
        ("1 000", "1000"),
        ("1\u2009000", "1000"),  # thin space
        ("1\u00a0000", "1000"),  # no-break space
        ("12 345 678", "12345678"),
        ("1 000.5", "1000.5"),
        ("\uff11\uff12", "12"),  # full-width digits
        ("\u0663", "3"),  # Arabic-Indic three
        ("۱۲", "12"),  # Persian digits
        ("١٢٫٥", "12.5"),  # Arabic-Indic with the Arabic decimal separator
        ("۱٬۰۰۰", "1000"),  # Persian with the Arabic thousands separator
        ("12,345,678", "12345678"),  # a comma that can only group
        ("999999999999999", "999999999999999"),  # 15 digits: the limit
        ("0.000000000000001", "0.000000000000001"),
    ],
)
def test_accepted(text: str, expected: str) -> None:
    assert parse_answer(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", answers.EMPTY),
        ("   ", answers.EMPTY),
        ("\u2009", answers.EMPTY),
        ("abc", answers.NOT_A_NUMBER),
        ("twelve", answers.NOT_A_NUMBER),
        ("1.2.3", answers.NOT_A_NUMBER),
        ("+-3", answers.NOT_A_NUMBER),
        ("3+4", answers.NOT_A_NUMBER),
        ("3²", answers.NOT_A_NUMBER),
        ("1.5/2", answers.NOT_A_NUMBER),
        ("3 4", answers.SEVERAL),
        ("3, 4", answers.SEVERAL),
        ("3,4,5", answers.SEVERAL),
        ("3; 4", answers.SEVERAL),
        ("3 and 4", answers.SEVERAL),
        ("1000 000", answers.SEVERAL),
        ("NaN", answers.NOT_FINITE),
        ("nan", answers.NOT_FINITE),
        ("inf", answers.NOT_FINITE),
        ("-Infinity", answers.NOT_FINITE),
        ("1e309", answers.EXPONENT),
        ("1E5", answers.EXPONENT),
        ("2.5e-3", answers.EXPONENT),
        ("0x1F", answers.NOT_DECIMAL),
        ("0b101", answers.NOT_DECIMAL),
        ("9" * 400, answers.TOO_MANY_DIGITS),
        ("9" * 16, answers.TOO_MANY_DIGITS),
        ("0.0000000000000001", answers.TOO_MANY_DIGITS),
        ("1/" + "3" * 16, answers.TOO_MANY_DIGITS),
        ("x" * 65, answers.TOO_LONG),
        ("the answer is " + "very " * 12 + "big", answers.TOO_LONG),
        ("1/0", answers.DIVISION_BY_ZERO),
        ("-5/000", answers.DIVISION_BY_ZERO),
        ("1/3", answers.NOT_TERMINATING),
        ("1,000", answers.AMBIGUOUS),  # no locale: one thousand, or one?
        ("1.000,5.5", answers.SEVERAL),
    ],
)
def test_rejected_with_reason(text: str, reason: str) -> None:
    with pytest.raises(AnswerRejected) as caught:
        parse_answer(text)
    assert caught.value.reason == reason
    assert str(caught.value) == reason
    assert isinstance(caught.value, ValueError)


def test_reasons_are_distinct_learner_sentences() -> None:
    reasons = [
        value
        for name, value in vars(answers).items()
        if name.isupper() and not name.startswith("_") and isinstance(value, str)
    ]
    assert len(reasons) == len(set(reasons)) >= 10
    assert all(r.endswith(".") and len(r) < 100 for r in reasons)


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, max_value=10**12, min_value=-(10**12)
    )
)
def test_format_then_parse_round_trips(value: Decimal) -> None:
    assert parse_answer(format_number(value)) == value


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1))
def test_whole_numbers_parse(value: int) -> None:
    assert parse_answer(str(value)) == value
    assert parse_answer(f" {value:,}".replace(",", " ")) == value


@pytest.mark.parametrize(
    ("given_", "expected", "correct"),
    [
        ("2.50", "2.5", True),
        ("-0", "0", True),
        ("1E+3", "1000", True),
        ("2.51", "2.5", False),
        ("-3", "3", False),
        ("NaN", "NaN", False),
    ],
)
def test_is_correct(given_: str, expected: str, correct: bool) -> None:
    assert is_correct(Decimal(given_), Decimal(expected)) is correct


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("-3", "-3"),
        ("2.50", "2.5"),
        ("1000", "1000"),
        ("1E+3", "1000"),
        ("0.00", "0"),
        ("-0", "0"),
        ("0.05", "0.05"),
        ("-1234.5", "-1234.5"),
        ("1E-7", "0.0000001"),
    ],
)
def test_format_number(value: str, text: str) -> None:
    assert format_number(Decimal(value)) == text


def test_format_number_refuses_non_finite() -> None:
    with pytest.raises(ValueError, match="non-finite"):
        format_number(Decimal("NaN"))


# What each locale makes of the same keys: (text, locale, value).
@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1.000", "de", "1000"),  # German groups with dots
        ("10.000", "es", "10000"),  # Spanish groups from five digits on (CLDR)
        ("1 000", "es", "1000"),  # a space groups in every language
        ("1.500,5", "es", "1500.5"),  # the decimal comma leaves one reading
        ("1.000", "pt_BR", "1000"),
        ("1.000", "en", "1"),
        ("1,000", "en", "1000"),
        ("1,000", "de", "1"),  # German decimal comma
        ("2,5", "de", "2.5"),
        ("2.5", "de", "2.5"),  # a dot before one digit cannot group: the other reading
        ("2,5", "en", "2.5"),
        ("1.234,5", "de", "1234.5"),
        ("1,234.5", "de", "1234.5"),  # the other way round fits only as English
        ("1.000.000", "de", "1000000"),
        ("1 000", "ru", "1000"),
        ("1\u00a0000,5", "ru", "1000.5"),
        ("2.5", "ru", "2.5"),
        ("-1.000", "de", "-1000"),
        ("۲.۵", "fa", "2.5"),
        ("۲٫۵", "fa", "2.5"),
        ("۱٬۰۰۰", "fa", "1000"),
        ("1.000", "xx_unknown", "1"),  # an unknown locale reads like none
    ],
)
def test_read_as_the_locale_writes(text: str, locale: str, expected: str) -> None:
    assert parse_answer(text, locale) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "locale", "readings"),
    [
        ("1.000", "ru", ("1000", "1")),  # Russian groups with spaces: a dot could be either
        ("1,500", "fa", ("1500", "1.5")),
        ("1.500", "fa", ("1500", "1.5")),
        ("-2.500", "ru", ("-2500", "-2.5")),
        ("1,000", None, ("1000", "1")),
        # Spanish writes one thousand "1000": a dot there is no Spanish grouping, and some
        # Spanish-speaking countries write decimals with a dot.
        ("1.000", "es", ("1000", "1")),
    ],
)
def test_two_readings_ask_instead_of_judging(
    text: str, locale: str | None, readings: tuple[str, str]
) -> None:
    with pytest.raises(AnswerAmbiguous) as caught:
        parse_answer(text, locale)
    assert caught.value.readings == tuple(Decimal(r) for r in readings)
    assert caught.value.reason == answers.AMBIGUOUS


LOCALES = st.sampled_from([None, "en", "de", "es", "pt_BR", "ru", "fa"])
SCRIPTS = st.sampled_from(["0123456789", "۰۱۲۳۴۵۶۷۸۹", "٠١٢٣٤٥٦٧٨٩",
                           "".join(chr(0xFF10 + i) for i in range(10))])  # full-width


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1), LOCALES, SCRIPTS)
def test_plain_whole_numbers_read_alike_everywhere(
    value: int, locale: str | None, digits: str
) -> None:
    written = str(value).translate(str.maketrans("0123456789", digits))
    assert parse_answer(written, locale) == value


@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=2,
                min_value=-(10**9), max_value=10**9),
    st.sampled_from(["en", "de", "es", "pt_BR", "ru", "fa"]),
)
def test_what_the_bot_writes_the_parser_reads(value: Decimal, locale: str) -> None:
    """A number as the bot writes it in the locale (CLDR: grouping, minimum grouping
    digits, the locale's digits and minus sign) reads back as itself."""
    from dojobot.display.formats import exact
    from dojobot.i18n import use_language

    with use_language(locale):
        written = exact(value)
    assert parse_answer(written, locale) == value


@given(
    st.integers(min_value=0, max_value=999_999),
    st.integers(min_value=1, max_value=99),
    LOCALES,
)
def test_a_decimal_with_one_or_two_places_is_never_ambiguous(
    whole: int, hundredths: int, locale: str | None
) -> None:
    """'12.5' and '12,75' (no grouping) have one reading under every locale: a group has
    three digits."""
    places = f"{hundredths:02d}".rstrip("0") or "0"
    for sign in ".,":
        assert parse_answer(f"{whole}{sign}{places}", locale) == Decimal(f"{whole}.{places}")


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999), LOCALES)
def test_never_a_silent_wrong_verdict(head: int, tail: int, locale: str | None) -> None:
    """'h.ttt' or 'h,ttt' is h*1000+t or h+t/1000: the parser gives one of the two, and
    gives one only when the locale (or the only fitting reading) says which."""
    for sign in ".,":
        text = f"{head}{sign}{tail:03d}"
        grouped, pointed = Decimal(head * 1000 + tail), Decimal(f"{head}.{tail:03d}")
        try:
            value = parse_answer(text, locale)
        except AnswerAmbiguous as asked:
            readings = set(asked.readings)
        else:
            readings = {value}
        assert readings <= {grouped, pointed}
