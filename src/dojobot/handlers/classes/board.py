"""/board: the class board's admin settings, its chart, its weakest facts and its CSV export.

Only the group's creator and administrators may use it (getChatMember, cached a few
minutes). Every settings button names its group in its data; a button pressed by a
non-admin, or carrying another group's id, changes nothing.

The export goes to the admin's private chat, not the group: it lists every member's
numbers, including those who would rather not be compared in public. If the admin never
opened a chat with the bot (Telegram forbids the first message), the group gets a short
note with a button that opens the private chat and delivers the export there.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import Forbidden
from telegram.ext import BaseHandler, CommandHandler, filters

from dojobot.display.charts import leaderboard_chart
from dojobot.display.formats import number
from dojobot.display.formats import period as period_label
from dojobot.display.rendering import render
from dojobot.engine.calendar import Period, period_bounds
from dojobot.engine.leaderboard import Entry, rank_entries
from dojobot.engine.spreadsheet import safe_cell
from dojobot.engine.zone_names import AmbiguousZone, InvalidZone, parse_zone
from dojobot.handlers.callbacks import (
    BOARD,
    BoardLanguage,
    BoardPanel,
    BoardPeriod,
    BoardTopic,
    BoardWeekly,
    Panel,
    on_button,
)
from dojobot.handlers.classes.common import (
    Toast,
    ensure_class,
    is_admin,
    is_admin_now,
    load_board,
    no_toast,
    send_to_group,
    sent_by_admin_anonymously,
)
from dojobot.handlers.classes.dashboard_link import dashboard_button, offer_dashboard
from dojobot.handlers.classes.focus import focus_command
from dojobot.handlers.classes.texts import (
    PERIOD_NAMES,
    bot_link,
    delete_keyboard,
    delete_text,
    encode_link,
    language_keyboard,
    settings_keyboard,
    settings_text,
    topic_keyboard,
    topic_name,
)
from dojobot.handlers.editing import edit_in_place
from dojobot.handlers.fluency import send_class_map
from dojobot.handlers.texts import several_places
from dojobot.i18n import N_, _, activate, current, ngettext, person
from dojobot.i18n.names import shown
from dojobot.storage import classes as store
from dojobot.storage.catalogue import Catalogue
from dojobot.storage.classes import ClassGroup
from dojobot.storage.languages import set_class_language
from dojobot.transport.context import DojoContext

log = logging.getLogger(__name__)

NOT_ADMIN = N_("Only this group's admins can change the board.")
DELETED = N_(
    "🗑 The class is deleted: its members and settings are gone. /join starts a new one."
)
STALE = N_("That button is no longer valid. Send /board for fresh settings.")
USAGE = N_(
    "Usage: /board (settings), /board chart, /board facts, /board export, "
    "/board timezone Europe/Berlin, /board period week|month|all, /board weekly on|off, "
    "/board focus multiplication sapling 3"
)

# ------------------------------------------------------------------ export


def export_csv(
    catalogue: Catalogue,
    entries: Sequence[Entry],
    stages: dict[int, dict[int, int]],
    topic_id: int | None,
) -> bytes:
    """One row per member: rank, name, reps, correct, accuracy, median ms, stage per topic.

    Stage columns cover the filtered topic, or every topic some member has practised.
    UTF-8 with a BOM so spreadsheet programs read names in any script correctly.
    """
    practised = {t for per_user in stages.values() for t in per_user}
    topics = [
        t for t in catalogue.topics
        if (t.topic_id == topic_id if topic_id is not None else t.topic_id in practised)
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def write(row: Sequence[object]) -> None:
        # Every cell, not only names: whatever a member or a catalogue edit puts in a cell
        # must not run as a formula in the admin's spreadsheet.
        writer.writerow([safe_cell(value) for value in row])

    write(
        # Translators: the column headers of the class's CSV export, opened in a spreadsheet:
        # write them as your spreadsheet users would (nouns capitalised in German).
        [_("rank"), _("name"), _("reps"), _("correct"), _("accuracy_percent"), _("median_ms")]
        + [_("stage: {topic}").format(topic=shown(t.display_name)) for t in topics]
    )
    ranked = rank_entries(entries)
    ranks = {r.entry.user_id: r.rank for r in ranked}
    idle = sorted((e for e in entries if e.reps == 0), key=lambda e: e.name.casefold())
    for entry in [r.entry for r in ranked] + idle:
        accuracy = "" if entry.accuracy is None else f"{entry.accuracy * 100:.1f}"
        median = "" if entry.median_ms is None else str(round(entry.median_ms))
        member_stages = stages.get(entry.user_id, {})
        write(
            [ranks.get(entry.user_id, ""), entry.name, entry.reps, entry.correct,
             accuracy, median]
            + [
                catalogue.stage(member_stages[t.topic_id]).display_name
                if t.topic_id in member_stages else ""
                for t in topics
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def export_filename(cls: ClassGroup, day: str) -> str:
    """'dojobot-7A-Maths-week-2025-11-24.csv' (ASCII only, safe everywhere)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", cls.title).strip("-")[:40] or "class"
    return f"dojobot-{slug}-{cls.period}-{day}.csv"


