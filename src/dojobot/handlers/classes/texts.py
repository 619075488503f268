"""What a class group reads: boards, the welcome, the settings panel, and class links."""

from __future__ import annotations

import re
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from dojobot.display.formats import number, percent, seconds
from dojobot.engine.calendar import POST_HOUR, Period
from dojobot.engine.leaderboard import Board, Ranked
from dojobot.handlers.callbacks import (
    MAX_CHAT_ID,
    BoardLanguage,
    BoardPanel,
    BoardPeriod,
    BoardTopic,
    BoardWeekly,
    JoinClass,
    Panel,
)
from dojobot.i18n import N_, NATIVE_NAMES, _, current, ngettext, person
from dojobot.i18n.names import shown
from dojobot.storage.catalogue import Catalogue, Topic
from dojobot.storage.classes import ClassGroup

MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
# English msgids, translated where shown.
# Translators: buttons of the board's settings: which span the board counts.
PERIOD_BUTTONS = (
    (Period.WEEK, N_("Week")), (Period.MONTH, N_("Month")), (Period.ALL, N_("All time"))
)
# Translators: the span a class board counts, used inside sentences such as "The board now
# covers {period}." and after the class name in the board's title.
PERIOD_NAMES = {
    Period.WEEK: N_("this week"), Period.MONTH: N_("this month"), Period.ALL: N_("all time")
}
# Deep-link payloads allow [A-Za-z0-9_-] only, so a group's negative id is written n<digits>.
# Canonical ASCII digits only; the value is range-checked like a button's chat id.
_LINK = re.compile(r"(join|exp|dash)-([np])([1-9][0-9]{0,19})", re.ASCII)


def encode_link(kind: str, chat_id: int) -> str:
    """'join-n1001234567890' for a class link of that kind ('join', 'exp' or 'dash')."""
    return f"{kind}-{'n' if chat_id < 0 else 'p'}{abs(chat_id)}"


def decode_link(payload: str) -> tuple[str, int] | None:
    """(kind, chat id) of a class deep link, or None if it is not one."""
    match = _LINK.fullmatch(payload)
    if match is None:
        return None
    number = int(match.group(3))
    if number > MAX_CHAT_ID:  # SQLite could not even look it up (over 2**63 overflows)
        return None
    return match.group(1), -number if match.group(2) == "n" else number


def is_class_link(payload: str) -> bool:
    """Whether a /start payload belongs to the classes feature."""
    return payload.startswith(("join-", "exp-", "dash-"))


def bot_link(bot_username: str, payload: str) -> str:
    """A t.me link that opens the private chat with the bot and sends /start payload."""
    return f"https://t.me/{bot_username}?start={payload}"


def practise_keyboard(bot_username: str, chat_id: int, *, join_button: bool) -> (
    InlineKeyboardMarkup
):
    """'Join the class' (one tap, registers the tapper) and 'Practise' (joins and opens
    the private chat, where practice happens)."""
    row = []
    if join_button:
        row.append(
            InlineKeyboardButton(_("✋ Join the class"), callback_data=JoinClass(chat_id).encode())
        )
    row.append(InlineKeyboardButton(
        _("🥋 Practise"), url=bot_link(bot_username, encode_link("join", chat_id))
    ))
    return InlineKeyboardMarkup([row])


def welcome_text(title: str, members: int, *, returning: bool) -> str:
    """The post when the bot is added to a group (or added back)."""
    if returning:
        return ngettext(
            "🥋 Back in <b>{title}</b>. The class is as you left it: {n} member. "
            "/leaderboard shows the board.",
            "🥋 Back in <b>{title}</b>. The class is as you left it: {n} members. "
            "/leaderboard shows the board.",
            members,
        ).format(title=escape(title), n=number(members))
    return _(
        "🥋 Hello, <b>{title}</b>! I'm a dojo for mental arithmetic: learners "
        "practise timed problems with me in a private chat, and this group gets a class "
        "leaderboard.\n\n"
        "Tap <b>Join the class</b> to be on the board (or send /join), then <b>Practise</b> "
        "to open our private chat.\n"
        "/leaderboard shows the board. Admins: /board for the settings."
    ).format(title=escape(title))


