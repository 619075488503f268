"""The weekly focus in the chat: what members, the board and the weekly post say about it,
and `/board focus` for admins (the dashboard sets it through the same checks).

`/board focus multiplication sapling 3` names the topic and level as the menus do (slug,
code or display name, in English or the group's language) and an optional target of sets
per member; `/board focus off` clears this week's focus.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from dojobot.display.formats import number
from dojobot.engine.calendar import Period, period_bounds
from dojobot.engine.focus import MAX_TARGET, MIN_TARGET, check_target, has_met
from dojobot.i18n import N_, _, ngettext, person
from dojobot.i18n.names import shown
from dojobot.storage import focus as store
from dojobot.storage.catalogue import Catalogue, DifficultyLevel, Topic
from dojobot.storage.classes import ClassGroup
from dojobot.storage.focus import Focus, FocusSets, MemberFocus
from dojobot.transport.context import DojoContext

FOCUS_USAGE = N_(
    "Usage: /board focus multiplication sapling 3 (a topic, a level, and optionally how "
    "many sets each member should do this week, 1 to 20), or /board focus off"
)
NAMED_SHOWN = 10  # names listed under the board; the dashboard lists everyone


@dataclass(frozen=True)
class FocusChoice:
    """A checked focus: a topic, one of its levels, and a target (or none)."""

    topic: Topic
    level: DifficultyLevel
    target: int | None


def focus_name(catalogue: Catalogue, focus: Focus) -> str:
    """'Multiplication · Sapling' (escaped for HTML)."""
    topic = catalogue.topic(focus.topic_id)
    level = catalogue.level(focus.level_id)
    names = [shown(x.display_name) for x in (topic, level) if x is not None]
    return escape(" · ".join(names))


def check_focus(
    catalogue: Catalogue, topic_id: int, level_id: int, target: int | None
) -> FocusChoice | str:
    """The focus if the catalogue has that topic and level and the target is 1..20; else
    the refusal to show (nothing is stored)."""
    topic = catalogue.topic(topic_id)
    if topic is None:
        return _("That topic does not exist. Nothing changed.")
    level = catalogue.level(level_id)
    if level is None or level_id not in topic.level_ids:
        return _("{topic} has no such level. Nothing changed.").format(
            topic=escape(shown(topic.display_name))
        )
    try:
        check_target(target)
    except ValueError:
        return target_refusal()
    return FocusChoice(topic, level, target)


def target_refusal() -> str:
    """Why a target was refused."""
    return _(
        "The target must be a number of sets from {low} to {high}. Nothing changed."
    ).format(low=MIN_TARGET, high=MAX_TARGET)


def _names(item: Topic | DifficultyLevel) -> set[str]:
    words = {item.code, item.display_name, shown(item.display_name)}
    if isinstance(item, Topic):
        words.add(item.slug)
    return {w.casefold().replace(" ", "_").replace("-", "_") for w in words}


def _word(text: str) -> str:
    return text.casefold().replace(" ", "_").replace("-", "_")


def parse_focus(catalogue: Catalogue, words: list[str]) -> FocusChoice | str:
    """`multiplication sapling [3]` as a checked focus, or the refusal to show."""
    target: int | None = None
    if words and words[-1].lstrip("-").isdigit():
        if len(words[-1]) > 6:
            return target_refusal()
        target = int(words[-1])
        words = words[:-1]
    if len(words) < 2:
        return _(FOCUS_USAGE)
    # The level is the last word or two ('ancient oak'); the topic is the rest.
    for split in (len(words) - 1, len(words) - 2):
        if split < 1:
            continue
        level_text, topic_text = _word(" ".join(words[split:])), _word(" ".join(words[:split]))
        level = next((lv for lv in catalogue.levels if level_text in _names(lv)), None)
        if level is None:
            continue
        topic = next((t for t in catalogue.topics if topic_text in _names(t)), None)
        if topic is None:
            return _("I don't know the topic {text}. Topics: {topics}. Nothing changed.").format(
                text=escape(" ".join(words[:split])[:64]),
                topics=", ".join(t.slug for t in catalogue.topics),
            )
        return check_focus(catalogue, topic.topic_id, level.difficulty_level_id, target)
    return _("I don't know the level {text}. Levels: {levels}. Nothing changed.").format(
        text=escape(words[-1][:64]), levels=", ".join(lv.code for lv in catalogue.levels)
    )


def week_of(cls: ClassGroup, now_ms: int) -> tuple[int, int]:
    """The class's current week as (start, end) ms."""
    bounds = period_bounds(Period.WEEK, now_ms, cls.timezone)
    return bounds.start_ms, bounds.end_ms


async def apply_focus(
    context: DojoContext, cls: ClassGroup, choice: FocusChoice, set_by: int | None
) -> Focus:
    """Store the checked focus as this week's."""
    now = context.now_ms()
    return await store.set_focus(
        context.db, cls.chat_id, period_bounds(Period.WEEK, now, cls.timezone),
        choice.topic.topic_id, choice.level.difficulty_level_id, choice.target, set_by, now,
    )