async def send_export(context: DojoContext, cls: ClassGroup, user_id: int) -> bool:
    """Send the class export to the user's private chat; False if Telegram forbids it."""
    period = Period(cls.period)
    now = context.now_ms()
    bounds = period_bounds(period, now, cls.timezone)
    entries = await store.member_stats(
        context.db, cls.chat_id, bounds.start_ms, bounds.end_ms, cls.topic_id
    )
    stages = await store.member_stages(context.db, cls.chat_id)
    data = export_csv(context.catalogue, entries, stages, cls.topic_id)
    day = datetime.fromtimestamp(now // 1000, tz=UTC).strftime("%Y-%m-%d")
    caption = ngettext(
        "📄 <b>{title}</b>: {n} member · {period} · {topic}. Stages are as of now.",
        "📄 <b>{title}</b>: {n} members · {period} · {topic}. Stages are as of now.",
        len(entries),
    ).format(
        title=escape(cls.title), n=number(len(entries)),
        period=period_label(period, now, cls.timezone),
        topic=escape(topic_name(context.catalogue, cls.topic_id)),
    )
    try:
        await context.bot.send_document(
            user_id, InputFile(data, filename=export_filename(cls, day)),
            caption=caption,
        )
    except Forbidden:
        return False
    return True


async def _export_for(
    update: Update, context: DojoContext, cls: ClassGroup, toast: Toast
) -> None:
    """Export to the caller privately (the toast says so); a group note when that fails."""
    user = update.effective_user
    assert user is not None
    message = update.effective_message if update.callback_query is None else None
    if user.is_bot:  # an anonymous admin has no private chat
        await toast(None)
        await send_to_group(
            context, cls.chat_id,
            _("I can't send the export to an anonymous admin: send /board export as yourself."),
            reply_to=message,
        )
        return
    if await send_export(context, cls, user.id):
        await toast(_("📄 Sent to our private chat."))
        if message is not None:
            await send_to_group(
                context, cls.chat_id, _("📄 Sent you the export in our private chat."),
                reply_to=message,
            )
        return
    await toast(_("Open a chat with me first: see the button I posted."))
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
        _("📄 Get the export"), url=bot_link(context.bot.username, encode_link("exp", cls.chat_id))
    )]])
    await send_to_group(
        context, cls.chat_id,
        _(
            "{name}, I can't message you until you open a chat with me. Tap the button and "
            "press Start: the export arrives there, not in the group."
        ).format(name=escape(person(user.first_name))),
        keyboard=keyboard, reply_to=message,
    )


# ------------------------------------------------------------------ chart


async def send_chart(
    context: DojoContext, cls: ClassGroup, reply_to: Message | None = None
) -> None:
    """Post a PNG bar chart of the board's top 10 in the group."""
    heading, board = await load_board(context, cls, None)
    if not board.top:
        await send_to_group(
            context, cls.chat_id, _("No answers on the board yet: nothing to chart."),
            reply_to=reply_to,
        )
        return
    period = Period(cls.period)
    title = (
        f"{cls.title} · {period_label(period, context.now_ms(), cls.timezone)} · "
        f"{topic_name(context.catalogue, cls.topic_id)}"
    )
    png = await render(leaderboard_chart, title, board.top)
    await send_to_group(context, cls.chat_id, heading, photo=png, reply_to=reply_to)


