"""Canonical text for exact numbers: no exponent, no trailing zeros, ASCII minus."""

from __future__ import annotations

from decimal import Decimal


def format_number(value: Decimal) -> str:
    """Render a finite Decimal canonically: `-3`, `2.5`, `1000`, never `1E+3`."""
    if not value.is_finite():
        raise ValueError(f"cannot format non-finite number {value!r}")
    if value.is_zero():
        # -0 and 0.00 are both plain zero to a learner
        return "0"
    return format(value.normalize(), "f")

