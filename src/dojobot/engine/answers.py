"""Reading a learner's typed answer into an exact Decimal, and checking it.

Accepted (decisions, so handlers and tests agree):

- whole numbers and decimals: `12`, ` 12 `, `+4`, `-3`, and -3 written with U+2212
  MINUS SIGN or an en dash, `2.5`, `2,5`, `2.50`, `.5`, `5.`.
- digits of any script: Persian ۰–۹, Arabic-Indic ٠–٩, full-width (U+FF10-FF19), Devanagari... are
  read as 0–9; the Arabic decimal and thousands separators ٫ and ٬ are what they say.
- the learner's locale decides what `.` and `,` mean (`parse_answer(text, "de")`): in German
  `1.000` is one thousand and `1,5` one and a half; in English the other way round. When the
  locale's reading does not fit (`2.5` typed by a German learner: no thousands group has one
  digit) the other reading is taken if it is the only one. When two readings remain (`1.000`
  from a Russian learner, whose locale uses neither for thousands; `1,000` when the locale is
  unknown) the answer is not judged: AnswerAmbiguous asks which number was meant.
- a locale's grouping sign counts only where the locale writes one (CLDR's minimum grouping
  digits, engine/grouping.py): Spanish writes 1000 and 10.000, so a Spanish `1.000` is not the
  locale's writing of anything, and is asked about (1000, or 1 with a decimal point?), while
  `10.000` is ten thousand.
- thousands separators: spaces (normal, no-break, thin) or the locale's sign between groups
  of exactly three digits, `1 000`, `12 345.5`, `1.000.000` (de); anything else with spaces
  is several numbers.
- fractions `a/b` with whole a (optionally signed) and whole b != 0, taken as the exact
  value, but only when that value is a terminating decimal (`1/2`, `3/8`); `1/3` is
  rejected because every answer in the dojo is a whole number or a short decimal.

At most 15 digits (leading zeros and trailing decimal zeros not counted) and 64
characters. No exponents, hex, NaN or infinity.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, Inexact, localcontext
from functools import lru_cache
from itertools import product

from babel.core import UnknownLocaleError
from babel.numbers import get_decimal_symbol, get_group_symbol

from dojobot.engine.grouping import groups
from dojobot.engine.notation import format_number
from dojobot.i18n import N_

__all__ = ["AnswerAmbiguous", "AnswerRejected", "format_number", "is_correct", "parse_answer"]

MAX_CHARS = 64
MAX_DIGITS = 15

# Reasons for the learner, in English: marked for translation, translated when shown.
EMPTY = N_("Please send a number, like 42.")
NOT_A_NUMBER = N_("That doesn't look like a number. Please send just the answer, like 42 or 2.5.")
SEVERAL = N_("Please send one number only.")
NOT_FINITE = N_("Please send an ordinary number, like 42; NaN and infinity are not answers.")
EXPONENT = N_("Please write the number out in full, like 1500, without e-notation.")
NOT_DECIMAL = N_("Please use ordinary decimal digits, like 31, not hex or binary.")
TOO_MANY_DIGITS = N_("That number has too many digits; answers here have at most 15.")
TOO_LONG = N_("That message is too long. Please send just the answer, like 42.")
# Translators: {one} and {other} are the two numbers the answer could mean, written as
# your language writes them, e.g. "Did you mean 1000 or 1?"
AMBIGUOUS = N_("Did you mean {one} or {other}? Please send it again, written like that.")
DIVISION_BY_ZERO = N_("A fraction can't have 0 below the line. Please send the answer, like 3/4.")
NOT_TERMINATING = N_(
    "That fraction has no exact decimal. Answers here are whole or short decimals."
)


class AnswerRejected(ValueError):
    """A typed answer that is not a single readable number; `reason` is for the learner."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AnswerAmbiguous(AnswerRejected):
    """A number with two readings under the learner's locale (`1.000`: 1000 or 1): not
    judged; the learner is asked which, with `readings` written out where it is shown."""

    def __init__(self, readings: tuple[Decimal, Decimal]) -> None:
        super().__init__(AMBIGUOUS)
        self.readings = readings


