"""Every button's callback data: one typed class per format, encoded and parsed only here.

Telegram hands callback data back verbatim, but anyone can send any string with any
message (a forged client, a button from an older version), so `parse` is strict: it returns
None for anything `encode` would not have produced (non-ASCII digits such as '²', leading
zeros, extra fields, numbers out of range). A handler therefore only sees well-formed values.

A button is also only valid where it was made: `on_button` refuses a private-chat button
pressed on a group message (or by someone other than the chat's learner) and a group button
naming another group, and answers every refused tap with one short line.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, TypeVar, cast

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler

from dojobot.engine.calendar import MINUTES_PER_DAY, Period
from dojobot.handlers.callback_format import (
    MAX_BYTES,
    CallbackData,
    GroupData,
    Integer,
    Layout,
    Matching,
    OneOf,
    PrivateData,
    formats,
    parse,
)
from dojobot.i18n import LANGUAGES, N_, _
from dojobot.transport.context import DojoContext

__all__ = ["MAX_BYTES", "CallbackData", "parse"]

MAX_ID = 2**31 - 1  # catalogue ids (fields, subjects, topics, levels)
MAX_CHAT_ID = 2**53  # Telegram: chat ids have at most 52 significant bits

# Answers to refused taps: English msgids, translated when answered.
STALE = N_("That button is no longer valid. Send /start to begin again.")
WRONG_CHAT = N_("That button works in our private chat only. Nothing was shown here.")
OTHER_GROUP = N_("That button belongs to another group. Nothing changed.")


class Menu(StrEnum):
    """The menu screens, as they appear in callback data."""

    FIELDS = "f"
    SUBJECTS = "s"
    TOPICS = "t"


class Panel(StrEnum):
    """Board panel buttons that carry no value."""

    TOPIC_MENU = "tm"
    BACK = "b"
    CHART = "c"
    EXPORT = "x"
    DELETE = "d"  # asks for confirmation
    DELETE_CONFIRMED = "dd"
    LANGUAGE_MENU = "lm"
    FACTS = "fx"  # the class's weakest facts (fluency map)
    DASHBOARD = "db"  # the class dashboard's button, sent to the admin privately


# How fields are spelled.
CATALOGUE_ID = Integer(1, MAX_ID)  # fields, subjects, topics, levels, stages
CHAT_ID = Integer(-MAX_CHAT_ID, MAX_CHAT_ID, nonzero=True)
MINUTE_OF_DAY = Integer(0, MINUTES_PER_DAY - 1)
NONCE = Matching(re.compile(r"[A-Za-z0-9_-]{16}"))
LANGUAGE = OneOf({code: code for code in LANGUAGES})
FLAG = OneOf({"0": False, "1": True})
MENU, PANEL, PERIOD = OneOf.of(Menu), OneOf.of(Panel), OneOf.of(Period)


# ------------------------------------------------------------------ private chat


@dataclass(frozen=True)
class Nav(PrivateData):
    """'nav:f' (the field list) or 'nav:<screen>:<id>': a menu screen."""

    PREFIX: ClassVar[str] = "nav"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = (
        Layout("f", screen=Menu.FIELDS, item_id=None),
        Layout(MENU("screen"), CATALOGUE_ID("item_id")),
    )
    screen: Menu
    item_id: int | None = None  # None only for the field list itself


@dataclass(frozen=True)
class Go(PrivateData):
    """'go:<topic>:<level>': start a set."""

    PREFIX: ClassVar[str] = "go"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = (
        Layout(CATALOGUE_ID("topic_id"), CATALOGUE_ID("level_id")),
    )
    topic_id: int
    level_id: int


@dataclass(frozen=True)
class TakeTestOut(PrivateData):
    """'to:<topic>:<stage>': test out of the stage the learner is in (stage guards staleness)."""

    PREFIX: ClassVar[str] = "to"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = (
        Layout(CATALOGUE_ID("topic_id"), CATALOGUE_ID("stage_id")),
    )
    topic_id: int
    stage_id: int


@dataclass(frozen=True)
class Topics(PrivateData):
    """'topics:<subject>': the topic menu as a new message (under a set summary)."""

    PREFIX: ClassVar[str] = "topics"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = (Layout(CATALOGUE_ID("subject_id")),)
    subject_id: int


@dataclass(frozen=True)
class ShowProgress(PrivateData):
    """'progress': the progress report."""

    PREFIX: ClassVar[str] = "progress"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = (Layout(),)


@dataclass(frozen=True)
class Chart(PrivateData):
    """'chart:<topic>': the chart of one topic's recent sets."""

    PREFIX: ClassVar[str] = "chart"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = (Layout(CATALOGUE_ID("topic_id")),)
    topic_id: int


@dataclass(frozen=True)
class Reminder(PrivateData):
    """'rem:t:<minutes after local midnight>' or 'rem:off' (minutes None)."""

    PREFIX: ClassVar[str] = "rem"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = (
        Layout("off", minutes=None),
        Layout("t", MINUTE_OF_DAY("minutes")),
    )
    minutes: int | None