def topic_name(catalogue: Catalogue, topic_id: int | None) -> str:
    """'all topics' or the topic's display name."""
    topic = catalogue.topic(topic_id) if topic_id is not None else None
    return shown(topic.display_name) if topic else _("all topics")


def fact_topic(catalogue: Catalogue, cls: ClassGroup) -> Topic | None:
    """The topic a class's map shows: the board's topic, else Multiplication."""
    topic = catalogue.topic(cls.topic_id) if cls.topic_id is not None else None
    if topic is None:
        topic = next((t for t in catalogue.topics if t.code == "mul"), None)
    return topic


def _row(ranked: Ranked) -> str:
    entry = ranked.entry
    place = MEDALS.get(ranked.rank, f"{ranked.rank}.")
    figures = ngettext(
        "<b>{right}</b> right of {n}", "<b>{right}</b> right of {n}", entry.reps
    ).format(right=number(entry.correct), n=number(entry.reps))
    return (
        f"{place} {escape(person(entry.name))} · {figures} · "
        f"{percent(entry.accuracy)} · {seconds(entry.median_ms)}"
    )


def board_text(heading: str, board: Board, *, caller_id: int | None) -> str:
    """The board: heading, top rows, the caller's own row if below them, a footer."""
    lines = [heading]
    if not board.top:
        lines.append(
            _("No answers yet. Join the class and practise in private to get on the board.")
        )
    else:
        lines.extend(_row(r) for r in board.top)
        lines.append(_("<i>right answers · accuracy · median time</i>"))
    if caller_id is not None:
        if board.caller is not None:
            lines.append("\n" + _("You: {row}").format(row=_row(board.caller)))
        elif not board.caller_is_member:
            lines.append("\n" + _("You are not on this board: /join to take part."))
        elif all(r.entry.user_id != caller_id for r in board.top):
            lines.append("\n" + _("You have no answers in this period yet."))
    lines.append(
        ngettext(
            "{practised} of {n} member practised.", "{practised} of {n} members practised.",
            board.members,
        ).format(practised=number(board.practised), n=number(board.members))
    )
    return "\n".join(lines)


def board_heading(title: str, span: str, topic: str, *, final: bool = False) -> str:
    """'🏆 <b>7A</b> · this week (24–30 Nov 2025) · all topics'."""
    if final:
        head = _("🏁 <b>Final board of the week</b> · {title}").format(title=escape(title))
        return f"{head}\n{span} · {escape(topic)}"
    return f"🏆 <b>{escape(title)}</b> · {span} · {escape(topic)}"


def settings_text(cls: ClassGroup, catalogue: Catalogue) -> str:
    """The admin panel's text: every setting and how to change the ones without buttons."""
    weekly = (
        _("on, Sundays {hour}:00 group time").format(hour=POST_HOUR) if cls.weekly_post
        # Translators: the weekly board post is switched off.
        else _("off")
    )
    return _(
        "⚙️ <b>Board settings</b> · {title}\n"
        "Period: {period}\n"
        "Topic: {topic}\n"
        "Timezone: {zone} (change: /board timezone Europe/Berlin)\n"
        "Weekly final board: {weekly}\n"
        "Language: {language}\n"
        "Only this group's admins can change these."
    ).format(
        title=escape(cls.title), period=_(PERIOD_NAMES[Period(cls.period)]),
        topic=escape(topic_name(catalogue, cls.topic_id)), zone=escape(cls.timezone),
        weekly=weekly, language=language_name(),
    )


def language_name() -> str:
    """The name of the language in use, in itself ('Deutsch')."""
    return NATIVE_NAMES.get(current().code, current().code)