# Look-alike characters phones and keyboards produce, mapped to the ASCII we parse.
_TRANSLATE = str.maketrans(
    {
        "\u2212": "-",  # minus sign
        "\u2013": "-",  # en dash (autocorrected minus)
        "\ufe63": "-",  # small hyphen-minus
        "\uff0d": "-",  # full-width hyphen-minus
        "\uff0b": "+",
        "\u00a0": " ",  # no-break space
        "\u2009": " ",  # thin space
        "\u202f": " ",  # narrow no-break space
        "\u2007": " ",  # figure space
        "\uff0e": ".",
        "\uff0c": ",",
        "\u2044": "/",  # fraction slash
        "\u2215": "/",  # division slash
        "\u066b": "\u066b",  # Arabic decimal separator: kept, always a decimal point
        "\u066c": "\u066c",  # Arabic thousands separator: kept, always a group sign
        "\u060c": ",",  # Arabic comma
        # Direction marks: a Persian keyboard adds them, and the bot's own Persian answers
        # carry them ("\u200e−۳", CLDR's minus for fa); they are invisible, not text.
        "\u200e": None, "\u200f": None, "\u061c": None,
        "\u2066": None, "\u2067": None, "\u2068": None, "\u2069": None,
    }
)
_ARABIC_DECIMAL = "\u066b"

_SIGN = r"(?P<sign>[+-]?)\s*"
# A number's body: digits with separators between them (or one leading, for `.5`).
_PLAIN = re.compile(_SIGN + r"(?P<body>[0-9][0-9., \u066b\u066c]*|[.,\u066b][0-9]+)")
_SEPARATOR = re.compile(r"([., \u066b\u066c])")
_DECIMAL, _GROUP = "decimal", "group"
_FRACTION = re.compile(_SIGN + r"(?P<num>\d+)\s*/\s*(?P<den>\d+)", re.ASCII)
_NON_FINITE = re.compile(r"[+-]?\s*(nan|s?nan|inf|infinity|∞)", re.IGNORECASE)
_EXPONENT = re.compile(
    r"[+-]?\s*(\d+[.,]?\d*|[.,]\d+)\s*e\s*[+-]?\s*\d+", re.IGNORECASE | re.ASCII
)
_RADIX = re.compile(r"[+-]?\s*0[xob][0-9a-f_]*", re.IGNORECASE | re.ASCII)
_NUMBERISH = r"[+-]?\s*[\d.,/]*\d[\d.,/]*"
_SEVERAL = re.compile(
    _NUMBERISH + r"(?:(?:\s*[,;&]\s*|\s+|\s*and\s*)" + _NUMBERISH + ")+", re.ASCII | re.IGNORECASE
)
_DIGITS_ONLY = re.compile(r"[+-]?[\d\s.,]+", re.ASCII)


def _digit_count(int_part: str, frac_part: str) -> int:
    """Digits that carry value: whole part without leading zeros, fraction without trailing."""
    return len(int_part.lstrip("0")) + len(frac_part.rstrip("0"))


def _fraction(sign: str, num: str, den: str) -> Decimal:
    """Exact Decimal value of sign num/den, or AnswerRejected."""
    if int(den) == 0:
        raise AnswerRejected(DIVISION_BY_ZERO)
    if max(len(num.lstrip("0")), len(den.lstrip("0"))) > MAX_DIGITS:
        raise AnswerRejected(TOO_MANY_DIGITS)
    with localcontext() as ctx:
        # a terminating a/b with b <= 10^15 needs at most ~65 digits; Inexact means 1/3
        ctx.prec = 100
        ctx.traps[Inexact] = True
        try:
            value = Decimal(int(num)) / Decimal(int(den))
        except Inexact:
            raise AnswerRejected(NOT_TERMINATING) from None
    return -value if sign == "-" else value


def _ascii_digits(text: str) -> str:
    """Every decimal digit of any script (Persian ۳, Arabic-Indic ٣, full-width) as 0-9."""
    return "".join(
        str(unicodedata.decimal(c)) if not c.isascii() and c.isdecimal() else c for c in text
    )


@lru_cache(maxsize=64)
def _locale_roles(locale: str | None) -> dict[str, str]:
    """What `.` and `,` mean in a locale: {".": _DECIMAL, ",": _GROUP} in English; a sign the
    locale uses for neither (Russian `.`, Persian `.` and `,`) is left out: it may be either.
    No locale: `.` is a decimal point, `,` may be either (today's answers keep their meaning).
    """
    if locale is None:
        return {".": _DECIMAL}
    try:
        decimal = get_decimal_symbol(locale, numbering_system="default")
        group = get_group_symbol(locale, numbering_system="default")
    except (UnknownLocaleError, ValueError):
        return {".": _DECIMAL}
    roles = {}
    for sign in ".,":
        if sign == decimal:
            roles[sign] = _DECIMAL
        elif sign == group:
            roles[sign] = _GROUP
    return roles


