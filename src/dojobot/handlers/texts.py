"""What a learner reads: message texts and keyboards, in one place so they stay consistent."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from dojobot.display.formats import (
    either,
    listed,
    native_digits,
    number,
    percent,
    seconds,
    test_out_share,
    written,
)
from dojobot.engine.practice_set import SetState, position, remaining
from dojobot.engine.stats import Stats
from dojobot.handlers.callbacks import Go, Menu, Nav, ShowProgress, Topics
from dojobot.i18n import _, ltr, ngettext
from dojobot.i18n.names import shown
from dojobot.storage.catalogue import Catalogue, DifficultyLevel, Stage, Topic
from dojobot.storage.streaks import Streak

LEVEL_EMOJI = {101: "🌱", 102: "🌿", 103: "🎋", 104: "🌲", 105: "🌳"}
BAR_CELLS = 10


def stage_label(stage: Stage) -> str:
    """'Shu 守'."""
    return f"{stage.display_name} {stage.kanji}"


def requirement(topic: Topic, stage_id: int) -> int | None:
    """Reps needed to leave the stage; None for the final stage."""
    return topic.progression.requirements.get(stage_id)


def bar(done: int, needed: int | None) -> str:
    """A small text bar: '▓▓▓░░░░░░░ 300/1000', or a count at the final stage."""
    if needed is None:
        return ngettext("{n} rep", "{n} reps", done).format(n=native_digits(str(done)))
    filled = min(BAR_CELLS, done * BAR_CELLS // needed)
    return f"{'▓' * filled}{'░' * (BAR_CELLS - filled)} {native_digits(f'{done}/{needed}')}"


def stage_line(catalogue: Catalogue, topic: Topic, stage_id: int, reps: int, recent: Stats) -> str:
    """The stage progress line: stage, bar, accuracy and median over the recent window."""
    stage = catalogue.stage(stage_id)
    needed = requirement(topic, stage_id)
    floor = Fraction(str(topic.progression.accuracy_floor))
    held = needed is not None and reps >= needed and recent.reps > 0
    if held and Fraction(recent.correct, recent.reps) < floor:
        # the bar is full: say what still holds the learner in the stage
        return _(
            "{stage} {bar} reps · {accuracy} right over your last {window} · "
            "{floor} needed"
        ).format(
            stage=stage_label(stage), bar=bar(reps, needed),
            accuracy=f"{recent.correct * 100 // recent.reps}%", window=recent.reps,
            floor=f"{int(floor * 100)}%",
        )
    return _("{stage} {bar} · {accuracy} · median {median}").format(
        stage=stage_label(stage), bar=bar(reps, needed),
        accuracy=percent(recent.accuracy), median=seconds(recent.median_ms),
    )


def test_out_intro(catalogue: Catalogue, stage_id: int, size: int, pace_ms: int) -> str:
    """What a test-out asks and what passing it means."""
    stage, following = catalogue.stage(stage_id), catalogue.stage(stage_id + 1)
    return _(
        "🥋 <b>Test out of {stage}</b>: {n} problems from the whole stage, each asked once. "
        "Pass with at least {share} right and a median time within {pace} s to move to {next} "
        "now. /stop ends it."
    ).format(stage=stage_label(stage), n=number(size), pace=number(pace_ms // 1000),
             next=stage_label(following), share=test_out_share())


def test_out_result(passed: bool, work_on: list[str], pace_ms: int, too_fast: int) -> str:
    """The verdict under a finished test-out (too_fast: answers quicker than a person can
    read and type, which did not count; engine/human_speed.py)."""
    if passed:
        return _("🥋 <b>Test-out passed.</b>")
    line = _(
        "Test-out not passed: it needs {share} right and a median within {pace} s. "
        "This set still counts toward your reps."
    ).format(pace=number(pace_ms // 1000), share=test_out_share())
    if too_fast:
        line += "\n" + ngettext(
            "{n} answer came faster than anyone can read and type it, so it did not count "
            "toward the test-out.",
            "{n} answers came faster than anyone can read and type them, so they did not count "
            "toward the test-out.",
            too_fast,
        ).format(n=number(too_fast))
    if work_on:
        line += "\n" + _("Facts to work on: {facts}").format(
            facts=listed(shown_problem(q) for q in work_on)
        )
    return line


def problem_block(state: SetState) -> str:
    """'Problem 3 of 25' and the question on a line of its own."""
    assert state.current is not None
    total = state.answered + remaining(state)
    # Counts in the locale's digits, as its times are: Persian writes "مسئله‌ی ۳ از ۲۵".
    heading = _("Problem {number} of {total}").format(
        number=number(position(state)), total=number(total)
    )
    return f"{heading}\n<b>{shown_problem(state.current.question)}</b>"


def shown_problem(question: str) -> str:
    """A problem as HTML in the learner's digits, left to right even inside Persian."""
    return ltr(escape(written(question)))


