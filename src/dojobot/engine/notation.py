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


def decimal_places(value: Decimal) -> int:
    """Number of digits after the point in the canonical form of value."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def significant_digits(value: Decimal) -> int:
    """Digits of value with sign, point and leading zeros removed (0 counts as 1)."""
    if value.is_zero():
        return 1
    sign_digits_exponent = value.normalize().as_tuple()
    exponent = sign_digits_exponent.exponent
    assert isinstance(exponent, int)
    # a positive exponent stands for trailing zeros of a whole number (1E+3 is 1000)
    return len(sign_digits_exponent.digits) + max(0, exponent)
