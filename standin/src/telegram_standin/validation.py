"""What Telegram checks in a message the bot sends: text, HTML, keyboards, replies."""

from __future__ import annotations

import re
from typing import Any

from telegram_standin.models import (
    JSON,
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION,
    MAX_TEXT,
    ApiError,
    Button,
    ChatState,
)
from telegram_standin.telegram_html import EntityParseError, parse_html

__all__ = ["parse_caption", "parse_markup", "parse_message_text", "parse_text", "reply_to"]

_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def parse_text(text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JSON]]:
    """Plain text and entities of a text in `parse_mode` (HTML parsed strictly)."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            plain, ents = parse_html(text)
        except EntityParseError as exc:
            raise ApiError.bad_request(f"can't parse entities: {exc}") from exc
        return plain, [e.to_dict() for e in ents]
    if mode and mode not in ("markdown", "markdownv2"):
        raise ApiError.bad_request(f"unsupported parse_mode {parse_mode!r}")
    # Markdown is passed through unparsed (the project uses HTML).
    return text, list(entities) if isinstance(entities, list) else []


def parse_message_text(params: JSON) -> tuple[str, str, list[JSON]]:
    """The text, plain text and entities of a message to send or edit."""
    text = params.get("text")
    if text is None or str(text) == "":
        raise ApiError.bad_request("message text is empty")
    text = str(text)
    plain, entities = parse_text(text, params.get("parse_mode"), params.get("entities"))
    if not plain.strip():
        raise ApiError.bad_request("message text is empty")
    if len(plain) > MAX_TEXT:
        raise ApiError.bad_request("message is too long")
    return text, plain, entities


def parse_caption(params: JSON) -> tuple[str, str, list[JSON]]:
    """The caption, plain caption and entities of a photo or document (may be empty)."""
    caption = params.get("caption")
    if caption is None or caption == "":
        return "", "", []
    caption = str(caption)
    plain, entities = parse_text(
        caption, params.get("parse_mode"), params.get("caption_entities")
    )
    if len(plain) > MAX_CAPTION:
        raise ApiError.bad_request("message caption is too long")
    return caption, plain, entities


def _web_app_url(button: JSON, private: bool) -> str:
    """A Mini App button's URL: HTTPS (loopback HTTP for tests), in a private chat only."""
    web_app = button.get("web_app")
    url = web_app.get("url") if isinstance(web_app, dict) else None
    if not private or not isinstance(url, str) or not url.lower().startswith(
        ("https://", "http://127.0.0.1")
    ):
        raise ApiError.bad_request("BUTTON_TYPE_INVALID")
    return url


def parse_markup(
    markup: Any, *, private: bool = True, edit: bool = False
) -> tuple[JSON | None, list[list[Button]]]:
    """The reply markup and its inline buttons, checked as Telegram checks them (a Mini App
    button only in a private chat; an edit takes an inline keyboard or none)."""
    if markup is None or markup == "":
        return None, []
    if not isinstance(markup, dict):
        raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if edit:
            raise ApiError.bad_request("inline keyboard expected")
        if any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
            return markup, []
        raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise ApiError.bad_request('field "inline_keyboard" must be an Array of Arrays')
    buttons = [[_parse_button(button, private) for button in row] for row in rows]
    return markup, buttons


def _parse_button(button: Any, private: bool) -> Button:
    """One inline keyboard button, checked as Telegram checks it."""
    if not isinstance(button, dict):
        raise ApiError.bad_request(
            "can't parse inline keyboard button: "
            "InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str) or not text:
        raise ApiError.bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [k for k in _BUTTON_ACTIONS if k in button]
    if len(actions) != 1:
        raise ApiError.bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in "
            "the inline keyboard"
            if not actions
            else "can't parse inline keyboard button: exactly one of the optional "
            f"fields must be used, got {actions}"
        )
    data = button.get("callback_data")
    if "callback_data" in button and (
        not isinstance(data, str)
        or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
    ):
        raise ApiError.bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if "url" in button and (
        not isinstance(url, str)
        or not re.match(r"^(https?|tg)://[^\s]+$", url, re.IGNORECASE)
    ):
        raise ApiError.bad_request(
            f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL"
        )
    web_app_url = _web_app_url(button, private) if "web_app" in button else None
    return Button(text, data, url, web_app_url)


def reply_to(state: ChatState, params: JSON) -> JSON | None:
    """The message the bot replies to, as embedded in its message (None if none)."""
    reply = params.get("reply_parameters")
    mid: Any = None
    allow_missing = bool(params.get("allow_sending_without_reply"))
    if isinstance(reply, dict):
        mid = reply.get("message_id")
        allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
        if reply.get("chat_id") not in (None, state.chat.id):
            return None
    elif params.get("reply_to_message_id") is not None:
        mid = params.get("reply_to_message_id")
    if mid is None:
        return None
    original = state.all_messages.get(int(mid))
    if original is None:
        if allow_missing:
            return None
        raise ApiError.bad_request("message to be replied not found")
    return {k: v for k, v in original.items() if k != "reply_to_message"}
