"""/start and the menus: field -> subject -> topic -> difficulty, plus deep links.

The menu's state lives in the callback data of its buttons, not in memory, so a button
keeps working after a restart (a ConversationHandler would forget where each chat was).

```mermaid
stateDiagram-v2
    [*] --> Fields: /start
    Fields --> Subjects: nav:f:<field>
    Subjects --> Topics: nav:s:<subject>
    Summary --> Topics: topics:<subject> (a new message; the summary stays)
    Topics --> Levels: nav:t:<topic>
    Levels --> Practice: go:<topic>:<level>
    Levels --> TestOut: to:<topic>:<stage> (below Ku; once a day per topic and stage)
    Subjects --> Fields: Back
    Topics --> Subjects: Back
    Levels --> Topics: Back
    [*] --> Levels: /start math-arithmetic-addition
    [*] --> Practice: /start math-arithmetic-addition-d101
```
"""

from __future__ import annotations

import re
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from dojobot.display.formats import native_digits, number
from dojobot.engine.complexity import FINAL_STAGE
from dojobot.handlers import classes, legacy, practice
from dojobot.handlers.app_links import app_button
from dojobot.handlers.callbacks import STALE, Go, Menu, Nav, TakeTestOut, Topics, on_button
from dojobot.handlers.classes.focus import focus_to_practise, member_focus_text
from dojobot.handlers.editing import edit_in_place
from dojobot.handlers.texts import LEVEL_EMOJI, bar, level_lines, requirement, stage_label
from dojobot.i18n import _, ngettext, person
from dojobot.i18n.names import shown
from dojobot.storage.catalogue import Catalogue, Topic
from dojobot.storage.focus import member_focuses
from dojobot.storage.legacy import CLAIM_PREFIX
from dojobot.storage.practice import Progress, progress_by_topic
from dojobot.transport.context import DojoContext

DEEP_LINK = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _back(target: Nav) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(_("⬅️ Back"), callback_data=target.encode())]


def _coming_soon(name: str) -> str:
    return _("{name} · coming soon").format(name=shown(name))


def fields_screen(catalogue: Catalogue) -> tuple[str, InlineKeyboardMarkup]:
    """The field menu: active fields selectable, the others marked 'coming soon'."""
    rows = [
        [
            InlineKeyboardButton(
                shown(f.display_name) if f.is_active else _coming_soon(f.display_name),
                callback_data=Nav(Menu.FIELDS, f.field_id).encode(),
            )
        ]
        for f in catalogue.fields
    ]
    return _("Pick a field to practise."), InlineKeyboardMarkup(rows)


def subjects_screen(catalogue: Catalogue, field_id: int) -> tuple[str, InlineKeyboardMarkup]:
    """The subjects of a field; those without topics yet are marked 'coming soon'."""
    field = catalogue.field(field_id)
    assert field is not None
    rows = [
        [
            InlineKeyboardButton(
                shown(s.display_name)
                if catalogue.topics_of(s.subject_id)
                else _coming_soon(s.display_name),
                callback_data=Nav(Menu.SUBJECTS, s.subject_id).encode(),
            )
        ]
        for s in catalogue.subjects_of(field_id)
    ]
    rows.append(_back(Nav(Menu.FIELDS)))
    text = _("<b>{field}</b> · pick a subject.").format(field=escape(shown(field.display_name)))
    return text, InlineKeyboardMarkup(rows)


def topic_button_text(catalogue: Catalogue, topic: Topic, progress: Progress | None) -> str:
    """'Addition · Shu 120/1000'."""
    stage_id = progress.stage_id if progress else 1
    reps = progress.reps_in_stage if progress else 0
    needed = requirement(topic, stage_id)
    count = (native_digits(f"{reps}/{needed}") if needed
             else ngettext("{n} rep", "{n} reps", reps).format(n=number(reps)))
    return f"{shown(topic.display_name)} · {catalogue.stage(stage_id).display_name} {count}"


