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
from dataclasses import astuple, dataclass
from dataclasses import fields as dataclass_fields
from enum import StrEnum
from typing import ClassVar, Protocol, Self, TypeVar, cast

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler

from dojobot.engine.calendar import MINUTES_PER_DAY, Period
from dojobot.i18n import LANGUAGES, N_, _
from dojobot.transport.context import DojoContext

MAX_BYTES = 64  # Telegram's limit for callback_data
MAX_ID = 2**31 - 1  # catalogue ids (fields, subjects, topics, levels)
MAX_CHAT_ID = 2**53  # Telegram: chat ids have at most 52 significant bits
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")  # ASCII digits, canonical spelling only

# Answers to refused taps: English msgids, translated when answered.
STALE = N_("That button is no longer valid. Send /start to begin again.")
WRONG_CHAT = N_("That button works in our private chat only. Nothing was shown here.")
OTHER_GROUP = N_("That button belongs to another group. Nothing changed.")


class Menu(StrEnum):
    """The menu screens, as they appear in callback data."""

    FIELDS = "f"
    SUBJECTS = "s"
    TOPICS = "t"


def _number(text: str, low: int, high: int) -> int | None:
    """The integer `text` spells canonically within [low, high], or None."""
    if len(text) > 20 or not _INTEGER.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def _catalogue_id(text: str) -> int | None:
    return _number(text, 1, MAX_ID)


def _chat_id(text: str) -> int | None:
    value = _number(text, -MAX_CHAT_ID, MAX_CHAT_ID)
    return None if value == 0 else value


def _join(*fields: object) -> str:
    data = ":".join(str(f) for f in fields)
    # Every format is short by construction; this is the one place the limit is enforced.
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


# ------------------------------------------------------------------ private chat


@dataclass(frozen=True)
class Nav:
    """'nav:f' (the field list) or 'nav:<screen>:<id>': a menu screen."""

    PREFIX: ClassVar[str] = "nav"
    screen: Menu
    item_id: int | None = None  # None only for the field list itself

    def encode(self) -> str:
        if self.item_id is None:
            return _join(self.PREFIX, self.screen)
        return _join(self.PREFIX, self.screen, self.item_id)

    @classmethod
    def decode(cls, fields: list[str]) -> Nav | None:
        match fields:
            case [Menu.FIELDS]:
                return cls(Menu.FIELDS)
            case [screen, raw] if screen in set(Menu) and (item := _catalogue_id(raw)):
                return cls(Menu(screen), item)
        return None


@dataclass(frozen=True)
class _CatalogueIds:
    """A format that is its prefix and catalogue ids, one per field: '<prefix>[:<id>...]'."""

    PREFIX: ClassVar[str]

    def encode(self) -> str:
        return _join(self.PREFIX, *astuple(self))

    @classmethod
    def decode(cls, fields: list[str]) -> Self | None:
        ids = [_catalogue_id(raw) for raw in fields]
        if len(ids) != len(dataclass_fields(cls)) or None in ids:
            return None
        return cls(*ids)


@dataclass(frozen=True)
class Go(_CatalogueIds):
    """'go:<topic>:<level>': start a set."""

    PREFIX: ClassVar[str] = "go"
    topic_id: int
    level_id: int


@dataclass(frozen=True)
class TakeTestOut(_CatalogueIds):
    """'to:<topic>:<stage>': test out of the stage the learner is in (stage guards staleness)."""

    PREFIX: ClassVar[str] = "to"
    topic_id: int
    stage_id: int


@dataclass(frozen=True)
class Topics(_CatalogueIds):
    """'topics:<subject>': the topic menu as a new message (under a set summary)."""

    PREFIX: ClassVar[str] = "topics"
    subject_id: int


@dataclass(frozen=True)
class ShowProgress(_CatalogueIds):
    """'progress': the progress report."""

    PREFIX: ClassVar[str] = "progress"


@dataclass(frozen=True)
class Chart(_CatalogueIds):
    """'chart:<topic>': the chart of one topic's recent sets."""

    PREFIX: ClassVar[str] = "chart"
    topic_id: int


@dataclass(frozen=True)
class Reminder:
    """'rem:t:<minutes after local midnight>' or 'rem:off' (minutes None)."""

    PREFIX: ClassVar[str] = "rem"
    minutes: int | None

    def encode(self) -> str:
        if self.minutes is None:
            return _join(self.PREFIX, "off")
        return _join(self.PREFIX, "t", self.minutes)

    @classmethod
    def decode(cls, fields: list[str]) -> Reminder | None:
        match fields:
            case ["off"]:
                return cls(None)
            case ["t", raw] if (minutes := _number(raw, 0, MINUTES_PER_DAY - 1)) is not None:
                return cls(minutes)
        return None


_NONCE = re.compile(r"[A-Za-z0-9_-]{16}")


@dataclass(frozen=True)
class ForgetMe:
    """'fgt:<nonce>' (erase everything, if the nonce is the learner's pending /forgetme) or
    'fgt:keep' (nonce None: keep it all)."""

    PREFIX: ClassVar[str] = "fgt"
    nonce: str | None

    def encode(self) -> str:
        return _join(self.PREFIX, self.nonce or "keep")

    @classmethod
    def decode(cls, fields: list[str]) -> ForgetMe | None:
        match fields:
            case ["keep"]:
                return cls(None)
            case [nonce] if _NONCE.fullmatch(nonce):
                return cls(nonce)
        return None


@dataclass(frozen=True)
class ChooseLanguage:
    """'lang:<code>': speak this language to me (a code from LANGUAGES)."""

    PREFIX: ClassVar[str] = "lang"
    language: str

    def encode(self) -> str:
        return _join(self.PREFIX, self.language)

    @classmethod
    def decode(cls, fields: list[str]) -> ChooseLanguage | None:
        match fields:
            case [code] if code in LANGUAGES:
                return cls(code)
        return None


