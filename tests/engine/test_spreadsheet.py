"""CSV cells a spreadsheet program would run as formulas are neutralised, others kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dojobot.engine.spreadsheet import safe_cell

ATTACKS = [
    "=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1",
    "\n=1+1", " =1+1", "  @SUM(A1)", "\u00a0=1", "\u3000=1", "\u200b=1", "\u2066=1",
    "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "\ufe661", "\n", " ",
]


@pytest.mark.parametrize("value", ATTACKS)
def test_values_a_spreadsheet_would_run_are_quoted(value: str) -> None:
    assert safe_cell(value) == f"'{value}"


@pytest.mark.parametrize("value", ["Aiko", "王小明", "Ben, \"B\"", "O'Neil", "1500", "75.0", "",
                                   "a=b", "Zoë 🦊", "Stage: Shu"])
def test_ordinary_values_are_left_alone(value: str) -> None:
    assert safe_cell(value) == value


@given(st.text(min_size=1))
def test_no_cell_starts_with_a_formula_character_after_whitespace(text: str) -> None:
    cell = safe_cell(text)
    assert cell == text or cell == f"'{text}"
    if cell == text:
        assert not text[0].isspace()
        assert text.lstrip()[:1] not in set("=+-@\uff1d\uff0b\uff0d\uff20")