async def topics_screen(
    context: DojoContext, user_id: int, subject_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The topics of a subject with the learner's stage and reps in each."""
    catalogue = context.catalogue
    subject = catalogue.subject(subject_id)
    assert subject is not None
    progress = await progress_by_topic(context.db, user_id)
    rows = [
        [
            InlineKeyboardButton(
                topic_button_text(catalogue, t, progress.get(t.topic_id)),
                callback_data=Nav(Menu.TOPICS, t.topic_id).encode(),
            )
        ]
        for t in catalogue.topics_of(subject_id)
    ]
    rows.append(_back(Nav(Menu.FIELDS, subject.field_id)))
    text = _("<b>{subject}</b> · pick a topic.").format(
        subject=escape(shown(subject.display_name))
    )
    return text, InlineKeyboardMarkup(rows)


async def levels_screen(
    context: DojoContext, user_id: int, topic: Topic
) -> tuple[str, InlineKeyboardMarkup]:
    """The topic's difficulty levels, with the learner's stage."""
    catalogue = context.catalogue
    progress = (await progress_by_topic(context.db, user_id)).get(topic.topic_id)
    stage_id = progress.stage_id if progress else 1
    reps = progress.reps_in_stage if progress else 0
    levels = [lv for lv in catalogue.levels if lv.difficulty_level_id in topic.level_ids]
    rows = [
        [
            InlineKeyboardButton(
                f"{LEVEL_EMOJI.get(lv.difficulty_level_id, '')} {shown(lv.display_name)}".strip(),
                callback_data=Go(topic.topic_id, lv.difficulty_level_id).encode(),
            )
        ]
        for lv in levels
    ]
    if stage_id < FINAL_STAGE:
        stage = catalogue.stage(stage_id)
        rows.append([InlineKeyboardButton(
            _("🥋 Test out of {stage}").format(stage=stage.display_name),
            callback_data=TakeTestOut(topic.topic_id, stage_id).encode(),
        )])
    if app := app_button(context.settings, catalogue, topic, None):
        rows.append([app])
    rows.append(_back(Nav(Menu.SUBJECTS, topic.subject_id)))
    text = (
        f"<b>{escape(shown(topic.display_name))}</b> · "
        f"{stage_label(catalogue.stage(stage_id))} {bar(reps, requirement(topic, stage_id))}\n"
        + _("Pick a difficulty:") + f"\n{level_lines(levels)}"
    )
    return text, InlineKeyboardMarkup(rows)


def parse_deep_link(catalogue: Catalogue, payload: str) -> tuple[Topic, int | None] | None:
    """'math-arithmetic-addition[-d101]' -> (topic, level id or None); None if unknown."""
    if not DEEP_LINK.match(payload):
        return None
    level_id = None
    if match := re.fullmatch(r"(.+)-d(\d{3})", payload):
        payload, level_id = match.group(1), int(match.group(2))
    for topic in catalogue.topics:
        subject = catalogue.subject(topic.subject_id)
        field = catalogue.field(subject.field_id) if subject else None
        if subject and field and payload.lower() == f"{field.code}-{subject.code}-{topic.slug}":
            if level_id is not None and level_id not in topic.level_ids:
                return None
            return topic, level_id
    return None


async def start(update: Update, context: DojoContext) -> None:
    """/start [payload]: greet and show the fields, or open a deep-linked topic."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    catalogue = context.catalogue
    note = ""
    if context.args and context.args[0].startswith(CLAIM_PREFIX):
        await legacy.claim(update, context)
        return
    if context.args and classes.is_class_link(context.args[0]):
        note = await classes.open_class_link(update, context, context.args[0])
    elif context.args:
        found = parse_deep_link(catalogue, context.args[0])
        if found is None:
            note = _("I didn't recognise that link, so here is the full menu.") + "\n\n"
        else:
            topic, level_id = found
            if level_id is not None:
                await practice.begin_set(
                    update, context, topic, level_id, message_id=message.message_id
                )
                return
            text, keyboard = await levels_screen(context, user.id, topic)
            await message.reply_text(text, reply_markup=keyboard)
            return
    text, keyboard = fields_screen(catalogue)
    greeting = _(
        "Welcome to the dojo, {name}! 🥋 Answer timed problems and climb seven stages, "
        "Hatsu to Ku."
    ).format(name=escape(person(user.first_name))) + "\n\n"
    focus, keyboard = await with_class_focus(context, user.id, keyboard)
    await message.reply_text(f"{focus}{note}{greeting}{text}", reply_markup=keyboard)


async def with_class_focus(
    context: DojoContext, user_id: int, keyboard: InlineKeyboardMarkup
) -> tuple[str, InlineKeyboardMarkup]:
    """The week's focus of the learner's classes (first thing /start says), and the menu
    with a button to the first focus they have not met yet on top."""
    mine = await member_focuses(context.db, user_id, context.now_ms())
    if not mine:
        return "", keyboard
    lines = "\n".join(member_focus_text(context.catalogue, m) for m in mine) + "\n\n"
    todo = focus_to_practise(mine)
    if todo is None:
        return lines, keyboard
    button = InlineKeyboardButton(
        _("🎯 Practise the focus"),
        callback_data=Go(todo.focus.topic_id, todo.focus.level_id).encode(),
    )
    return lines, InlineKeyboardMarkup([[button], *keyboard.inline_keyboard])


async def navigate(update: Update, context: DojoContext, data: Nav) -> None:
    """A menu button: edit the same message to the chosen screen."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    catalogue = context.catalogue
    user_id = update.effective_user.id
    screen = None
    notice = None
    match data:
        case Nav(Menu.FIELDS, None):
            screen = fields_screen(catalogue)
        case Nav(Menu.FIELDS, int(item)) if f := catalogue.field(item):
            if f.is_active:
                screen = subjects_screen(catalogue, f.field_id)
            else:
                notice = _("{name} is coming soon.").format(name=shown(f.display_name))
        case Nav(Menu.SUBJECTS, int(item)) if s := catalogue.subject(item):
            if catalogue.topics_of(s.subject_id):
                screen = await topics_screen(context, user_id, s.subject_id)
            else:
                notice = _("{name} is coming soon.").format(name=shown(s.display_name))
        case Nav(Menu.TOPICS, int(item)) if t := catalogue.topic(item):
            screen = await levels_screen(context, user_id, t)
        case _:
            notice = _(STALE)
    await query.answer(notice)
    if screen is not None:
        await edit_in_place(update, *screen)


async def topics_below(update: Update, context: DojoContext, data: Topics) -> None:
    """'Change topic' under a set summary: the topic menu as a new message, so the summary
    the learner just earned stays on screen."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    subject = context.catalogue.subject(data.subject_id)
    if subject is None or not context.catalogue.topics_of(subject.subject_id):
        await query.answer(_(STALE))
        return
    await query.answer()
    assert update.effective_user is not None
    text, keyboard = await topics_screen(context, update.effective_user.id, subject.subject_id)
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=keyboard)


def build_handlers() -> list[BaseHandler]:
    """The menu's handlers."""
    return [
        CommandHandler("start", start, filters=filters.ChatType.PRIVATE),
        on_button((Nav,), navigate),
        on_button((Topics,), topics_below),
    ]