# ------------------------------------------------------------------ settings


async def _show_panel(update: Update, context: DojoContext, cls: ClassGroup) -> None:
    await send_to_group(
        context, cls.chat_id, settings_text(cls, context.catalogue),
        keyboard=settings_keyboard(
            cls, context.catalogue, dashboard=dashboard_button(context, cls.chat_id)
        ),
        reply_to=update.effective_message,
    )


async def _reply(update: Update, context: DojoContext, text: str) -> None:
    chat = update.effective_chat
    assert chat is not None
    await send_to_group(context, chat.id, text, reply_to=update.effective_message)


async def board_command(update: Update, context: DojoContext) -> None:
    """/board [chart|export|timezone Z|period P|weekly on|off] in a group, admins only."""
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None and user is not None
    if not (sent_by_admin_anonymously(update) or await is_admin(context, chat.id, user.id)):
        await _reply(update, context, _(NOT_ADMIN))
        return
    cls = await ensure_class(context, chat)
    args = [a.lower() for a in context.args or []]
    now = context.now_ms()
    match args:
        case []:
            await _show_panel(update, context, cls)
        case ["export"]:
            await _export_for(update, context, cls, no_toast)
        case ["chart"]:
            await send_chart(context, cls, update.effective_message)
        case ["facts"]:
            await send_class_map(context, cls, update.effective_message)
        case ["timezone" | "tz", _, *_]:
            # The rest of the line, so 'New York' and '+05:30' read as /timezone reads them.
            await _set_timezone(update, context, cls, " ".join((context.args or [])[1:]))
        case ["period", value] if value in {p.value for p in Period}:
            await store.update_class(context.db, cls.chat_id, now, period=value)
            await _reply(update, context, _covers(Period(value)))
        case ["focus", *_]:
            await _reply(update, context, await focus_command(
                context, cls, (context.args or [])[1:],
                None if sent_by_admin_anonymously(update) else user.id,
            ))
        case ["weekly", ("on" | "off") as value]:
            await store.update_class(context.db, cls.chat_id, now, weekly_post=value == "on")
            await _reply(update, context, _weekly(value == "on"))
        case _:
            await _reply(update, context, _(USAGE))


async def _set_timezone(
    update: Update, context: DojoContext, cls: ClassGroup, text: str
) -> None:
    """/board timezone Z: the same names, cities and offsets as a learner's /timezone."""
    try:
        # In a thread: the first city that only GeoNames knows reads its table (~70 ms).
        zone = await asyncio.to_thread(parse_zone, text, str(current().locale))
    except AmbiguousZone as several:
        await _reply(update, context, several_places(text, "/board timezone", several.zones))
        return
    except InvalidZone:
        await _reply(update, context, _(
            "I don't know the timezone {text}. Use a name such as Europe/Berlin, a city such "
            "as Tokyo, or an offset such as +05:30."
        ).format(text=escape(text[:64])))
        return
    await store.update_class(context.db, cls.chat_id, context.now_ms(), timezone=zone)
    await _reply(update, context, _("Timezone set to {zone}.").format(zone=escape(zone)))


def _covers(period: Period) -> str:
    return _("The board now covers {period}.").format(period=_(PERIOD_NAMES[period]))


def _weekly(on: bool) -> str:
    return _("Weekly final board on.") if on else _("Weekly final board off.")


Setting = BoardPeriod | BoardTopic | BoardWeekly | BoardLanguage


