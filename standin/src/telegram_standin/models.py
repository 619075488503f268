"""The stand-in's data: what tests see (users, chats, bot messages, calls) and its chat state."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CALLBACK_ANSWER_TIMEOUT_S",
    "GROUP_ANONYMOUS_BOT_ID",
    "JSON",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_CAPTION",
    "MAX_TEXT",
    "ApiCall",
    "ApiError",
    "BotMessage",
    "Button",
    "CallbackQuery",
    "Chat",
    "ChatState",
    "Fault",
    "StandInStats",
    "StoredFile",
    "User",
    "as_chat_id",
    "now_date",
]

JSON = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
# How long after a tap Telegram still takes its answer: QUERY_ID_INVALID after about 15 s
# (clients stop waiting at 10 s).
CALLBACK_ANSWER_TIMEOUT_S = 15.0
GROUP_ANONYMOUS_BOT_ID = 1087968824


# --------------------------------------------------------------------------------------------
# Public data types

@dataclass(frozen=True)
class User:
    """A simulated Telegram user (the stand-in's own type, not PTB's)."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str = "en"
    last_name: str | None = None
    is_bot: bool = False

    def to_dict(self) -> JSON:
        """The user as Bot API JSON."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True)
class Chat:
    """A chat as Telegram describes it: private, group or supergroup."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None

    def to_dict(self) -> JSON:
        """The chat as Bot API JSON."""
        data: JSON = {"id": self.id, "type": self.type}
        if self.title is not None:
            data["title"] = self.title
        if self.username is not None:
            data["username"] = self.username
        if self.first_name is not None:
            data["first_name"] = self.first_name
        return data


@dataclass(frozen=True)
class Button:
    """One inline keyboard button of a bot message."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    web_app_url: str | None = None  # a Mini App button (private chats only)


@dataclass
class BotMessage:
    """A message the bot sent, with its current content (edits applied)."""

    chat_id: int
    message_id: int
    text: str  # text or caption as sent (HTML if parse_mode=HTML)
    plain_text: str  # tags stripped, entities unescaped
    buttons: list[list[Button]]
    kind: str  # "text" | "photo" | "document"
    date: int
    file_bytes: bytes | None = None
    file_name: str | None = None
    mime_type: str | None = None
    edited: int = 0
    deleted: bool = False
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    reply_to_message_id: int | None = None  # the message it quotes (replies to)
    # Sent with a reply keyboard (keyboard, remove_keyboard, force_reply): Telegram edits
    # only messages without reply_markup or with an inline keyboard.
    custom_keyboard: bool = False

    @property
    def flat_buttons(self) -> list[Button]:
        """The buttons in row-major order (the order `press` indexes them)."""
        return [b for row in self.buttons for b in row]


@dataclass
class ApiCall:
    """One Bot API request the stand-in answered."""

    method: str
    params: dict[str, Any]
    at: float
    ok: bool
    error_code: int | None = None
    description: str | None = None


@dataclass
class StandInStats:
    """Counters for tests and benchmarks."""

    rate_limited: int = 0
    injected_failures: int = 0
    updates_enqueued: int = 0
    messages_sent: int = 0
    webhook_deliveries: int = 0
    webhook_failures: int = 0


# --------------------------------------------------------------------------------------------
# Internal state


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    @classmethod
    def bad_request(cls, what: str, parameters: JSON | None = None) -> ApiError:
        """A 400 error with Telegram's "Bad Request: " prefix."""
        return cls(400, f"Bad Request: {what}", parameters)


@dataclass
class Fault:
    """An error `fail_next` queued for one call of a method."""

    code: int
    description: str
    retry_after: int | None


@dataclass
class StoredFile:
    """A file the bot uploaded or a simulated user sent, served under /file/bot<token>/."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_name: str | None
    mime_type: str | None
    file_path: str


@dataclass
class CallbackQuery:
    """A button press, remembered so that it is answered exactly once."""

    id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str
    pressed_at: float = 0.0  # the stand-in's clock
    answered: bool = False


@dataclass
class ChatState:
    """Everything the stand-in knows about one chat: messages, members, the bot's status."""

    chat: Chat
    seen: bool = False  # the bot may send here (Telegram knows the bot is in this chat)
    bot_status: str = "left"  # member | administrator | left | kicked (groups)
    next_message_id: int = 1
    all_messages: dict[int, JSON] = field(default_factory=dict)  # user and bot messages
    bot_messages: list[BotMessage] = field(default_factory=list)
    bot_by_id: dict[int, BotMessage] = field(default_factory=dict)
    creator_id: int | None = None
    admin_ids: list[int] = field(default_factory=list)
    writers: set[int] = field(default_factory=set)  # members (who wrote or joined)
    banned: set[int] = field(default_factory=set)  # removed by an admin ("kicked")
    migrated_to: int | None = None
    ever_joined: bool = False

    @property
    def is_group(self) -> bool:
        """Whether this is a group or a supergroup."""
        return self.chat.type in ("group", "supergroup")

    def new_message_id(self) -> int:
        """Take the chat's next message id (ids count up per chat, as in Telegram)."""
        mid = self.next_message_id
        self.next_message_id += 1
        return mid


def now_date() -> int:
    """A message date as Telegram gives it: Unix seconds."""
    return int(time.time())


def as_chat_id(chat: int | Chat | User) -> int:
    """The chat id of a chat, a user (their private chat) or an id."""
    return chat if isinstance(chat, int) else chat.id
