"""Numbers, durations, dates and times as the current language writes them (Babel/CLDR).

Rounding stays the engine's (2250 ms is 2.3 s, 99.6% is not 100%); only the writing changes:
'2.3 s' in English, '2,3 s' in German, '95 %' in Russian, '۹۵٪' in Persian, '1000' but
'10.000' in Spanish. Babel leaves three things of CLDR's to us, done here: the locale's own
digits, its own percent and minus signs, and its minimum grouping digits (engine/grouping.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.dates import format_date, format_interval, format_skeleton
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent

from dojobot.engine.calendar import Period, local_datetime, period_bounds, zone
from dojobot.engine.grouping import groups
from dojobot.engine.progression import TEST_OUT_ACCURACY
from dojobot.engine.stats import whole_percent
from dojobot.i18n import _, current

DASH = "\u2014"


# Digits of the numbering systems CLDR makes some locales' default (Persian: arabext).
_NATIVE_DIGITS = {
    "arabext": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"),
    "arab": str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"),
}


def native_digits(text: str) -> str:
    """Text with its 0-9 written in the current locale's own digits, where CLDR says so."""
    table = _NATIVE_DIGITS.get(current().locale.default_numbering_system)
    return text.translate(table) if table else text


def _finished(text: str) -> str:
    """Babel's output as CLDR writes it: Babel keeps the pattern's ASCII '%' and '-' where
    the locale has its own signs (Persian '٪' and '\u200e−'), and Latin digits."""
    locale = current().locale
    symbols = locale.number_symbols[locale.default_numbering_system]
    if text.startswith("-"):
        text = symbols["minusSign"] + text[1:]
    return native_digits(text.replace("%", symbols["percentSign"]))


def _grouped(value: Decimal | float) -> bool:
    """Whether the locale writes this number with grouping signs (Spanish: not 1000)."""
    whole = len(str(int(abs(Decimal(value)))))
    return groups(whole, str(current().locale))


def exact(value: Decimal, *, grouping: bool = True) -> str:
    """An exact answer as the learner's language writes it: '2.5', '2,5', '1.000', '۲٫۵'.
    Every digit is kept (no rounding); `grouping=False` for a number that must read back
    the same under any locale's thousands sign ('1000')."""
    return _finished(format_decimal(
        value, locale=current().locale, decimal_quantization=False,
        group_separator=grouping and _grouped(value), numbering_system="default",
    ))


_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


def written(text: str) -> str:
    """Text holding plain ASCII numbers (a problem '2.5 × 4', '√49', '17 mod 5'; a chart's
    tick '1.5') with its numbers in the learner's decimal sign and digits: '2,5 × 4',
    '۲٫۵ × ۴'. Nothing else changes (no grouping, no rounding, signs and operators kept),
    so a problem reads the same in every language."""
    locale = current().locale
    decimal = locale.number_symbols[locale.default_numbering_system]["decimal"]
    return native_digits(_DECIMAL_POINT.sub(decimal, text))


def seconds(ms: float | None) -> str:
    """Milliseconds as seconds with one decimal ('2.3 s', '2,3 s'); a dash for None."""
    if ms is None:
        return DASH
    value = (Decimal(str(ms)) / 1000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return _("{seconds} s").format(seconds=_tenths(current().code, value))


@lru_cache(maxsize=4096)
def _tenths(code: str, value: Decimal) -> str:
    # Every answer shows a time: Babel's formatting (tens of µs) is done once per value.
    return _finished(format_decimal(
        value, "0.0", locale=current().locale, numbering_system="default",
        group_separator=_grouped(value),
    ))


def percent(accuracy: float | None) -> str:
    """Accuracy as a whole percentage ('95%', '95 %', '۹۵٪'); 'no answers yet' for None."""
    if accuracy is None:
        return _("no answers yet")
    return _finished(format_percent(
        whole_percent(accuracy) / 100, locale=current().locale, numbering_system="default"
    ))


def test_out_share() -> str:
    """The share a test-out needs, from the engine's constant: '95%', '95 %'."""
    return percent(float(TEST_OUT_ACCURACY))


def number(value: float) -> str:
    """A number with the locale's decimal sign and grouping: '1,000', '1000' in Spanish."""
    return _finished(format_decimal(
        value, locale=current().locale, numbering_system="default",
        group_separator=_grouped(value),
    ))


def listed(items: Iterable[str]) -> str:
    """Items joined with the locale's list comma: 'a, b, c'; Persian 'a، b، c'. No final
    'and': a list of names or problems, not a sentence."""
    middle = current().locale.list_patterns["standard"]["middle"]
    return functools.reduce(lambda done, item: middle.format(done, item), items)


def either(items: Iterable[str]) -> str:
    """Choices joined as the locale says "or": 'a, b, or c', 'a, b oder c' (CLDR)."""
    return format_list(list(items), style="or", locale=current().locale)


# Babel writes dates and times in Latin digits whatever the locale's numbering system: each
# goes through native_digits, as CLDR (and a browser) writes them: Persian '۲۴ نوامبر'.
def day(value: date) -> str:
    """A date: 'Nov 24, 2025', '24.11.2025'."""
    return native_digits(format_date(value, "medium", locale=current().locale))


def short_day(value: date) -> str:
    """Day and month: 'Nov 24', '24. Nov.'."""
    return native_digits(format_skeleton("MMMd", value, locale=current().locale))


def weekday_day(value: date) -> str:
    """Weekday, day and month: 'Tue, Nov 25'."""
    return native_digits(format_skeleton("MMMEd", value, locale=current().locale))


def clock(value: time | datetime) -> str:
    """A time of day on the 24-hour clock in the locale's writing ('18:30', '۱۸:۳۰')."""
    return native_digits(format_skeleton("Hm", value, locale=current().locale))


def week(week_start_ms: int, tz: str) -> str:
    """The week starting then: 'Nov 24 – 30, 2025', '24.–30.11.2025'."""
    start = local_datetime(week_start_ms, zone(tz))
    return native_digits(format_interval(
        start.date(), start.date() + timedelta(days=6), "yMMMd", locale=current().locale
    ))


def period(value: Period, now_ms: int, tz: str) -> str:
    """'this week (Nov 24 – 30, 2025)', 'November 2025' or 'all time'."""
    if value is Period.ALL:
        return _("all time")
    bounds = period_bounds(value, now_ms, tz)
    if value is Period.WEEK:
        return _("this week ({dates})").format(dates=week(bounds.start_ms, tz))
    month = local_datetime(bounds.start_ms, zone(tz))
    return native_digits(format_skeleton("yMMMM", month, locale=current().locale))
