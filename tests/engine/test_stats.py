"""Statistics from the answers themselves: true medians, None instead of NaN."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dojobot.engine.stats import (
    Answer,
    Stats,
    median,
    summarize,
)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        ([5], 5.0),
        ([3, 1, 2], 2.0),
        ([4, 1, 3, 2], 2.5),
        ([1000, 1000, 9000, 9000], 5000.0),
        ([7, 7, 7, 100000], 7.0),
    ],
)
def test_median(values: list[float], expected: float | None) -> None:
    assert median(values) == expected


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=50))
def test_median_splits_the_values(values: list[int]) -> None:
    m = median(values)
    assert m is not None
    assert sum(v < m for v in values) <= len(values) / 2
    assert sum(v > m for v in values) <= len(values) / 2


def test_summarize_empty_is_none_not_nan() -> None:
    assert summarize([]) == Stats(0, 0, None, None, None)


def test_summarize_uses_all_answers_not_a_mean_of_medians() -> None:
    # two sessions: medians 1000 and 5000, but the true median of all five answers is 1000
    session_a = [Answer(True, 1000), Answer(True, 1000), Answer(False, 1000)]
    session_b = [Answer(True, 5000), Answer(True, 5000)]
    stats = summarize(iter(session_a + session_b))
    assert stats == Stats(reps=5, correct=4, accuracy=0.8, mean_ms=2600.0, median_ms=1000.0)