def _read(body: str, roles: dict[str, str], locale: str | None = None) -> Decimal | None:
    """The body's value when `.` and `,` play the given roles, None if it doesn't fit them:
    one decimal sign at most, after every group sign; groups of three digits after the first
    (of one to three), all with the same sign; with a locale, only as many digits as that
    locale groups (Spanish: 10.000 but not 1.000)."""
    parts = _SEPARATOR.split(body)
    chunks, signs = parts[0::2], parts[1::2]
    role = [roles.get(c, _DECIMAL if c == _ARABIC_DECIMAL else _GROUP) for c in signs]
    decimals = [i for i, r in enumerate(role) if r == _DECIMAL]
    if len(decimals) > 1 or (decimals and decimals[0] != len(signs) - 1):
        return None
    whole = chunks[: len(signs) - len(decimals) + 1]
    fraction = chunks[-1] if decimals else ""
    if len(whole) > 1:
        if len(set(signs[: len(whole) - 1])) > 1 or not 1 <= len(whole[0]) <= 3:
            return None
        if any(len(group) != 3 for group in whole[1:]):
            return None
        if locale is not None and not groups(len("".join(whole)), locale):
            return None
    elif not whole[0] and not fraction:
        return None
    int_part = "".join(whole)
    if _digit_count(int_part, fraction) > MAX_DIGITS:
        raise AnswerRejected(TOO_MANY_DIGITS)
    return Decimal(f"{int_part or '0'}.{fraction or '0'}")


def _readings(body: str, roles: dict[str, str], locale: str | None = None) -> set[Decimal]:
    """Every value the body can have with the given roles (and the locale's grouping), each
    free sign either way."""
    free = [sign for sign in ".," if sign in body and sign not in roles]
    found = set()
    for choice in product((_DECIMAL, _GROUP), repeat=len(free)):
        value = _read(body, roles | dict(zip(free, choice, strict=True)), locale)
        if value is not None:
            found.add(value)
    return found


def _plain(sign: str, body: str, locale: str | None) -> Decimal | None:
    """A plain number: the locale's reading when it fits, else the only other one."""
    readings = _readings(body, _locale_roles(locale), locale) or _readings(body, {})
    if not readings:
        return None
    if len(readings) > 1:
        low, high = sorted(readings)
        raise AnswerAmbiguous((-high, -low) if sign == "-" else (high, low))
    value = readings.pop()
    return -value if sign == "-" else value


def parse_answer(text: str, locale: str | None = None) -> Decimal:
    """Parse one typed answer to an exact Decimal or raise AnswerRejected with a reason.

    `locale` (a Babel identifier: "de", "pt_BR") says how the learner writes numbers;
    None reads `.` as the decimal point and asks about a `,` before three digits."""
    cleaned = _ascii_digits(text.translate(_TRANSLATE)).strip()
    if not cleaned:
        raise AnswerRejected(EMPTY)
    if len(cleaned) > MAX_CHARS:
        raise AnswerRejected(TOO_MANY_DIGITS if _DIGITS_ONLY.fullmatch(cleaned) else TOO_LONG)
    if _NON_FINITE.fullmatch(cleaned):
        raise AnswerRejected(NOT_FINITE)
    if _RADIX.fullmatch(cleaned):
        raise AnswerRejected(NOT_DECIMAL)
    if _EXPONENT.fullmatch(cleaned):
        raise AnswerRejected(EXPONENT)
    if fraction := _FRACTION.fullmatch(cleaned):
        return _fraction(fraction["sign"], fraction["num"], fraction["den"])
    plain = _PLAIN.fullmatch(cleaned)
    if plain and (value := _plain(plain["sign"], plain["body"], locale)) is not None:
        return value
    if _SEVERAL.fullmatch(cleaned):
        raise AnswerRejected(SEVERAL)
    raise AnswerRejected(NOT_A_NUMBER)


def is_correct(given: Decimal, expected: Decimal) -> bool:
    """Exact numeric equality: 2.50 equals 2.5, -0 equals 0."""
    if not (given.is_finite() and expected.is_finite()):
        return False
    return given == expected