@dataclass(frozen=True)
class ForgetMe(PrivateData):
    """'fgt:<nonce>' (erase everything, if the nonce is the learner's pending /forgetme) or
    'fgt:keep' (nonce None: keep it all)."""

    PREFIX: ClassVar[str] = "fgt"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = (Layout("keep", nonce=None), Layout(NONCE("nonce")))
    nonce: str | None


@dataclass(frozen=True)
class ChooseLanguage(PrivateData):
    """'lang:<code>': speak this language to me (a code from LANGUAGES)."""

    PREFIX: ClassVar[str] = "lang"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = (Layout(LANGUAGE("language")),)
    language: str


# ------------------------------------------------------------------ class groups


@dataclass(frozen=True)
class JoinClass(GroupData):
    """'cls:join:<chat>': the welcome post's one-tap join."""

    PREFIX: ClassVar[str] = "cls"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = (Layout("join", CHAT_ID("chat_id")),)
    chat_id: int


@dataclass(frozen=True)
class BoardPanel(GroupData):
    """'brd:<chat>:tm|b|c|x|d|dd|lm|fx': open the topic list, go back, chart, export, delete
    the class (asks first), delete it (confirmed), the language list, the weakest facts."""

    PREFIX: ClassVar[str] = "brd"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = (Layout(CHAT_ID("chat_id"), PANEL("action")),)
    chat_id: int
    action: Panel


@dataclass(frozen=True)
class BoardPeriod(GroupData):
    """'brd:<chat>:p:<period>': the span the board covers."""

    PREFIX: ClassVar[str] = "brd"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = (Layout(CHAT_ID("chat_id"), "p", PERIOD("period")),)
    chat_id: int
    period: Period


@dataclass(frozen=True)
class BoardTopic(GroupData):
    """'brd:<chat>:t:<topic>' or 'brd:<chat>:t:all' (topic None): the topic filter."""

    PREFIX: ClassVar[str] = "brd"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = (
        Layout(CHAT_ID("chat_id"), "t", "all", topic_id=None),
        Layout(CHAT_ID("chat_id"), "t", CATALOGUE_ID("topic_id")),
    )
    chat_id: int
    topic_id: int | None


@dataclass(frozen=True)
class BoardWeekly(GroupData):
    """'brd:<chat>:w:0|1': the weekly final board off or on."""

    PREFIX: ClassVar[str] = "brd"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = (Layout(CHAT_ID("chat_id"), "w", FLAG("on")),)
    chat_id: int
    on: bool


@dataclass(frozen=True)
class BoardLanguage(GroupData):
    """'brd:<chat>:l:<code>': the language the bot speaks in the group."""

    PREFIX: ClassVar[str] = "brd"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = (
        Layout(CHAT_ID("chat_id"), "l", LANGUAGE("language")),
    )
    chat_id: int
    language: str


# Every board settings button (one handler takes them all).
BOARD = tuple(kind for kind in formats() if kind.PREFIX == BoardPanel.PREFIX)


# ------------------------------------------------------------------ handlers


def _refusal(update: Update, data: CallbackData) -> str | None:
    """Why this tap may not act where it was made, or None when it may."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is None:  # an inline-mode message: the bot makes no such buttons
        return STALE
    chat = message.chat
    if not isinstance(data, GroupData):
        # Private buttons act for the chat's learner: only they can press in that chat.
        if chat.type != ChatType.PRIVATE or chat.id != query.from_user.id:
            return WRONG_CHAT
        return None
    if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return STALE
    if chat.id != data.chat_id:
        return OTHER_GROUP
    return None


D = TypeVar("D", bound=CallbackData)
ButtonCallback = Callable[[Update, DojoContext, D], Awaitable[None]]


def on_button(
    kinds: tuple[type[CallbackData], ...], callback: ButtonCallback[D], *, stale: str = STALE
) -> CallbackQueryHandler[DojoContext, None]:
    """The handler of one callback format: it claims data by prefix, parses it strictly,
    checks where it was pressed, and calls back with the typed value. Every refused tap is
    answered (`stale` for data that does not parse).

    `kinds` are the classes the callback's `D` stands for (mypy cannot tie a tuple of
    classes to a union, so the two are kept side by side at each call)."""
    prefixes = sorted({kind.PREFIX for kind in kinds})
    pattern = re.compile("^(?:" + "|".join(map(re.escape, prefixes)) + ")(?::|$)")

    async def run(update: Update, context: DojoContext) -> None:
        query = update.callback_query
        assert query is not None
        data = parse(query.data)
        if data is None or not isinstance(data, kinds):
            await query.answer(_(stale))
            return
        refusal = _refusal(update, data)
        if refusal is not None:
            await query.answer(_(refusal))
            return
        await callback(update, context, cast(D, data))

    return CallbackQueryHandler(run, pattern=pattern)