async def _change(context: DojoContext, data: Setting) -> str | None:
    """Apply one settings button; the toast to show, or None if the topic is unknown."""
    now = context.now_ms()
    match data:
        case BoardPeriod(chat_id, period):
            await store.update_class(context.db, chat_id, now, period=period.value)
            return _covers(period)
        case BoardTopic(chat_id, None):
            await store.update_class(context.db, chat_id, now, topic_id=None)
            return _("The board now counts all topics.")
        case BoardTopic(chat_id, int(topic_id)):
            topic = context.catalogue.topic(topic_id)
            if topic is None:
                return None
            await store.update_class(context.db, chat_id, now, topic_id=topic_id)
            return _("The board now counts {topic} only.").format(topic=shown(topic.display_name))
        case BoardWeekly(chat_id, on):
            await store.update_class(context.db, chat_id, now, weekly_post=on)
            return _weekly(on)
        case BoardLanguage(chat_id, language):
            await set_class_language(context.db, chat_id, language, only_new=False)
            context.bot_data.language.by_chat[chat_id] = language
            activate(language)  # the confirmation and the panel speak it already
            # Translators: name YOUR language here ("…spricht jetzt Deutsch…"): the admins
            # just chose it, and this line is already shown in it.
            return _("The bot now speaks English in this group.")
    raise AssertionError(data)  # unreachable: every setting is matched above


async def _delete(update: Update, context: DojoContext, cls: ClassGroup) -> None:
    """Delete for good: the admin's rights are asked of Telegram now, not the cache (a
    demotion in a group where the bot is no admin tells the bot nothing)."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    if not await is_admin_now(context, cls.chat_id, user.id):
        await query.answer(_(NOT_ADMIN))
        return
    await store.delete_class(context.db, cls.chat_id)
    log.info("group %s: class deleted by an admin", cls.chat_id)
    await query.answer(_("Class deleted."))
    await edit_in_place(update, _(DELETED), None)


async def _send_from_panel(
    update: Update, context: DojoContext, cls: ClassGroup, action: Panel
) -> None:
    """A panel button that sends something (chart, facts, dashboard, export) and leaves the
    panel as it is."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    if action is Panel.CHART:
        await query.answer(_("Drawing the chart…"))
        await send_chart(context, cls)
    elif action is Panel.FACTS:
        await query.answer(_("Drawing the class's facts…"))
        await send_class_map(context, cls)
    elif action is Panel.DASHBOARD:
        await offer_dashboard(context, cls, user, query.answer)
    else:
        await _export_for(update, context, cls, query.answer)


async def board_button(
    update: Update, context: DojoContext, data: BoardPanel | Setting
) -> None:
    """A settings button, pressed in the group it names: admins of that group only."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    if not await is_admin(context, data.chat_id, user.id):
        await query.answer(_(NOT_ADMIN))
        return
    cls = await store.get_class(context.db, data.chat_id)
    if cls is None:
        await query.answer(_(STALE))
        return
    catalogue = context.catalogue
    toast: str | None = None
    match data:
        case BoardPanel(action=Panel.TOPIC_MENU):
            await query.answer()
            await edit_in_place(
                update, settings_text(cls, catalogue), topic_keyboard(cls, catalogue)
            )
            return
        case BoardPanel(action=Panel.LANGUAGE_MENU):
            await query.answer()
            await edit_in_place(update, settings_text(cls, catalogue), language_keyboard(cls))
            return
        case BoardPanel(action=Panel.CHART | Panel.FACTS | Panel.DASHBOARD | Panel.EXPORT):
            await _send_from_panel(update, context, cls, data.action)
            return
        case BoardPanel(action=Panel.DELETE):
            await query.answer()
            await edit_in_place(update, delete_text(cls), delete_keyboard(cls.chat_id))
            return
        case BoardPanel(action=Panel.DELETE_CONFIRMED):
            await _delete(update, context, cls)
            return
        case BoardPanel(action=Panel.BACK):
            pass
        case BoardPeriod() | BoardTopic() | BoardWeekly() | BoardLanguage():
            toast = await _change(context, data)
            if toast is None:
                await query.answer(_(STALE))
                return
    fresh = await store.get_class(context.db, data.chat_id)
    assert fresh is not None
    await query.answer(toast)
    await edit_in_place(
        update, settings_text(fresh, catalogue),
        settings_keyboard(fresh, catalogue, dashboard=dashboard_button(context, fresh.chat_id)),
    )


def build_handlers() -> list[BaseHandler]:
    """The board settings' handlers (registered by the classes feature)."""
    in_groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    return [
        CommandHandler("board", board_command, filters=in_groups),
        on_button(BOARD, board_button, stale=STALE),
    ]
