"""A learner's memory of one fact as an FSRS-6 card (the `fsrs` library) and what it predicts.

FSRS (the scheduler in Anki since 23.10) models each fact's memory by its stability (days
for recall to fall to 90%) and difficulty, and predicts the probability of recall at any
later time. The library does the modelling; this module only rates answers, keeps a card
as plain numbers (epoch ms, no datetimes in storage) and asks the library.

Rating an answer, from correctness and time against the learner's pace p (3, 6 or 12 s):
  wrong                       Again
  right, slower than p        Hard   worked out, or recalled with effort
  right within p              Good   recalled, perhaps after a hesitation
  right within p/2            Easy   recalled at once
Why p/2 for Easy: a retrieved fact comes at a steady time well below the pace, while a fact
being worked out (counting up, a nearby fact plus a step) needs most of it. At the default
3 s pace, 1.5 s is about reading two digits and typing the answer on a phone: nothing was
computed. Half the pace keeps the same meaning at 6 and 12 s, the paces of learners who
type or read slowly.

The scheduler has no learning or relearning steps: every answer, the same day or not, is
a review, and FSRS-6 models same-day reviews with its short-term stability. No fuzzing:
the set builder spreads reviews over the learner's local day instead, and a pure engine
draws no random numbers of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from fsrs import Card, Rating, Scheduler, State

from dojobot.engine.calendar import moment_ms, utc_moment
from dojobot.engine.facts import fact_of
from dojobot.engine.memory import Standing

DAY_MS = 86_400_000
DEFAULT_RETENTION = 0.9
FLUENT_RECALL = 0.9  # predicted recall at the next day's practice for a fact to be fluent
# Below this predicted recall a fact that is not fluent shows as likely forgotten. FSRS-6
# forgets along a power law with a long tail (70% is about 15 times the stability).
FORGOTTEN_RECALL = 0.7
EASY_SHARE = 0.5  # of the pace: an answer this fast is rated Easy


@dataclass(frozen=True)
class MemoryCard:
    """One learner's FSRS card for one fact; moments in epoch ms."""

    stability: float
    difficulty: float
    last_review_ms: int
    due_ms: int
    reviews: int
    last_rating: int  # 1 Again, 2 Hard, 3 Good, 4 Easy
    last_ms: int  # response time of the last answer
    state: int = State.Review.value
    step: int | None = None

    @property
    def within_pace(self) -> bool:
        """The last answer was right within the pace (Good or Easy)."""
        return self.last_rating >= Rating.Good


def rate(correct: bool, response_ms: int, pace_ms: int) -> Rating:
    """The FSRS rating of one answer (see the module docstring for the bounds)."""
    if not correct:
        return Rating.Again
    if response_ms > pace_ms:
        return Rating.Hard
    if response_ms <= pace_ms * EASY_SHARE:
        return Rating.Easy
    return Rating.Good


def check_retention(value: float) -> float:
    """A target retention FSRS can schedule for: 0.7 to 0.97; ValueError otherwise."""
    if not 0.7 <= value <= 0.97:
        raise ValueError("the target retention must be between 0.7 and 0.97")
    return value


@functools.lru_cache(maxsize=8)
def scheduler(retention: float = DEFAULT_RETENTION) -> Scheduler:
    """FSRS-6 with its default parameters, scheduling for `retention`."""
    return Scheduler(
        desired_retention=check_retention(retention),
        learning_steps=(),
        relearning_steps=(),
        enable_fuzzing=False,
    )


def _fsrs_card(card: MemoryCard) -> Card:
    # card_id is given: left out, the library would read the clock and sleep 1 ms.
    return Card(
        card_id=0, state=State(card.state), step=card.step, stability=card.stability,
        difficulty=card.difficulty, due=utc_moment(card.due_ms),
        last_review=utc_moment(card.last_review_ms),
    )


def review(card: MemoryCard | None, correct: bool, response_ms: int, now_ms: int,
           pace_ms: int, retention: float = DEFAULT_RETENTION) -> MemoryCard:
    """The card after one more answer to its fact (a new card for a first answer)."""
    rating = rate(correct, response_ms, pace_ms)
    before = Card(card_id=0) if card is None else _fsrs_card(card)
    after, _log = scheduler(retention).review_card(before, rating, utc_moment(now_ms))
    assert after.stability is not None and after.difficulty is not None
    return MemoryCard(
        stability=after.stability, difficulty=after.difficulty, last_review_ms=now_ms,
        due_ms=moment_ms(after.due), reviews=(card.reviews if card else 0) + 1,
        last_rating=int(rating), last_ms=response_ms, state=int(after.state),
        step=after.step,
    )


