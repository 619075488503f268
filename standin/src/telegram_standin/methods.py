"""The Bot API methods the bot calls: messages, edits, files, commands and chats."""

from __future__ import annotations

import json
import mimetypes
import re
import struct
from typing import Any, ClassVar

from telegram_standin.models import (
    JSON,
    ApiError,
    BotMessage,
    Button,
    ChatState,
    StoredFile,
    now_date,
)
from telegram_standin.state import StandInState
from telegram_standin.validation import (
    parse_caption,
    parse_markup,
    parse_message_text,
    reply_to,
)

__all__ = ["MethodsMixin"]

_BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"RIFF")
# sendPhoto's documented limits: at most 10 MB, width + height at most 10000, and neither
# side more than 20 times the other.
_MAX_PHOTO_BYTES = 10 * 1024 * 1024
_MAX_PHOTO_SIDES = 10_000
_MAX_PHOTO_RATIO = 20
_MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # what a bot may upload
_LANGUAGE_CODE_RE = re.compile(r"^[a-z]{2}$")


def _check_language_code(params: JSON) -> None:
    """setMyCommands & co take a two-letter ISO 639-1 code, or none."""
    code = params.get("language_code")
    if code not in (None, "") and not (
        isinstance(code, str) and _LANGUAGE_CODE_RE.match(code)
    ):
        raise ApiError.bad_request("invalid language code specified")


def _check_photo(data: bytes) -> tuple[int, int]:
    """The photo's width and height, if Telegram would take it as a photo."""
    if not data.startswith(_IMAGE_MAGIC):
        raise ApiError.bad_request("IMAGE_PROCESS_FAILED")
    if len(data) > _MAX_PHOTO_BYTES:
        raise ApiError.bad_request("PHOTO_SAVE_FILE_INVALID")
    width, height = _png_size(data)
    if (
        width + height > _MAX_PHOTO_SIDES
        or max(width, height) > _MAX_PHOTO_RATIO * max(1, min(width, height))
    ):
        raise ApiError.bad_request("PHOTO_INVALID_DIMENSIONS")
    return width, height


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG (1x1 for other images, as the stand-in does not decode them)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 1, 1


