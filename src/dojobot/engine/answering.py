"""One answer's outcome: the set's next problem, the fact's memory, the stage, a test-out.

The rules live here; storage keeps their outcome in the answer's one transaction:

1. storage counts the answer (the set's counters and the topic's reps, under the set's
   row lock) and learns where the learner now stands in the topic (`InStage`);
2. `to_read` says what the decision must see beyond that: the stage's recent answers
   once the stage's reps are done, the set's answers when this answer ends it;
3. storage reads exactly that, with the fact's memory, and `judge` decides;
4. storage writes what the `Outcome` says and returns it for the reply.

The set's next state depends on the answer alone (`GivenAnswer.next_state`), so storage can
write it with the counters in step 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from dojobot.engine.answers import format_number, is_correct
from dojobot.engine.cards import DEFAULT_RETENTION, MemoryCard, review
from dojobot.engine.facts import fact_of
from dojobot.engine.human_speed import counted_for_test_out
from dojobot.engine.memory import FactMemory, remember
from dojobot.engine.practice_set import SetState, after_answer
from dojobot.engine.problems import Problem
from dojobot.engine.progression import (
    Progression,
    needs_window,
    next_stage,
    passes_test_out,
    should_advance,
)
from dojobot.engine.stats import Answer, Stats, summarize

__all__ = [
    "PROGRESS_EVERY",
    "FactUpdate",
    "GivenAnswer",
    "InStage",
    "Outcome",
    "Seen",
    "ToRead",
    "judge",
    "shows_stage_line",
    "to_read",
]

# The reply shows the stage line every this many answers, and at the end of a set.
PROGRESS_EVERY = 10


@dataclass(frozen=True)
class GivenAnswer:
    """One answer to a running set's current problem, timed from its arrival."""

    state: SetState  # the set as the answer found it; its current problem is the one answered
    given: Decimal
    response_ms: int
    at_ms: int  # when it arrived (epoch ms)
    pace_ms: int  # the learner's fluency threshold
    rules: Progression  # the topic's stage requirements and gates
    # How the Mini App timed it (dojobot.web.timing): 'device' or 'server', and the
    # device's own figure; None for the chat, timed by the bot from the answer's arrival.
    timed_by: str | None = None
    device_ms: int | None = None
    retention: float = DEFAULT_RETENTION  # FSRS schedules the fact's card for this recall

    @property
    def problem(self) -> Problem:
        """The problem this answers."""
        problem = self.state.current
        if problem is None:
            raise ValueError("a finished set has no problem to answer")
        return problem

    @cached_property
    def correct(self) -> bool:
        """Right or wrong, exactly (2.50 is 2.5)."""
        return is_correct(self.given, self.problem.answer)

    @cached_property
    def next_state(self) -> SetState:
        """The set after this answer: its next problem, or none once it is over."""
        return after_answer(self.state, self.correct)

    @property
    def given_text(self) -> str:
        """The answer as stored and shown: the number in the generator's notation."""
        return format_number(self.given)

    @property
    def fact(self) -> str | None:
        """The key of the fact this asked, when it is one of engine/facts.py's."""
        fact = fact_of(self.state.topic, self.problem.question)
        return fact.key if fact else None


@dataclass(frozen=True)
class InStage:
    """Where a learner stands in a topic: the stage, and the reps counted in it."""

    stage_id: int
    reps: int


@dataclass(frozen=True)
class ToRead:
    """What `judge` must see besides the counted standing and the fact's memory."""

    stage_window: int  # the stage's last answers the stage gate weighs (0: none)
    set_answers: bool  # the set's answers, this one included: this answer ends the set


def to_read(answer: GivenAnswer, counted: InStage) -> ToRead:
    """What storage reads for `judge`, once the answer is counted: only what can matter."""
    gate = needs_window(counted.stage_id, counted.reps, answer.rules)
    return ToRead(answer.rules.window if gate else 0, answer.next_state.current is None)


@dataclass(frozen=True)
class Seen:
    """What storage read inside the answer's transaction, as `to_read` asked."""

    counted: InStage  # this answer counted (a set begun in an earlier stage adds no rep)
    stage_window: Sequence[Answer] = ()  # the counted stage's last answers, oldest first
    # (expected, right, response ms) of each of the set's answers, when this one ends it
    set_answers: Sequence[tuple[str, bool, int]] | None = None
    memory: FactMemory | None = None  # the fact's memory before this answer (None: new)
    card: MemoryCard | None = None  # the fact's FSRS card before this answer (None: new)


@dataclass(frozen=True)
class FactUpdate:
    """A fact's memory after this answer, to be stored for the learner and topic: its
    Leitner box and its FSRS card, both kept whatever the learner's scheduler arm."""

    fact: str
    memory: FactMemory
    card: MemoryCard


@dataclass(frozen=True)
class Outcome:
    """What one answer changed, and what its reply shows."""

    correct: bool
    next_state: SetState
    stage: InStage  # where the learner stands after this answer (reps reset by an advance)
    advanced_to: int | None = None  # the stage this answer moved the learner to
    set_stats: Stats | None = None  # the set's statistics when this answer ended it
    test_out: bool | None = None  # a finished test-out: passed or not
    memory: FactUpdate | None = None  # the asked fact's memory after this answer
    stage_window: int = 0  # the reply's stage line weighs this many recent answers (0: none)

    @property
    def finished(self) -> bool:
        """The answer ended its set."""
        return self.next_state.current is None


def shows_stage_line(state: SetState) -> bool:
    """Whether the reply to the answer that left the set in `state` shows the stage line."""
    return state.current is None or state.answered % PROGRESS_EVERY == 0


def judge(answer: GivenAnswer, seen: Seen) -> Outcome:
    """The outcome of one answer, from the answer and what storage read for it."""
    rules = answer.rules
    stage = seen.counted
    advanced_to = None
    if should_advance(stage.stage_id, stage.reps, seen.stage_window, rules):
        advanced_to = next_stage(stage.stage_id)
        stage = InStage(advanced_to, 0)
    set_stats: Stats | None = None
    passed: bool | None = None
    if seen.set_answers is not None:
        set_stats = summarize(Answer(right, ms) for _expected, right, ms in seen.set_answers)
    if seen.set_answers is not None and answer.state.test_out:
        # Right answers faster than a person can read and type do not count (a script).
        counted = summarize(counted_for_test_out(seen.set_answers))
        passed = passes_test_out(counted, answer.pace_ms, answer.state.size)
        # A passed test-out moves the learner on from the stage it tested, once.
        if passed and advanced_to is None and stage.stage_id == answer.state.stage_id:
            advanced_to = next_stage(stage.stage_id)
            stage = InStage(advanced_to, 0)
    fact = answer.fact
    memory = None if fact is None else FactUpdate(
        fact,
        remember(seen.memory or FactMemory(), answer.correct, answer.response_ms,
                 answer.at_ms, answer.pace_ms),
        review(seen.card, answer.correct, answer.response_ms, answer.at_ms, answer.pace_ms,
               answer.retention),
    )
    return Outcome(
        correct=answer.correct,
        next_state=answer.next_state,
        stage=stage,
        advanced_to=advanced_to,
        set_stats=set_stats,
        test_out=passed,
        memory=memory,
        stage_window=rules.window if shows_stage_line(answer.next_state) else 0,
    )
