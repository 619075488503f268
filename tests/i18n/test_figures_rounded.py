"""Times and accuracies are rounded by the engine's rules whatever the language writes:
2250 ms is 2.3 s (not the float's 2.2 s), and 99.5% is not perfect nor 0.4% nothing."""

from __future__ import annotations

import pytest

from dojobot.display.formats import percent, seconds
from dojobot.i18n import resolve, use_language


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (None, "—"),
        (2300, "2.3 s"),
        (2250, "2.3 s"),
        (2249, "2.2 s"),
        (0, "0.0 s"),
        (61000, "61.0 s"),
        (1234.5, "1.2 s"),
    ],
)
def test_seconds_with_one_decimal_rounded_half_up(ms: float | None, text: str) -> None:
    with use_language(resolve("en")):
        assert seconds(ms) == text


@pytest.mark.parametrize(
    ("acc", "text"),
    [
        (None, "no answers yet"),
        (0.95, "95%"),
        (1.0, "100%"),
        (0.0, "0%"),
        (0.995, "99%"),
        (0.004, "1%"),
        (0.125, "13%"),
        (0.29, "29%"),
    ],
)
def test_accuracy_as_a_whole_percentage(acc: float | None, text: str) -> None:
    with use_language(resolve("en")):
        assert percent(acc) == text


def test_the_same_rounding_in_german() -> None:
    with use_language(resolve("de")):
        assert (seconds(2250), percent(0.995)) == ("2,3 s", "99\xa0%")
