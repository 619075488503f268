"""Cells for CSV files that people open in a spreadsheet program.

A spreadsheet runs a cell as a formula when it starts with = + - @ (or their full-width
forms, which some programs fold to ASCII), and several programs skip leading whitespace,
tabs, newlines and invisible characters before deciding. Names are chosen by learners, so
any value that starts like that gets a leading apostrophe: shown as text, never run.
"""

from __future__ import annotations

import unicodedata

# = + - @, their full-width forms and the small form variants.
_FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")


def _suspicious_start(char: str) -> bool:
    # Whitespace (space, tab, CR, LF, NBSP, ideographic space), controls and invisible
    # format characters (zero-width space, bidi marks) may hide a formula behind them.
    return (
        char in _FORMULA_START
        or char.isspace()
        or unicodedata.category(char) in {"Cc", "Cf", "Zs", "Zl", "Zp"}
    )


def safe_cell(value: object) -> str:
    """`value` as CSV cell text that no spreadsheet program will evaluate."""
    text = str(value)
    return f"'{text}" if text and _suspicious_start(text[0]) else text