# ------------------------------------------------------------------ class groups


@dataclass(frozen=True)
class JoinClass:
    """'cls:join:<chat>': the welcome post's one-tap join."""

    PREFIX: ClassVar[str] = "cls"
    chat_id: int

    def encode(self) -> str:
        return _join(self.PREFIX, "join", self.chat_id)

    @classmethod
    def decode(cls, fields: list[str]) -> JoinClass | None:
        match fields:
            case ["join", raw] if (chat := _chat_id(raw)):
                return cls(chat)
        return None


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


@dataclass(frozen=True)
class BoardPanel:
    """'brd:<chat>:tm|b|c|x|d|dd': open the topic list, go back, chart, export, delete the
    class (asks first), delete it (confirmed)."""

    PREFIX: ClassVar[str] = "brd"
    chat_id: int
    action: Panel

    def encode(self) -> str:
        return _join(self.PREFIX, self.chat_id, self.action)


@dataclass(frozen=True)
class BoardPeriod:
    """'brd:<chat>:p:<period>': the span the board covers."""

    PREFIX: ClassVar[str] = "brd"
    chat_id: int
    period: Period

    def encode(self) -> str:
        return _join(self.PREFIX, self.chat_id, "p", self.period)


@dataclass(frozen=True)
class BoardTopic:
    """'brd:<chat>:t:<topic>' or 'brd:<chat>:t:all' (topic None): the topic filter."""

    PREFIX: ClassVar[str] = "brd"
    chat_id: int
    topic_id: int | None

    def encode(self) -> str:
        return _join(self.PREFIX, self.chat_id, "t", self.topic_id or "all")


@dataclass(frozen=True)
class BoardWeekly:
    """'brd:<chat>:w:0|1': the weekly final board off or on."""

    PREFIX: ClassVar[str] = "brd"
    chat_id: int
    on: bool

    def encode(self) -> str:
        return _join(self.PREFIX, self.chat_id, "w", int(self.on))


@dataclass(frozen=True)
class BoardLanguage:
    """'brd:<chat>:l:<code>': the language the bot speaks in the group."""

    PREFIX: ClassVar[str] = "brd"
    chat_id: int
    language: str

    def encode(self) -> str:
        return _join(self.PREFIX, self.chat_id, "l", self.language)


Board = BoardPanel | BoardPeriod | BoardTopic | BoardWeekly | BoardLanguage
# Every Board, for isinstance.
BOARD = (BoardPanel, BoardPeriod, BoardTopic, BoardWeekly, BoardLanguage)


def _decode_board(fields: list[str]) -> Board | None:
    chat = _chat_id(fields[0]) if fields else None
    if chat is None:
        return None
    match fields[1:]:
        case [action] if action in set(Panel):
            return BoardPanel(chat, Panel(action))
        case ["p", value] if value in set(Period):
            return BoardPeriod(chat, Period(value))
        case ["t", "all"]:
            return BoardTopic(chat, None)
        case ["t", raw] if (topic := _catalogue_id(raw)):
            return BoardTopic(chat, topic)
        case ["w", ("0" | "1") as flag]:
            return BoardWeekly(chat, flag == "1")
        case ["l", code] if code in LANGUAGES:
            return BoardLanguage(chat, code)
    return None


# ------------------------------------------------------------------ parsing and handlers

# Private data acts for the learner; group data names the group it belongs to.
PrivateData = (
    Nav | Go | TakeTestOut | Topics | ShowProgress | Chart | Reminder | ChooseLanguage
    | ForgetMe
)
GroupData = JoinClass | Board
CallbackData = PrivateData | GroupData
_DECODERS: dict[str, Callable[[list[str]], CallbackData | None]] = {
    Nav.PREFIX: Nav.decode,
    Go.PREFIX: Go.decode,
    TakeTestOut.PREFIX: TakeTestOut.decode,
    Topics.PREFIX: Topics.decode,
    ShowProgress.PREFIX: ShowProgress.decode,
    Chart.PREFIX: Chart.decode,
    Reminder.PREFIX: Reminder.decode,
    ForgetMe.PREFIX: ForgetMe.decode,
    ChooseLanguage.PREFIX: ChooseLanguage.decode,
    JoinClass.PREFIX: JoinClass.decode,
    BoardPanel.PREFIX: _decode_board,
}


def parse(data: object) -> CallbackData | None:
    """The typed value behind callback data, or None for anything encode() never makes."""
    if not isinstance(data, str) or not data.isascii() or len(data) > MAX_BYTES:
        return None
    head, *fields = data.split(":")
    decode = _DECODERS.get(head)
    return decode(fields) if decode is not None else None


def _refusal(update: Update, data: CallbackData) -> str | None:
    """Why this tap may not act where it was made, or None when it may."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is None:  # an inline-mode message: the bot makes no such buttons
        return STALE
    chat = message.chat
    if not isinstance(data, (JoinClass, *BOARD)):
        # Private buttons act for the chat's learner: only they can press in that chat.
        if chat.type != ChatType.PRIVATE or chat.id != query.from_user.id:
            return WRONG_CHAT
        return None
    if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return STALE
    if chat.id != data.chat_id:
        return OTHER_GROUP
    return None


class _Format(Protocol):
    PREFIX: ClassVar[str]


D = TypeVar("D", bound=CallbackData)
ButtonCallback = Callable[[Update, DojoContext, D], Awaitable[None]]


def on_button(
    kinds: tuple[type[_Format], ...], callback: ButtonCallback[D], *, stale: str = STALE
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
