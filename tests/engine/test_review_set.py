"""FSRS sets: due reviews first (lowest recall first), then facts being learnt, new facts
at a steady rate, and a fact answered right today waits for another day."""

from __future__ import annotations

import itertools

from dojobot.engine.calendar import day_bounds
from dojobot.engine.cards import DAY_MS, MemoryCard, recall, review, review_recall
from dojobot.engine.facts import Fact, map_space
from dojobot.engine.review_set import NEW_SHARE, build_review_set

PACE = 3000
NOW = 20_000 * DAY_MS + 8 * 3_600_000  # 08:00 UTC
TODAY = day_bounds(NOW, "UTC")
MUL = map_space("mul", 1)
assert MUL is not None
SIZE = 25


def _build(cards: dict[str, MemoryCard], now: int = NOW, size: int = SIZE,
           facts: tuple[Fact, ...] | None = None) -> tuple[Fact, ...]:
    day = day_bounds(now, "UTC")
    return build_review_set(facts or MUL or (), cards, now_ms=now, day_start_ms=day.start_ms,
                            day_end_ms=day.end_ms, size=size, seed=7)


def test_a_newcomer_gets_new_facts_each_once() -> None:
    chosen = _build({})
    assert len(chosen) == SIZE
    assert len(set(chosen)) == SIZE


def test_due_reviews_lead_lowest_recall_first_then_learning_then_new() -> None:
    assert MUL is not None
    cards: dict[str, MemoryCard] = {}
    # Reviewed yesterday at 08:05: due this morning 08:05, after the set is built at 08:00.
    weak = [f.key for f in MUL[:3]]
    for key in weak:
        cards[key] = review(None, False, 5000, NOW - DAY_MS + 300_000, PACE)
    older = MUL[3].key  # missed two days ago, due since yesterday: lower recall now
    cards[older] = review(None, False, 5000, NOW - 2 * DAY_MS, PACE)
    strong = [f.key for f in MUL[4:20]]  # right and quick yesterday: due in 2 days
    for key in strong:
        cards[key] = review(None, True, 2000, NOW - DAY_MS, PACE)
    learning = MUL[20].key  # missed an hour ago: not due until tomorrow
    cards[learning] = review(None, False, 5000, NOW - 3_600_000, PACE)
    chosen = [f.key for f in _build(cards)]
    assert chosen[0] == older
    assert set(chosen[1:4]) == set(weak)
    assert chosen[4] == learning
    fresh = [k for k in chosen if k not in cards]
    assert len(fresh) >= SIZE * NEW_SHARE
    assert chosen[5:5 + len(fresh)] == fresh


def test_due_reviews_are_ordered_by_whole_days_as_fsrs_schedules() -> None:
    """Due today both: a fact answered right two days ago (its interval just ran out) and
    one missed last evening. To the minute the evening's miss has the lower recall; in
    FSRS's whole days it has not faded at all, and the older fact leads (ordering to the
    minute lost recall in every simulated model: BENCHMARKS.md#memory-that-lasts)."""
    assert MUL is not None
    older = review(None, True, 2000, NOW - 2 * DAY_MS, PACE)
    evening = review(None, False, 5000, NOW - 14 * 3_600_000, PACE)
    assert recall(evening, NOW) < recall(older, NOW)
    assert review_recall(evening, NOW) > review_recall(older, NOW)
    cards = {MUL[0].key: evening, MUL[1].key: older}
    assert [f.key for f in _build(cards)[:2]] == [MUL[1].key, MUL[0].key]


def test_new_facts_keep_their_share_however_many_are_due() -> None:
    assert MUL is not None
    cards = {f.key: review(None, False, 5000, NOW - DAY_MS, PACE) for f in MUL[:50]}
    chosen = _build(cards)
    fresh = [f for f in chosen if f.key not in cards]
    assert len(fresh) == round(SIZE * NEW_SHARE)


def test_a_fact_answered_right_today_waits_unless_nothing_else_is_left() -> None:
    assert MUL is not None
    cards = {f.key: review(None, True, 2000, NOW - 3_600_000, PACE) for f in MUL[:39]}
    cards[MUL[39].key] = review(None, False, 2000, NOW - 3_600_000, PACE)  # a miss today
    chosen = _build(cards)
    rested = {f.key for f in MUL[:39]}
    assert MUL[39] in chosen  # the miss may come back the same day
    assert not rested & {f.key for f in chosen}  # the 24 new facts fill the rest
    # Once nothing else is left, facts answered right today come again.
    everyone = {f.key: review(None, True, 2000, NOW - 3_600_000, PACE) for f in MUL}
    again = _build(everyone)
    assert len(again) == SIZE
    assert len(set(again)) == SIZE


def test_a_small_space_goes_round_without_a_fact_following_itself() -> None:
    roots = map_space("root", 1)
    assert roots is not None
    chosen = _build({}, facts=roots)
    assert len(chosen) == SIZE
    assert all(a != b for a, b in itertools.pairwise(chosen))