class MethodsMixin(StandInState):
    """Each ``_api_<name>`` answers one Bot API method as Telegram would, errors included."""

    def _api_getMe(self, params: JSON, files: Any) -> JSON:
        return {
            **self.bot_user.to_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @staticmethod
    def _commands_key(params: JSON) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    def _api_setMyCommands(self, params: JSON, files: Any) -> bool:
        _check_language_code(params)
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError.bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError.bad_request("too many commands")
        for cmd in commands:
            if not isinstance(cmd, dict) or not _BOT_COMMAND_NAME_RE.match(
                str(cmd.get("command", ""))
            ):
                raise ApiError.bad_request("BOT_COMMAND_INVALID")
            description = str(cmd.get("description", ""))
            if not 1 <= len(description) <= 256:
                raise ApiError.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _api_getMyCommands(self, params: JSON, files: Any) -> list[JSON]:
        _check_language_code(params)
        return list(self._commands.get(self._commands_key(params), []))

    def _api_deleteMyCommands(self, params: JSON, files: Any) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def my_commands(self, *, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command list set with setMyCommands for a scope (default scope by default)."""
        return self._api_getMyCommands({"scope": scope, "language_code": language_code}, None)

    def _api_setChatMenuButton(self, params: JSON, files: Any) -> bool:
        chat_id = params.get("chat_id")
        if chat_id is not None and (not isinstance(chat_id, int) or chat_id <= 0):
            raise ApiError.bad_request("chat not found")  # a private chat's id only
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict):
            raise ApiError.bad_request("can't parse menu button JSON object")
        kind = button.get("type")
        if kind == "web_app":
            text = button.get("text")
            if not isinstance(text, str) or not text.strip():
                raise ApiError.bad_request("menu button text must be non-empty")
            web_app = button.get("web_app")
            url = web_app.get("url") if isinstance(web_app, dict) else None
            # HTTPS only, as Telegram; loopback HTTP as the stand-in's inline buttons allow.
            if not isinstance(url, str) or not url.lower().startswith(
                ("https://", "http://127.0.0.1")
            ):
                raise ApiError.bad_request(
                    f"menu button Web App URL '{url}' is invalid: Only HTTPS links are allowed"
                )
            button = {"type": "web_app", "text": text, "web_app": {"url": url}}
        elif kind == "commands":
            button = {"type": kind}
        elif kind == "default":  # a chat's default is the bot's: the chat's own is dropped
            if chat_id is not None:
                self._menu_buttons.pop(chat_id, None)
                return True
            button = {"type": kind}
        else:
            raise ApiError.bad_request(f"unsupported menu button type {kind!r}")
        self._menu_buttons[chat_id] = button
        return True

    def _api_getChatMenuButton(self, params: JSON, files: Any) -> JSON:
        chat_id = params.get("chat_id")
        found = self._menu_buttons.get(chat_id) or self._menu_buttons.get(None)
        return found or {"type": "commands"}

    def menu_button(self, chat_id: int | None = None) -> JSON:
        """The menu button a chat shows (the bot's default when none was set for it)."""
        return self._api_getChatMenuButton({"chat_id": chat_id}, None)

    def _bot_message(
        self,
        state: ChatState,
        *,
        kind: str,
        text: str,
        plain: str,
        entities: list[JSON],
        markup: JSON | None,
        buttons: list[list[Button]],
        params: JSON,
        extra: JSON | None = None,
        stored: StoredFile | None = None,
    ) -> JSON:
        replied = reply_to(state, params)
        date = now_date()
        mid = state.new_message_id()
        message: JSON = {
            "message_id": mid,
            "from": self.bot_user.to_dict(),
            "chat": state.chat.to_dict(),
            "date": date,
        }
        if replied is not None:
            message["reply_to_message"] = replied
        if kind == "text":
            message["text"] = plain
            if entities:
                message["entities"] = entities
        else:
            message.update(extra or {})
            if plain:
                message["caption"] = plain
                if entities:
                    message["caption_entities"] = entities
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        state.all_messages[mid] = message
        record = BotMessage(
            chat_id=state.chat.id,
            message_id=mid,
            text=text,
            plain_text=plain,
            buttons=buttons,
            kind=kind,
            date=date,
            file_bytes=stored.data if stored else None,
            file_name=stored.file_name if stored else None,
            mime_type=stored.mime_type if stored else None,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup if markup is not None and "inline_keyboard" in markup else None,
            reply_to_message_id=replied["message_id"] if replied is not None else None,
            custom_keyboard=markup is not None and "inline_keyboard" not in markup,
        )
        state.bot_messages.append(record)
        state.bot_by_id[mid] = record
        self.stats.messages_sent += 1
        return message

    def _api_sendMessage(self, params: JSON, files: Any) -> JSON:
        state = self._chat_for_send(params.get("chat_id"))
        text, plain, entities = parse_message_text(params)
        markup, buttons = parse_markup(
            params.get("reply_markup"), private=state.chat.type == "private"
        )
        self._check_rate(state, "sendMessage")
        return self._bot_message(
            state,
            kind="text",
            text=text,
            plain=plain,
            entities=entities,
            markup=markup,
            buttons=buttons,
            params=params,
        )


    def _input_file(
        self, params: JSON, files: dict[str, tuple[str, bytes, str]], name: str, folder: str
    ) -> StoredFile:
        value = params.get(name)
        upload = files.get(name)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        if upload is not None:
            filename, data, mime = upload
            if not data:
                raise ApiError.bad_request("file must be non-empty")
            if mime in (None, "", "application/octet-stream") and filename:
                mime = mimetypes.guess_type(filename)[0] or mime
            return self._store_file(data, filename or None, mime or None, folder)
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and re.match(r"^https?://", value):
            raise ApiError.bad_request("failed to get HTTP URL content")
        if not value:
            raise ApiError.bad_request(f"there is no {name} in the request")
        raise ApiError.bad_request("wrong file identifier/HTTP URL specified")

    def _api_sendPhoto(self, params: JSON, files: dict[str, tuple[str, bytes, str]]) -> JSON:
        state = self._chat_for_send(params.get("chat_id"))
        caption, plain, entities = parse_caption(params)
        markup, buttons = parse_markup(
            params.get("reply_markup"), private=state.chat.type == "private"
        )
        stored = self._input_file(params, files, "photo", "photos")
        # Telegram looks at the bytes, not the declared type (PTB sends raw bytes as
        # application/octet-stream).
        width, height = _check_photo(stored.data)
        self._check_rate(state, "sendPhoto")
        photo = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(stored.data),
            }
        ]
        return self._bot_message(
            state,
            kind="photo",
            text=caption,
            plain=plain,
            entities=entities,
            markup=markup,
            buttons=buttons,
            params=params,
            extra={"photo": photo},
            stored=stored,
        )

    def _api_sendDocument(self, params: JSON, files: dict[str, tuple[str, bytes, str]]) -> JSON:
        state = self._chat_for_send(params.get("chat_id"))
        caption, plain, entities = parse_caption(params)
        markup, buttons = parse_markup(
            params.get("reply_markup"), private=state.chat.type == "private"
        )
        stored = self._input_file(params, files, "document", "documents")
        if len(stored.data) > _MAX_DOCUMENT_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        self._check_rate(state, "sendDocument")
        document: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return self._bot_message(
            state,
            kind="document",
            text=caption,
            plain=plain,
            entities=entities,
            markup=markup,
            buttons=buttons,
            params=params,
            extra={"document": document},
            stored=stored,
        )

    def _message_to_edit(self, params: JSON) -> tuple[ChatState, BotMessage, JSON]:
        if params.get("inline_message_id"):
            raise ApiError.bad_request("inline messages are not supported by the stand-in")
        state = self._chat_for_send(params.get("chat_id"))
        mid = params.get("message_id")
        if not isinstance(mid, int):
            raise ApiError.bad_request("message identifier is not specified")
        record = state.bot_by_id.get(mid)
        if record is None or record.deleted:
            raise ApiError.bad_request("message to edit not found")
        if record.custom_keyboard:
            raise ApiError.bad_request("message can't be edited")
        return state, record, state.all_messages[mid]

    @staticmethod
    def _not_modified() -> ApiError:
        return ApiError.bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )

    def _apply_edit(
        self,
        state: ChatState,
        record: BotMessage,
        message: JSON,
        *,
        markup: JSON | None,
        buttons: list[list[Button]],
        text: str | None = None,
        plain: str | None = None,
        entities: list[JSON] | None = None,
        parse_mode: str | None = None,
    ) -> JSON:
        content_key = "text" if record.kind == "text" else "caption"
        entities_key = "entities" if record.kind == "text" else "caption_entities"
        if plain is not None:
            same_content = message.get(content_key, "") == plain and message.get(
                entities_key, []
            ) == (entities or [])
        else:
            same_content = True
        inline = markup if markup is not None and "inline_keyboard" in markup else None
        if same_content and message.get("reply_markup") == inline:
            raise self._not_modified()
        self._check_rate(state, "editMessageText")
        if plain is not None and text is not None:
            if plain:
                message[content_key] = plain
            else:
                message.pop(content_key, None)
            if entities:
                message[entities_key] = entities
            else:
                message.pop(entities_key, None)
            record.text = text
            record.plain_text = plain
            record.parse_mode = parse_mode
        if inline is not None:
            message["reply_markup"] = inline
        else:
            message.pop("reply_markup", None)
        record.buttons = buttons
        record.reply_markup = inline
        record.edited += 1
        message["edit_date"] = now_date()
        return message

    def _api_editMessageText(self, params: JSON, files: Any) -> JSON:
        return self._edit_content(params, caption=False)

    def _api_editMessageCaption(self, params: JSON, files: Any) -> JSON:
        return self._edit_content(params, caption=True)

    def _edit_content(self, params: JSON, *, caption: bool) -> JSON:
        """A new text (or caption) and keyboard for a message: what both edits share."""
        state, record, message = self._message_to_edit(params)
        if (record.kind == "text") == caption:
            what = "caption" if caption else "text"
            raise ApiError.bad_request(f"there is no {what} in the message to edit")
        text, plain, entities = (parse_caption if caption else parse_message_text)(params)
        markup, buttons = parse_markup(
            params.get("reply_markup"), private=state.chat.type == "private", edit=True
        )
        return self._apply_edit(
            state,
            record,
            message,
            markup=markup,
            buttons=buttons,
            text=text,
            plain=plain,
            entities=entities,
            parse_mode=params.get("parse_mode"),
        )

    def _api_editMessageReplyMarkup(self, params: JSON, files: Any) -> JSON:
        state, record, message = self._message_to_edit(params)
        markup, buttons = parse_markup(
            params.get("reply_markup"), private=state.chat.type == "private", edit=True
        )
        return self._apply_edit(state, record, message, markup=markup, buttons=buttons)

    def _api_deleteMessage(self, params: JSON, files: Any) -> bool:
        state = self._chat_for_send(params.get("chat_id"))
        mid = params.get("message_id")
        if not isinstance(mid, int) or mid not in state.all_messages:
            raise ApiError.bad_request("message to delete not found")
        del state.all_messages[mid]
        record = state.bot_by_id.get(mid)
        if record is not None:
            record.deleted = True
        return True

    def _api_answerCallbackQuery(self, params: JSON, files: Any) -> bool:
        qid = str(params.get("callback_query_id") or "")
        query = self._callback_queries.get(qid)
        late = (
            query is not None
            and self.callback_answer_timeout_s is not None
            and self.clock() - query.pressed_at > self.callback_answer_timeout_s
        )
        if query is None or query.answered or late:
            raise ApiError.bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise ApiError.bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers[qid] = dict(params)
        return True

    def _api_getFile(self, params: JSON, files: Any) -> JSON:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    _CHAT_ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {
            "typing",
            "upload_photo",
            "record_video",
            "upload_video",
            "record_voice",
            "upload_voice",
            "upload_document",
            "choose_sticker",
            "find_location",
            "record_video_note",
            "upload_video_note",
        }
    )

    def _api_sendChatAction(self, params: JSON, files: Any) -> bool:
        self._chat_for_send(params.get("chat_id"))
        if params.get("action") not in self._CHAT_ACTIONS:
            raise ApiError.bad_request("wrong parameter action in request")
        return True

    def _api_getChat(self, params: JSON, files: Any) -> JSON:
        state = self._chat_for_read(params.get("chat_id"))
        info = state.chat.to_dict()
        info.update(
            {
                "accent_color_id": abs(state.chat.id) % 7,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return info


    def _api_getChatMember(self, params: JSON, files: Any) -> JSON:
        state = self._chat_for_read(params.get("chat_id"))
        uid = params.get("user_id")
        user = None
        if isinstance(uid, int):
            user = self.bot_user if uid == self.bot_id else self._users.get(uid)
        if user is None:
            raise ApiError.bad_request("user not found")
        if state.chat.type == "private" and user.id not in (state.chat.id, self.bot_id):
            raise ApiError.bad_request("user not found")
        return self._member_json(state, user)

    def _api_getChatAdministrators(self, params: JSON, files: Any) -> list[JSON]:
        state = self._chat_for_read(params.get("chat_id"))
        if state.chat.type == "private":
            raise ApiError.bad_request("there are no administrators in the private chat")
        ids: list[int] = []
        if state.creator_id is not None:
            ids.append(state.creator_id)
        ids.extend(i for i in state.admin_ids if i not in ids)
        result = [self._member_json(state, self._users[i]) for i in ids if i in self._users]
        if state.bot_status == "administrator":
            result.append(self._member_json(state, self.bot_user))
        return result

    def _api_leaveChat(self, params: JSON, files: Any) -> bool:
        state = self._chat_for_send(params.get("chat_id"))
        if state.chat.type == "private":
            raise ApiError.bad_request("chat member status can't be changed in private chats")
        old = self._member_json(state, self.bot_user)
        state.bot_status = "left"
        self._enqueue(
            "my_chat_member",
            {
                "chat": state.chat.to_dict(),
                "from": self.bot_user.to_dict(),
                "date": now_date(),
                "old_chat_member": old,
                "new_chat_member": {"status": "left", "user": self.bot_user.to_dict()},
            },
        )
        return True

    def _api_close(self, params: JSON, files: Any) -> bool:
        return True

    def _api_logOut(self, params: JSON, files: Any) -> bool:
        return True
