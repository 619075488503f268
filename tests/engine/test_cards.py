"""FSRS cards: ratings from correctness and pace, the library's model, fluency, due days."""

from __future__ import annotations

import pytest
from fsrs import Rating

from dojobot.engine.calendar import day_bounds
from dojobot.engine.cards import (
    DAY_MS,
    card_map,
    check_retention,
    done_today,
    is_due,
    is_fluent,
    rate,
    recall,
    review,
    review_recall,
)
from dojobot.engine.memory import Standing

PACE = 3000
NOW = 20_000 * DAY_MS + 8 * 3_600_000  # 08:00 UTC


def test_ratings_follow_the_pace() -> None:
    assert rate(False, 900, PACE) is Rating.Again
    assert rate(True, 3001, PACE) is Rating.Hard
    assert rate(True, 3000, PACE) is Rating.Good
    assert rate(True, 1501, PACE) is Rating.Good
    assert rate(True, 1500, PACE) is Rating.Easy
    assert rate(True, 5000, 6000) is Rating.Good  # a slower pace moves every bound


def test_a_first_answer_makes_a_card_the_library_schedules() -> None:
    card = review(None, True, 2000, NOW, PACE)
    assert card.reviews == 1
    assert card.last_rating == Rating.Good
    assert card.stability == pytest.approx(2.3065)  # FSRS-6's initial stability for Good
    assert card.due_ms == NOW + 2 * DAY_MS  # whole days, no fuzz
    missed = review(card, False, 4000, NOW + 60_000, PACE)
    assert missed.stability < card.stability
    assert missed.reviews == 2
    assert missed.due_ms == NOW + 60_000 + DAY_MS  # a miss is due again the next day


def test_same_day_reviews_change_the_card() -> None:
    first = review(None, True, 2000, NOW, PACE)
    again = review(first, True, 1000, NOW + 3_600_000, PACE)  # Easy an hour later
    assert again.stability > first.stability


def test_fluent_means_recall_at_the_next_practice_and_within_pace() -> None:
    good = review(None, True, 2000, NOW, PACE)
    assert is_fluent(good, NOW + DAY_MS)
    slow = review(None, True, 4000, NOW, PACE)
    assert not is_fluent(slow, NOW + DAY_MS)  # right, but the recent time is over the pace
    assert not is_fluent(None, NOW + DAY_MS)
    # A next practice days away: the model predicts the fact fading by then.
    assert not is_fluent(good, NOW + 10 * DAY_MS)
    assert recall(good, NOW + 10 * DAY_MS) < 0.9 <= recall(good, NOW + DAY_MS)


def test_recall_follows_the_curve_to_the_minute() -> None:
    """Recall falls within the first day (the library alone says 100% until a whole day
    has passed), so a fact can be fluent for tomorrow morning's practice 14 hours away and
    not for one 24 hours away."""
    missed = review(None, False, 4000, NOW, PACE)
    assert recall(missed, NOW) == 1.0
    assert recall(missed, NOW + DAY_MS) < recall(missed, NOW + 14 * 3_600_000) \
        < recall(missed, NOW + 3_600_000) < 1.0
    assert review_recall(missed, NOW + 14 * 3_600_000) == 1.0  # whole days, for set order
    assert recall(missed, NOW + DAY_MS) == pytest.approx(review_recall(missed, NOW + DAY_MS))
    # An evening set: right, then missed, then right within the pace in the retry.
    card = None
    for minute, right in enumerate((True, False, True)):
        card = review(card, right, 2500, NOW + minute * 60_000, PACE)
    assert card is not None
    last = card.last_review_ms
    assert recall(card, last + 14 * 3_600_000) >= 0.9 > recall(card, last + DAY_MS)
    assert is_fluent(card, last + 14 * 3_600_000)  # for tomorrow's 08:00 set
    assert not is_fluent(card, last + DAY_MS)  # for a learner without a habit yet


def test_due_means_due_on_the_local_day() -> None:
    card = review(None, False, 4000, NOW, PACE)  # due tomorrow 08:00 UTC
    tomorrow_0755 = NOW + DAY_MS - 5 * 60_000
    utc = day_bounds(tomorrow_0755, "UTC")
    assert card.due_ms > tomorrow_0755
    assert is_due(card, utc.end_ms)  # the day's first set takes it, minutes early or not
    assert not is_due(card, day_bounds(NOW, "UTC").end_ms)
    # In Tokyo (UTC+9) 08:00 UTC is 17:00: the card is due on that local day.
    tokyo = day_bounds(tomorrow_0755, "Asia/Tokyo")
    assert tokyo.end_ms - tokyo.start_ms == DAY_MS
    assert is_due(card, tokyo.end_ms)


def test_a_right_answer_rests_until_another_day() -> None:
    today = day_bounds(NOW, "UTC")
    assert done_today(review(None, True, 2000, NOW, PACE), today.start_ms)
    assert done_today(review(None, True, 5000, NOW, PACE), today.start_ms)
    assert not done_today(review(None, False, 2000, NOW, PACE), today.start_ms)
    yesterday = review(None, True, 2000, NOW - DAY_MS, PACE)
    assert not done_today(yesterday, today.start_ms)


@pytest.mark.parametrize("value", [0.5, 0.99, 1.0])
def test_target_retention_is_checked(value: float) -> None:
    with pytest.raises(ValueError, match=r"between 0\.7 and 0\.97"):
        check_retention(value)
    assert check_retention(0.85) == 0.85


def test_the_map_is_green_exactly_where_the_caption_counts_fluent() -> None:
    """A fact known for weeks but answered slowly today is likely remembered, yet not fluent:
    it is not green, so the green cells are the caption's count. A fact missed today is in a
    band the legend has (not a shade between two)."""
    known = None
    for day in (30, 20, 10, 3):
        known = review(known, True, 1000, NOW - day * DAY_MS, PACE)
    assert known is not None
    slow_today = review(known, True, 5000, NOW - 3_600_000, PACE)
    missed_today = review(None, False, 5000, NOW - 3_600_000, PACE)
    cards = {"mul 2 3": known, "mul 2 4": slow_today, "mul 2 5": missed_today}
    summary = card_map(["mul 2 3", "mul 2 4", "mul 2 5", "mul 2 6"], cards, NOW, NOW + DAY_MS,
                       NOW + DAY_MS)
    assert summary.recall["mul 2 4"] >= 0.9  # remembered: the old map drew it green
    assert summary.bands == {"mul 2 3": Standing.FLUENT, "mul 2 4": Standing.SLOW,
                             "mul 2 5": summary.bands["mul 2 5"], "mul 2 6": Standing.UNSEEN}
    assert summary.bands["mul 2 5"] in (Standing.SLOW, Standing.MISSED)
    assert summary.fluent == 1
