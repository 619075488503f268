"""Reading a learner's typed answer into an exact Decimal, and checking it.

Accepted (decisions, so handlers and tests agree):

- whole numbers and decimals: `12`, ` 12 `, `+4`, `-3`, and -3 written with U+2212
  MINUS SIGN or an en dash,
  `2.5`, `2.50`, `.5`, `5.`; full-width digits are read as ASCII digits.
- a decimal comma: ONE comma followed by 1 or 2 digits, `2,5` or `2,75`. A comma before
  exactly 3 digits (`1,000`) is ambiguous between locales, so it is rejected with a hint.
- thousands separators: single normal, no-break or thin spaces between groups of exactly
  three digits, `1 000` or `12 345.5`; anything else with spaces is several numbers.
- fractions `a/b` with whole a (optionally signed) and whole b != 0, taken as the exact
  value, but only when that value is a terminating decimal (`1/2`, `3/8`); `1/3` is
  rejected because every answer in the dojo is a whole number or a short decimal.

At most 15 digits (leading zeros and trailing decimal zeros not counted) and 64
characters. No exponents, hex, NaN or infinity.
"""

from __future__ import annotations

import re
from decimal import Decimal, Inexact, localcontext

from dojobot.engine.notation import format_number
from dojobot.i18n import N_

__all__ = ["AnswerRejected", "format_number", "is_correct", "parse_answer"]

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
COMMA_THOUSANDS = N_(
    "Please write big numbers without commas, like 1000; decimals like 2.5 or 2,5."
)
DIVISION_BY_ZERO = N_("A fraction can't have 0 below the line. Please send the answer, like 3/4.")
NOT_TERMINATING = N_(
    "That fraction has no exact decimal. Answers here are whole or short decimals."
)


class AnswerRejected(ValueError):
    """A typed answer that is not a single readable number; `reason` is for the learner."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
        **{chr(0xFF10 + i): str(i) for i in range(10)},
    }
)

_SIGN = r"(?P<sign>[+-]?)\s*"
_PLAIN = re.compile(
    _SIGN + r"(?P<int>\d+|\d{1,3}(?: \d{3})+)?(?:\.(?P<dot>\d*)|,(?P<comma>\d{1,2}))?",
    re.ASCII,
)
_FRACTION = re.compile(_SIGN + r"(?P<num>\d+)\s*/\s*(?P<den>\d+)", re.ASCII)
_NON_FINITE = re.compile(r"[+-]?\s*(nan|s?nan|inf|infinity|∞)", re.IGNORECASE)
_EXPONENT = re.compile(
    r"[+-]?\s*(\d+[.,]?\d*|[.,]\d+)\s*e\s*[+-]?\s*\d+", re.IGNORECASE | re.ASCII
)
_RADIX = re.compile(r"[+-]?\s*0[xob][0-9a-f_]*", re.IGNORECASE | re.ASCII)
_COMMA_GROUPS = re.compile(r"[+-]?\s*\d{1,3}(?:,\d{3})+(?:\.\d*)?", re.ASCII)
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


def parse_answer(text: str) -> Decimal:
    """Parse one typed answer to an exact Decimal or raise AnswerRejected with a reason."""
    cleaned = text.translate(_TRANSLATE).strip()
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
    if plain and (plain["int"] or plain["dot"] or plain["comma"]):
        int_part = (plain["int"] or "").replace(" ", "")
        frac_part = plain["dot"] or plain["comma"] or ""
        if _digit_count(int_part, frac_part) > MAX_DIGITS:
            raise AnswerRejected(TOO_MANY_DIGITS)
        number = int_part or "0"
        if frac_part:
            number += "." + frac_part
        return Decimal(plain["sign"] + number)
    if _COMMA_GROUPS.fullmatch(cleaned):
        raise AnswerRejected(COMMA_THOUSANDS)
    if _SEVERAL.fullmatch(cleaned):
        raise AnswerRejected(SEVERAL)
    raise AnswerRejected(NOT_A_NUMBER)


def is_correct(given: Decimal, expected: Decimal) -> bool:
    """Exact numeric equality: 2.50 equals 2.5, -0 equals 0."""
    if not (given.is_finite() and expected.is_finite()):
        return False
    return given == expected