def recall(card: MemoryCard, at_ms: int) -> float:
    """FSRS-6's predicted probability of recall at `at_ms`, on its forgetting curve
    R = (1 + factor * t / S) ** -decay with the library's parameters and t the time since
    the last review in days, to the millisecond. The library's own get_card_retrievability
    rounds t down to whole days (Anki schedules in days): every fact answered less than a
    day ago would read 100%, and recall at tomorrow's practice 14 hours after an evening
    set would too."""
    decay = scheduler().parameters[20]
    factor = 0.9 ** (-1 / decay) - 1
    days = max(0, at_ms - card.last_review_ms) / DAY_MS
    return float((1 + factor * days / card.stability) ** -decay)


def review_recall(card: MemoryCard, at_ms: int) -> float:
    """The library's own predicted recall (get_card_retrievability), in whole days since
    the last review as Anki schedules: the order in which a set asks due reviews
    (review_set.py). Ordering by the curve to the millisecond (`recall`) put facts missed
    hours ago ahead of facts answered days ago and lost 0.002-0.008 of recall a day later
    in every model of benchmarks/memory_week.py (BENCHMARKS.md#memory-that-lasts); in
    whole days, the facts answered since yesterday tie and the seeded tie-break spreads
    them."""
    return scheduler().get_card_retrievability(_fsrs_card(card), utc_moment(at_ms))


def is_fluent(card: MemoryCard | None, next_practice_ms: int) -> bool:
    """Fluent: the last answer was right within the pace, and recall predicted at the
    learner's next usual practice time (engine.usual_time.next_practice_ms, tomorrow) is at
    least FLUENT_RECALL."""
    return (
        card is not None
        and card.within_pace
        and recall(card, next_practice_ms) >= FLUENT_RECALL
    )


def is_due(card: MemoryCard, day_end_ms: int) -> bool:
    """Due on the learner's local day: at any time before its next midnight."""
    return card.due_ms < day_end_ms


def done_today(card: MemoryCard, day_start_ms: int) -> bool:
    """Answered right today (within the pace or not): not asked again until another day."""
    return card.last_rating >= Rating.Hard and card.last_review_ms >= day_start_ms


def band(card: MemoryCard | None, now_ms: int, next_practice_ms: int) -> Standing:
    """A fact's band on the map, each one colour with one legend entry. Fluent only when
    is_fluent, so the fluent cells are exactly the caption's count (a continuous shade by
    recall made cells green that were not fluent, and a miss orange, a colour the legend
    lacks); likely forgotten when its recall now is at most FORGOTTEN_RECALL; else met
    but not fluent yet."""
    if card is None:
        return Standing.UNSEEN
    if is_fluent(card, next_practice_ms):
        return Standing.FLUENT
    return Standing.MISSED if recall(card, now_ms) <= FORGOTTEN_RECALL else Standing.SLOW


@dataclass(frozen=True)
class CardMap:
    """A learner's map of a topic from their cards: what each cell and the caption show."""

    recall: dict[str, float]  # predicted recall now of each fact met
    due: frozenset[str]  # facts due on the learner's day
    bands: dict[str, Standing]  # each fact's band on the map
    fluent: int
    total: int
    slowest: tuple[tuple[str, int], ...]  # (fact, ms) of recent right but slow answers


def card_map(keys: Sequence[str], cards: Mapping[str, MemoryCard], now_ms: int,
             day_end_ms: int, next_practice_ms: int, slowest: int = 2) -> CardMap:
    """Each fact's predicted recall now, the facts due today, how many are fluent (at the
    learner's next usual practice time, `next_practice_ms`), the slowest."""
    met = [(k, cards[k]) for k in keys if k in cards]
    slow = sorted(((k, c.last_ms) for k, c in met if c.last_rating == Rating.Hard),
                  key=lambda item: -item[1])
    bands = {k: band(cards.get(k), now_ms, next_practice_ms) for k in keys}
    return CardMap(
        recall={k: recall(c, now_ms) for k, c in met},
        due=frozenset(k for k, c in met if is_due(c, day_end_ms)),
        bands=bands,
        fluent=sum(b is Standing.FLUENT for b in bands.values()),
        total=len(keys),
        slowest=tuple(slow[:slowest]),
    )


REVIEW_SECONDS = 15  # a review in the chat: read, answer within the pace, read the feedback


def review_minutes(due: int) -> int:
    """About how long `due` reviews take, in whole minutes (at least one)."""
    return max(1, -(-due * REVIEW_SECONDS // 60))


def replay(answers: Iterable[tuple[str, str, bool, int, int]], pace_ms: int,
           retention: float = DEFAULT_RETENTION) -> dict[tuple[str, str], MemoryCard]:
    """Cards from a learner's stored answers, oldest first: (topic code, question, right,
    response ms, answered at ms) each. Answers that ask no fact are skipped. The same
    answers give the same cards, so building them again changes nothing."""
    cards: dict[tuple[str, str], MemoryCard] = {}
    for topic, question, correct, response_ms, at_ms in answers:
        fact = fact_of(topic, question)
        if fact is None:
            continue
        key = (topic, fact.key)
        cards[key] = review(cards.get(key), correct, response_ms, at_ms, pace_ms, retention)
    return cards
