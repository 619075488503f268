"""/remind and /timezone: when the daily practice nudge comes, in the learner's own time."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from dojobot.display.formats import clock, number, weekday_day
from dojobot.engine.calendar import InvalidTime, local_datetime, parse_local_time, zone
from dojobot.engine.nudges import MAX_IGNORED, first_due
from dojobot.engine.zone_names import AmbiguousZone, InvalidZone, parse_zone
from dojobot.handlers.callbacks import Reminder, on_button
from dojobot.handlers.editing import edit_in_place
from dojobot.handlers.texts import several_places
from dojobot.i18n import N_, _, current, ngettext
from dojobot.storage import reminders as store
from dojobot.transport.context import DojoContext

QUICK_TIMES = (7 * 60, 12 * 60, 18 * 60, 20 * 60)
# Translators: shown after "Not yours? Send …" and "Set yours with …": keep the /timezone
# commands as they are; a city may be written in your language.
ZONE_EXAMPLES = N_(
    "/timezone Europe/Berlin, a city like /timezone Tokyo, or an offset like /timezone +05:30"
)
STALE = N_("That button is no longer valid. Send /remind to see your reminder.")
# Translators: what a learner may type after /remind to switch reminders off or on, in
# lower case, separated by "|". Put the word on the "🔕 Off" button among them, and the
# short forms people type ("выкл"). English words always work as well.
OFF_WORDS = N_("off|stop|no")
ON_WORDS = N_("on|resume|yes")


def at(minutes: int) -> str:
    """Minutes after local midnight as the learner's language writes a time: '18:30'."""
    return clock(time(minutes // 60, minutes % 60))


def when_text(due_ms: int, now_ms: int, zone_name: str) -> str:
    """'today at 18:30', 'tomorrow at 07:00', 'Sun 29 Mar at 03:00' in the learner's zone."""
    tz = zone(zone_name)
    due = local_datetime(due_ms, tz)
    today = local_datetime(now_ms, tz).date()
    when = clock(due)
    if due.date() == today:
        return _("today at {time}").format(time=when)
    if due.date() == today + timedelta(days=1):
        return _("tomorrow at {time}").format(time=when)
    return _("{day} at {time}").format(day=weekday_day(due.date()), time=when)


def zone_line(own: str | None, default: str) -> str:
    """Which timezone reminders use, and how to change it while it is the default."""
    if own is not None:
        return _("Your timezone: {zone} (change it with /timezone).").format(zone=escape(own))
    return _("Times are in {zone}, the default timezone. Not yours? Send {examples}.").format(
        zone=escape(default), examples=_(ZONE_EXAMPLES)
    )


def times_keyboard() -> InlineKeyboardMarkup:
    """A few common times and 'Off'."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(at(m), callback_data=Reminder(m).encode())
                for m in QUICK_TIMES
            ],
            [InlineKeyboardButton(_("🔕 Off"), callback_data=Reminder(None).encode())],
        ]
    )


async def status_text(context: DojoContext, user_id: int) -> str:
    """What /remind shows: the setting, the next nudge, the timezone."""
    db = context.db
    own = await store.user_timezone(db, user_id)
    zone_name = own or context.settings.default_timezone
    reminder = await store.get_reminder(db, user_id)
    if reminder is not None and reminder.next_due_at is not None:
        head = _(
            "🔔 <b>Daily reminder</b>: every day at {time}, except days you have practised.\n"
            "Next: {when}.\n"
            "Pick another time below or send one like /remind 07:15; /remind off stops it."
        ).format(
            time=at(reminder.local_minutes),
            when=when_text(reminder.next_due_at, context.now_ms(), zone_name),
        )
    elif reminder is not None and reminder.paused:
        head = ngettext(
            "🔔 <b>Daily reminder</b>: paused, after {n} reminder without practice.\n"
            "Pick a time below, or send /remind on to keep {time}.",
            "🔔 <b>Daily reminder</b>: paused, after {n} reminders in a row without practice.\n"
            "Pick a time below, or send /remind on to keep {time}.",
            MAX_IGNORED,
        ).format(n=number(MAX_IGNORED), time=at(reminder.local_minutes))
    else:
        head = _(
            "🔔 <b>Daily reminder</b>: off.\nPick a time and I'll nudge you once a day to "
            "practise (never on days you have already practised). Or send your own time, "
            "like /remind 18:30."
        )
    return f"{head}\n\n{zone_line(own, context.settings.default_timezone)}"


async def turn_on(context: DojoContext, user_id: int, minutes: int) -> str:
    """Set the reminder and say when the first nudge comes."""
    db = context.db
    now = context.now_ms()
    own = await store.user_timezone(db, user_id)
    zone_name = own or context.settings.default_timezone
    existing = await store.get_reminder(db, user_id)
    due = first_due(now, minutes, zone_name, existing.last_sent_on if existing else None)
    await store.set_reminder(db, user_id, minutes, due, now)
    text = _(
        "🔔 Done: I'll remind you to practise every day at {time} ({zone} time), except on "
        "days you have already practised.\nFirst reminder: {when}. /remind off stops it."
    ).format(time=at(minutes), zone=escape(zone_name), when=when_text(due, now, zone_name))
    if own is None:
        text += f"\n\n{zone_line(None, context.settings.default_timezone)}"
    return text


async def turn_off_text(context: DojoContext, user_id: int) -> str:
    """Stop nudges and say so."""
    if await store.turn_off(context.db, user_id, context.now_ms()):
        return _("🔕 Daily reminders are off. Send /remind to set a time again.")
    return _(
        "Daily reminders are already off. Send /remind 18:30 to get one every day at 18:30."
    )


def said(arg: str, words: str, *labels: str) -> bool:
    """The argument is one of the words (English or the learner's language) or a button's
    label without its emoji: '/remind aus', '/remind выкл', '/remind Desligar'."""
    typed = " ".join(arg.split()).casefold()
    accepted = {*words.split("|"), *_(words).split("|")}
    accepted |= {"".join(c for c in label if c.isalpha() or c == " ").strip() for label in labels}
    return typed in {w.strip().casefold() for w in accepted if w.strip()}


async def remind(update: Update, context: DojoContext) -> None:
    """/remind, /remind 18:30, /remind off, /remind on."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    arg = " ".join(context.args or []).strip()
    if not arg:
        text = await status_text(context, user.id)
        await message.reply_text(text, reply_markup=times_keyboard())
        return
    if said(arg, OFF_WORDS, _("🔕 Off")):
        await message.reply_text(await turn_off_text(context, user.id))
        return
    if said(arg, ON_WORDS):
        existing = await store.get_reminder(context.db, user.id)
        if existing is None:
            await message.reply_text(_("Pick a time first, for example /remind 18:30."))
            return
        await message.reply_text(await turn_on(context, user.id, existing.local_minutes))
        return
    try:
        minutes = parse_local_time(arg)
    except InvalidTime:
        await message.reply_text(
            _(
                "I can't read “{text}” as a time. Send hours and minutes, for example "
                "/remind 18:30 (or /remind off)."
            ).format(text=escape(arg[:40]))
        )
        return
    await message.reply_text(await turn_on(context, user.id, minutes))


async def remind_button(update: Update, context: DojoContext, data: Reminder) -> None:
    """A time or 'Off' from /remind's keyboard, or 'Stop reminders' under a nudge."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    if data.minutes is None:
        text = await turn_off_text(context, user.id)
    else:
        text = await turn_on(context, user.id, data.minutes)
    await query.answer()
    await edit_in_place(update, text)


async def set_timezone(update: Update, context: DojoContext) -> None:
    """/timezone [IANA name | city | UTC offset]."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    db = context.db
    now = context.now_ms()
    arg = " ".join(context.args or []).strip()
    if not arg:
        own = await store.user_timezone(db, user.id)
        zone_name = own or context.settings.default_timezone
        local = clock(local_datetime(now, zone(zone_name)))
        mine = (
            _("🌍 Your timezone: {zone}. Your local time: {time}.") if own
            else _("🌍 Your timezone: {zone}, the default. Your local time: {time}.")
        )
        await message.reply_text(
            mine.format(zone=escape(zone_name), time=local) + "\n"
            + _("Set yours with {examples}.").format(examples=_(ZONE_EXAMPLES))
        )
        return
    try:
        # In a thread: the first city that only GeoNames knows reads its table (~70 ms).
        zone_name = await asyncio.to_thread(parse_zone, arg, str(current().locale))
    except AmbiguousZone as several:
        await message.reply_text(several_places(arg, "/timezone", several.zones))
        return
    except InvalidZone:
        await message.reply_text(
            _("I don't know the timezone “{text}”. Send {examples}.").format(
                text=escape(arg[:40]), examples=_(ZONE_EXAMPLES)
            )
        )
        return
    await store.set_user_timezone(db, user.id, zone_name)
    local = clock(local_datetime(now, zone(zone_name)))
    text = _("🌍 Timezone set: {zone}. Your local time: {time}.").format(
        zone=escape(zone_name), time=local
    )
    reminder = await store.get_reminder(db, user.id)
    if reminder is not None and reminder.next_due_at is not None:
        due = first_due(now, reminder.local_minutes, zone_name, reminder.last_sent_on)
        await store.reschedule(db, user.id, due, now)
        text += "\n" + _("Your daily reminder stays at {time} your time; next: {when}.").format(
            time=at(reminder.local_minutes), when=when_text(due, now, zone_name)
        )
    else:
        text += "\n" + _("Send /remind to get a daily practice reminder.")
    await message.reply_text(text)


def build_handlers() -> list[BaseHandler]:
    """The reminder settings' handlers."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("remind", remind, filters=private),
        CommandHandler("timezone", set_timezone, filters=private),
        on_button((Reminder,), remind_button, stale=STALE),
    ]
