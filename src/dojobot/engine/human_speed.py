"""The fastest a person can answer a problem: answers quicker than this were not typed by a
person who read the problem, so they do not count toward a test-out's pass.

The floor, per problem, from its right answer as typed:

    HUMAN_FLOOR_MS = SEE_MS + KEY_MS × (characters of the answer + 1 for Send)

- SEE_MS = 250 ms: a simple reaction to a message appearing (visual reaction times are
  200-300 ms; reading and working the problem out come on top and are not counted).
- KEY_MS = 120 ms a key: a very fast typist on a phone or keyboard (about 100 words a
  minute, 500 characters); the Send key or Enter is one more key.

So "7" (2 keys) needs 490 ms, "-12" (4 keys) 730 ms, "144" 730 ms. Every term is a lower
bound of what a person does, and the measured time also includes the network both ways,
so a real learner is never below it; a script answering in 0.27 s is far below it.
"""

from __future__ import annotations

from collections.abc import Iterable

from dojobot.engine.stats import Answer

SEE_MS = 250
KEY_MS = 120


def human_floor_ms(expected: str) -> int:
    """The least time a person needs to answer a problem whose answer is `expected`."""
    return SEE_MS + KEY_MS * (len(expected.strip()) + 1)


def plausibly_human(expected: str, response_ms: int) -> bool:
    """Whether an answer took at least the human floor of its problem."""
    return response_ms >= human_floor_ms(expected)


def counted_for_test_out(answers: Iterable[tuple[str, bool, int]]) -> list[Answer]:
    """(expected, right, ms) answers as a test-out counts them: a right answer faster than a
    person could give it counts as not right."""
    return [
        Answer(right and plausibly_human(expected, ms), ms) for expected, right, ms in answers
    ]


def too_fast(answers: Iterable[tuple[str, bool, int]]) -> int:
    """How many of (expected, right, ms) answers came faster than the human floor."""
    return sum(1 for expected, _right, ms in answers if not plausibly_human(expected, ms))
