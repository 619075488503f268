"""What a learner reads: message texts and keyboards, in one place so they stay consistent."""

from __future__ import annotations

from fractions import Fraction
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from dojobot.engine.practice_set import SetState, position, remaining
from dojobot.engine.stats import Stats, format_accuracy, format_seconds
from dojobot.handlers.callbacks import Go, Menu, Nav, ShowProgress, Topics
from dojobot.storage.catalogue import Catalogue, DifficultyLevel, Stage, Topic
from dojobot.storage.streaks import Streak

LEVEL_EMOJI = {101: "🌱", 102: "🌿", 103: "🎋", 104: "🌲", 105: "🌳"}
BAR_CELLS = 10


def plural(count: int, noun: str) -> str:
    """'1 answer', '2 answers'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def stage_label(stage: Stage) -> str:
    """'Shu 守'."""
    return f"{stage.display_name} {stage.kanji}"


def requirement(topic: Topic, stage_id: int) -> int | None:
    """Reps needed to leave the stage; None for the final stage."""
    return topic.progression.requirements.get(stage_id)


def bar(done: int, needed: int | None) -> str:
    """A small text bar: '▓▓▓░░░░░░░ 300/1000', or a count at the final stage."""
    if needed is None:
        return f"{done} reps"
    filled = min(BAR_CELLS, done * BAR_CELLS // needed)
    return f"{'▓' * filled}{'░' * (BAR_CELLS - filled)} {done}/{needed}"


def stage_line(catalogue: Catalogue, topic: Topic, stage_id: int, reps: int, recent: Stats) -> str:
    """The stage progress line: stage, bar, accuracy and median over the recent window."""
    stage = catalogue.stage(stage_id)
    needed = requirement(topic, stage_id)
    floor = Fraction(str(topic.progression.accuracy_floor))
    held = needed is not None and reps >= needed and recent.reps > 0
    if held and Fraction(recent.correct, recent.reps) < floor:
        # the bar is full: say what still holds the learner in the stage
        return (
            f"{stage_label(stage)} {bar(reps, needed)} reps · "
            f"{recent.correct * 100 // recent.reps}% right over your last {recent.reps} · "
            f"{int(floor * 100)}% needed"
        )
    return (
        f"{stage_label(stage)} {bar(reps, needed)} · "
        f"{format_accuracy(recent.accuracy)} · median {format_seconds(recent.median_ms)}"
    )


def test_out_intro(catalogue: Catalogue, stage_id: int, size: int, pace_ms: int) -> str:
    """What a test-out asks and what passing it means."""
    stage, following = catalogue.stage(stage_id), catalogue.stage(stage_id + 1)
    return (
        f"🥋 <b>Test out of {stage_label(stage)}</b>: {size} problems from the whole stage, "
        f"each asked once. Pass with at least 95% right and a median time within "
        f"{pace_ms // 1000} s to move to {stage_label(following)} now. /stop ends it."
    )


def test_out_result(passed: bool, work_on: list[str], pace_ms: int) -> str:
    """The verdict under a finished test-out."""
    if passed:
        return "🥋 <b>Test-out passed.</b>"
    line = (
        f"Test-out not passed: it needs 95% right and a median within {pace_ms // 1000} s. "
        "This set still counts toward your reps."
    )
    if work_on:
        line += "\nFacts to work on: " + ", ".join(escape(q) for q in work_on)
    return line


def problem_block(state: SetState) -> str:
    """'Problem 3 of 25' and the question on a line of its own."""
    assert state.current is not None
    total = state.answered + remaining(state)
    return f"Problem {position(state)} of {total}\n<b>{escape(state.current.question)}</b>"


def feedback(correct: bool, question: str, answer: str, response_ms: int) -> str:
    """'✓ 1.4 s' or '✗ 7 + 5 = 12 · 2.1 s'."""
    seconds = format_seconds(response_ms)
    if correct:
        return f"✓ {seconds}"
    return f"✗ {escape(question)} = <b>{escape(answer)}</b> · {seconds}"


def set_summary(title: str, stats: Stats, streak_line: str = "") -> str:
    """The end-of-set summary."""
    if stats.reps == 0:
        numbers = "No answers in this set."
    else:
        numbers = (
            f"{plural(stats.reps, 'answer')} · {stats.correct} right "
            f"({format_accuracy(stats.accuracy)})\n"
            f"Mean {format_seconds(stats.mean_ms)} · median {format_seconds(stats.median_ms)}"
        )
    return f"<b>Set complete</b> · {escape(title)}\n{numbers}{streak_line}"


def after_set_keyboard(topic: Topic, level_id: int | None) -> InlineKeyboardMarkup:
    """'Another set', 'Change topic', 'My progress'."""
    again: Go | Nav = (
        Go(topic.topic_id, level_id) if level_id is not None
        else Nav(Menu.TOPICS, topic.topic_id)
    )
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("🔁 Another set", callback_data=again.encode())],
            [
                InlineKeyboardButton(
                    "📚 Change topic", callback_data=Topics(topic.subject_id).encode()
                ),
                InlineKeyboardButton("📈 My progress", callback_data=ShowProgress().encode()),
            ],
        ]
    )


def level_lines(levels: list[DifficultyLevel]) -> str:
    """One line per difficulty level, for the level menu."""
    return "\n".join(
        f"{LEVEL_EMOJI.get(lv.difficulty_level_id, '')} <b>{escape(lv.display_name)}</b> "
        f"{lv.character} · {escape(lv.description)}"
        for lv in levels
    )


def celebration(catalogue: Catalogue, topic: Topic, stage_id: int) -> str:
    """The message for a stage advancement."""
    stage = catalogue.stage(stage_id)
    return (
        f"🎉 New stage in {escape(topic.display_name)}: <b>{stage_label(stage)}</b> "
        f"({escape(stage.meaning)}). Your next set starts there."
    )


def streak_text(s: Streak) -> str:
    """One line for /progress, set summaries and nudges."""
    if s.days == 0:
        return "🔥 Streak: none yet. Finish a set today to start one."
    if s.practised_today:
        return f"🔥 Streak: {plural(s.days, 'day')}"
    return f"🔥 Streak: {plural(s.days, 'day')}. Practise today to keep it."
