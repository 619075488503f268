"""CLDR number data that Babel does not ship.

Babel formats with each locale's separators and patterns but drops CLDR's
`minimumGroupingDigits`: the fewest digits the first group must have before a grouping
sign is written. Spanish has 2, so it writes 1000 and 10.000 (ICU and browsers do the
same); every other language here has 1 (1.000, 1 000, ۱٬۰۰۰). Printing and answer parsing
both read it here, so what the bot writes is what it reads back.
"""

from __future__ import annotations

# From CLDR's common/main/<locale>.xml, for the languages in LANGUAGES; keyed by the full
# code first, then the language (pt_PT would be 2, pt_BR is 1).
MINIMUM_GROUPING_DIGITS = {"es": 2}
GROUP_SIZE = 3  # the primary group of every language here (#,##0)


def minimum_grouping_digits(locale: str) -> int:
    """CLDR's minimumGroupingDigits for a Babel locale code ('es', 'pt_BR')."""
    found = MINIMUM_GROUPING_DIGITS.get(locale)
    return found if found is not None else MINIMUM_GROUPING_DIGITS.get(locale.split("_")[0], 1)


def groups(whole_digits: int, locale: str) -> bool:
    """Whether a number with this many digits before its decimal sign is written grouped."""
    return whole_digits >= GROUP_SIZE + minimum_grouping_digits(locale)