def feedback(correct: bool, question: str, answer: str, response_ms: int) -> str:
    """'✓ 1.4 s' or '✗ 7 + 5 = 12 · 2.1 s'."""
    took = seconds(response_ms)
    if correct:
        return f"✓ {took}"
    # One isolate for the whole equation: in Persian "7 + 5 = 12" must not become "12 = 5 + 7".
    return f"✗ {ltr(f'{escape(written(question))} = <b>{escape(answer)}</b>')} · {took}"


def set_summary(title: str, stats: Stats, streak_line: str = "") -> str:
    """The end-of-set summary."""
    if stats.reps == 0:
        numbers = _("No answers in this set.")
    else:
        answers = ngettext("{n} answer", "{n} answers", stats.reps).format(n=number(stats.reps))
        right = ngettext(
            "{n} right ({accuracy})", "{n} right ({accuracy})", stats.correct
        ).format(n=number(stats.correct), accuracy=percent(stats.accuracy))
        times = _("Mean {mean} · median {median}").format(
            mean=seconds(stats.mean_ms), median=seconds(stats.median_ms)
        )
        numbers = f"{answers} · {right}\n{times}"
    head = _("<b>Set complete</b> · {title}").format(title=escape(title))
    return f"{head}\n{numbers}{streak_line}"


def after_set_keyboard(
    topic: Topic, level_id: int | None, app: InlineKeyboardButton | None = None
) -> InlineKeyboardMarkup:
    """'Another set', 'Change topic', 'My progress', and the Mini App's button if any."""
    again: Go | Nav = (
        Go(topic.topic_id, level_id) if level_id is not None
        else Nav(Menu.TOPICS, topic.topic_id)
    )
    rows = [
        [InlineKeyboardButton(_("🔁 Another set"), callback_data=again.encode())],
        [
            InlineKeyboardButton(
                _("📚 Change topic"), callback_data=Topics(topic.subject_id).encode()
            ),
            InlineKeyboardButton(_("📈 My progress"), callback_data=ShowProgress().encode()),
        ],
    ]
    if app is not None:
        rows.append([app])
    return InlineKeyboardMarkup(rows)


def level_lines(levels: list[DifficultyLevel]) -> str:
    """One line per difficulty level, for the level menu."""
    return "\n".join(
        f"{LEVEL_EMOJI.get(lv.difficulty_level_id, '')} <b>{escape(shown(lv.display_name))}</b> "
        f"{lv.character} · {escape(shown(lv.description))}"
        for lv in levels
    )


def celebration(catalogue: Catalogue, topic: Topic, stage_id: int) -> str:
    """The message for a stage advancement."""
    stage = catalogue.stage(stage_id)
    return _(
        "🎉 New stage in {topic}: <b>{stage}</b> ({meaning}). Your next set starts there."
    ).format(
        topic=escape(shown(topic.display_name)), stage=stage_label(stage),
        meaning=escape(shown(stage.meaning)),
    )


def streak_text(s: Streak) -> str:
    """One line for /progress, set summaries and nudges."""
    if s.days == 0:
        return _("🔥 Streak: none yet. Finish a set today to start one.")
    if s.practised_today:
        return ngettext("🔥 Streak: {n} day", "🔥 Streak: {n} days", s.days).format(
            n=number(s.days)
        )
    return ngettext(
        "🔥 Streak: {n} day. Practise today to keep it.",
        "🔥 Streak: {n} days. Practise today to keep it.",
        s.days,
    ).format(n=number(s.days))


def several_places(text: str, command: str, zones: Sequence[str]) -> str:
    """One line for a city name that cities in several zones share: each zone as the
    command to send ('/timezone Europe/Madrid or /timezone America/Caracas')."""
    choices = either(ltr(f"{command} {z}") for z in zones)
    # Translators: {text} is the city name the learner typed; {zones} the commands to send,
    # already joined with your "or": "/timezone Europe/Madrid or /timezone America/Caracas".
    return _("Several places are called “{text}”. Send {zones}.").format(
        text=escape(text[:40]), zones=choices
    )