def focus_set_text(catalogue: Catalogue, focus: Focus) -> str:
    """The admin's confirmation."""
    if focus.target_sets is None:
        return _(
            "🎯 This week's focus: {focus}. Members see it first in /start and in their "
            "reminders; the board shows who has practised it."
        ).format(focus=focus_name(catalogue, focus))
    return ngettext(
        "🎯 This week's focus: {focus}, {n} set per member. Members see it first in /start "
        "and in their reminders; the board shows who has met it.",
        "🎯 This week's focus: {focus}, {n} sets per member. Members see it first in /start "
        "and in their reminders; the board shows who has met it.",
        focus.target_sets,
    ).format(focus=focus_name(catalogue, focus), n=number(focus.target_sets))


def member_focus_text(catalogue: Catalogue, mine: MemberFocus) -> str:
    """'🎯 Your class 7A is practising Multiplication at Sapling this week. Your sets: 1 of 3.'"""
    focus = mine.focus
    topic = catalogue.topic(focus.topic_id)
    level = catalogue.level(focus.level_id)
    line = _("🎯 Your class <b>{title}</b> is practising {topic} at {level} this week.").format(
        title=escape(mine.title),
        topic=escape(shown(topic.display_name)) if topic else "?",
        level=escape(shown(level.display_name)) if level else "?",
    )
    if has_met(mine.sets_done, focus.target_sets):
        done = _("✓ You've done it: {done} of {target}.") if focus.target_sets else _(
            "✓ You've practised it."
        )
        return f"{line} {done.format(done=mine.sets_done, target=focus.target_sets)}"
    if focus.target_sets is not None:
        return f"{line} " + ngettext(
            "Your sets so far: {done} of {target}.", "Your sets so far: {done} of {target}.",
            focus.target_sets,
        ).format(done=mine.sets_done, target=focus.target_sets)
    return line


def focus_to_practise(mine: list[MemberFocus]) -> MemberFocus | None:
    """The first focus the learner has not met yet (their 'practise now' goes there)."""
    return next((m for m in mine if not has_met(m.sets_done, m.focus.target_sets)), None)


def board_focus_text(
    catalogue: Catalogue, focus: Focus, members: list[FocusSets], *, final: bool = False
) -> str:
    """Under the board: the focus and who has met it (praise only: nobody is named for
    not meeting it). `final`: the weekly post's wording."""
    met = [m for m in members if has_met(m.sets_done, focus.target_sets)]
    name = focus_name(catalogue, focus)
    if focus.target_sets is None:
        head = (_("🎯 This week's focus was {focus}.") if final
                else _("🎯 Focus this week: {focus}.")).format(focus=name)
    else:
        head = (
            ngettext("🎯 This week's focus was {focus}, {n} set each.",
                     "🎯 This week's focus was {focus}, {n} sets each.", focus.target_sets)
            if final else
            ngettext("🎯 Focus this week: {focus}, {n} set each.",
                     "🎯 Focus this week: {focus}, {n} sets each.", focus.target_sets)
        ).format(focus=name, n=number(focus.target_sets))
    count = ngettext(
        "{met} of {n} member met it.", "{met} of {n} members met it.", len(members)
    ).format(met=number(len(met)), n=number(len(members)))
    if not met:
        return f"{head}\n{count}"
    names = ", ".join(escape(person(m.name)) for m in met[:NAMED_SHOWN])
    if len(met) > NAMED_SHOWN:
        names += " " + ngettext("and {n} more", "and {n} more", len(met) - NAMED_SHOWN).format(
            n=number(len(met) - NAMED_SHOWN)
        )
    return f"{head}\n{count} ✓ {names}"


async def board_focus(
    context: DojoContext, cls: ClassGroup, at_ms: int, *, final: bool = False
) -> str | None:
    """The focus lines for the class's board at a moment, or None without a focus."""
    focus = await store.focus_at(context.db, cls.chat_id, at_ms)
    if focus is None:
        return None
    members = await store.focus_progress(context.db, focus)
    return board_focus_text(context.catalogue, focus, members, final=final)


async def focus_command(
    context: DojoContext, cls: ClassGroup, words: list[str], set_by: int | None
) -> str:
    """/board focus ...: the reply to post."""
    if not words:
        focus = await store.focus_at(context.db, cls.chat_id, context.now_ms())
        if focus is None:
            return _("No focus this week.") + "\n" + _(FOCUS_USAGE)
        return focus_set_text(context.catalogue, focus)
    if [w.casefold() for w in words] in (["off"], ["none"], ["clear"]):
        start, _end = week_of(cls, context.now_ms())
        if await store.clear_focus(context.db, cls.chat_id, start):
            return _("This week's focus is cleared.")
        return _("No focus this week: nothing to clear.")
    choice = parse_focus(context.catalogue, words)
    if isinstance(choice, str):
        return choice
    focus = await apply_focus(context, cls, choice, set_by)
    return focus_set_text(context.catalogue, focus)