def settings_keyboard(
    cls: ClassGroup, catalogue: Catalogue, *, dashboard: InlineKeyboardButton | None = None
) -> InlineKeyboardMarkup:
    """Period, topic, weekly post, chart, export, the dashboard's button (where the bot has
    its Mini App: handlers.classes.dashboard_link) and delete; data names the group."""
    chat = cls.chat_id
    periods = [
        InlineKeyboardButton(
            f"✓ {_(label)}" if cls.period == period else _(label),
            callback_data=BoardPeriod(chat, period).encode(),
        )
        for period, label in PERIOD_BUTTONS
    ]
    topic = topic_name(catalogue, cls.topic_id)
    weekly = (
        InlineKeyboardButton(
            _("🔔 Weekly post: on"), callback_data=BoardWeekly(chat, False).encode()
        )
        if cls.weekly_post
        else InlineKeyboardButton(
            _("🔕 Weekly post: off"), callback_data=BoardWeekly(chat, True).encode()
        )
    )
    return InlineKeyboardMarkup([
        periods,
        [InlineKeyboardButton(
            _("🎯 Topic: {topic}").format(topic=topic),
            callback_data=BoardPanel(chat, Panel.TOPIC_MENU).encode(),
        )],
        [weekly],
        [InlineKeyboardButton(
            _("🌐 Language: {language}").format(language=language_name()),
            callback_data=BoardPanel(chat, Panel.LANGUAGE_MENU).encode(),
        )],
        [InlineKeyboardButton(_("📊 Chart"), callback_data=BoardPanel(chat, Panel.CHART).encode()),
         InlineKeyboardButton(
             _("📄 Export CSV"), callback_data=BoardPanel(chat, Panel.EXPORT).encode()
         )],
        [InlineKeyboardButton(
            _("🧩 Weakest facts"), callback_data=BoardPanel(chat, Panel.FACTS).encode()
        )],
        *([[dashboard]] if dashboard else []),
        [InlineKeyboardButton(
            _("🗑 Delete the class"), callback_data=BoardPanel(chat, Panel.DELETE).encode()
        )],
    ])


def delete_text(cls: ClassGroup) -> str:
    """What deleting the class removes, asked before doing it."""
    return _(
        "🗑 <b>Delete the class {title}?</b>\n"
        "Its member list, board settings and weekly post go, for good. Learners keep their "
        "own progress. Anyone can start a new class here later with /join."
    ).format(title=escape(cls.title))


def delete_keyboard(chat_id: int) -> InlineKeyboardMarkup:
    """Delete for good, or back to the settings."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(
            _("🗑 Delete for good"),
            callback_data=BoardPanel(chat_id, Panel.DELETE_CONFIRMED).encode(),
        ),
        InlineKeyboardButton(_("Cancel"), callback_data=BoardPanel(chat_id, Panel.BACK).encode()),
    ]])


def topic_keyboard(cls: ClassGroup, catalogue: Catalogue) -> InlineKeyboardMarkup:
    """'All topics' and every topic, two a row, then Back."""
    chat = cls.chat_id

    def mark(text: str, chosen: bool) -> str:
        return f"✓ {text}" if chosen else text

    rows = [[InlineKeyboardButton(mark(_("All topics"), cls.topic_id is None),
                                  callback_data=BoardTopic(chat, None).encode())]]
    buttons = [
        InlineKeyboardButton(mark(shown(t.display_name), cls.topic_id == t.topic_id),
                             callback_data=BoardTopic(chat, t.topic_id).encode())
        for t in catalogue.topics
    ]
    rows.extend(buttons[i:i + 2] for i in range(0, len(buttons), 2))
    back = BoardPanel(chat, Panel.BACK).encode()
    rows.append([InlineKeyboardButton(_("⬅️ Back"), callback_data=back)])
    return InlineKeyboardMarkup(rows)


def language_keyboard(cls: ClassGroup) -> InlineKeyboardMarkup:
    """One button per language, each in its own name, then Back."""
    rows = [
        [InlineKeyboardButton(name, callback_data=BoardLanguage(cls.chat_id, code).encode())]
        for code, name in NATIVE_NAMES.items()
    ]
    back = BoardPanel(cls.chat_id, Panel.BACK).encode()
    rows.append([InlineKeyboardButton(_("⬅️ Back"), callback_data=back)])
    return InlineKeyboardMarkup(rows)
