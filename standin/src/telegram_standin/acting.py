"""Acting as users: register users and groups, send messages, press buttons, add the bot."""

from __future__ import annotations

import json
import re
from typing import Any

from telegram_standin.models import (
    GROUP_ANONYMOUS_BOT_ID,
    JSON,
    BotMessage,
    Button,
    CallbackQuery,
    Chat,
    ChatState,
    User,
    as_chat_id,
    now_date,
)
from telegram_standin.state import StandInState
from telegram_standin.telegram_html import utf16_len

__all__ = ["ActingMixin"]

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@([A-Za-z0-9_]{3,32}))?(?=\s|$)")

# A 1x1 PNG, used for photos and stickers a simulated user sends.
_TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class ActingMixin(StandInState):
    """What simulated users do; each action enqueues the update Telegram would send."""

    async def user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        language_code: str = "en",
    ) -> User:
        """Register a simulated user (no update is sent)."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = User(user_id, first_name, username=username, language_code=language_code)
        self._users[user_id] = user
        return user

    def resume_chat(self, user: User, last_message_id: int) -> None:
        """Number the user's private chat on from `last_message_id`: a chat an earlier run
        of the bot (on the same database) saw up to there. Telegram never numbers two
        messages of a chat alike, and the bot takes a message id it has seen for the same
        message sent again."""
        state = self._private_state(user)
        state.next_message_id = max(state.next_message_id, last_message_id + 1)

    async def group(self, chat_id: int, title: str, *, supergroup: bool = False) -> Chat:
        """Register a group chat (negative id); the bot is not in it until add_bot_to_group."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = Chat(chat_id, "supergroup" if supergroup else "group", title=title)
        self._chats.setdefault(chat_id, ChatState(chat))
        return chat

    def _user_message(self, user: User, state: ChatState, **content: Any) -> JSON:
        message: JSON = {
            "message_id": state.new_message_id(),
            "from": user.to_dict(),
            "chat": state.chat.to_dict(),
            "date": now_date(),
        }
        message.update(content)
        state.all_messages[message["message_id"]] = message
        if state.is_group:
            state.writers.add(user.id)
        return message

    def _bot_sees(self, state: ChatState, message: JSON) -> bool:
        """Whether Telegram would deliver this user message to the bot."""
        if not state.is_group:
            return True
        if state.bot_status not in ("member", "administrator") or state.migrated_to is not None:
            return False
        if not self.privacy_mode or state.bot_status == "administrator":
            return True
        text = message.get("text", "")
        command = _COMMAND_RE.match(text)
        if command:
            return command.group(1) is None or command.group(1).lower() == (
                self.bot_username.lower()
            )
        reply = message.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == self.bot_id:
            return True
        return f"@{self.bot_username.lower()}" in text.lower()

    def _command_entities(self, text: str) -> list[JSON]:
        m = _COMMAND_RE.match(text)
        if not m:
            return []
        return [{"type": "bot_command", "offset": 0, "length": utf16_len(m.group(0))}]

    def _deliver_user_message(self, user: User, state: ChatState, message: JSON) -> None:
        if state.chat.type == "private":
            if user.id in self._blocked:
                # Writing to a bot you blocked means pressing "Restart": it unblocks it.
                self._unblock(user)
            state.seen = True
        if self._bot_sees(state, message):
            self._enqueue("message", message)

    async def send_text(
        self,
        user: User,
        text: str,
        *,
        chat: Chat | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """The user sends a text message (private chat by default); returns the message."""
        if not text:
            raise ValueError("Telegram clients cannot send empty messages")
        self._users.setdefault(user.id, user)
        state = self._resolve_state(user, chat)
        content: JSON = {"text": text}
        entities = self._command_entities(text)
        if entities:
            content["entities"] = entities
        if reply_to_message_id is not None:
            original = state.all_messages.get(reply_to_message_id)
            if original is None:
                raise ValueError(f"no message {reply_to_message_id} in chat {state.chat.id}")
            content["reply_to_message"] = {
                k: v for k, v in original.items() if k != "reply_to_message"
            }
        message = self._user_message(user, state, **content)
        self._deliver_user_message(user, state, message)
        return message

    async def send_sticker(self, user: User, *, chat: Chat | None = None) -> JSON:
        """The user sends a sticker (a message without text)."""
        self._users.setdefault(user.id, user)
        state = self._resolve_state(user, chat)
        stored = self._store_file(_TINY_PNG, None, "image/webp", "stickers")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "file_size": len(stored.data),
        }
        message = self._user_message(user, state, sticker=sticker)
        self._deliver_user_message(user, state, message)
        return message

    async def send_photo(self, user: User, *, chat: Chat | None = None) -> JSON:
        """The user sends a photo without caption."""
        self._users.setdefault(user.id, user)
        state = self._resolve_state(user, chat)
        stored = self._store_file(_TINY_PNG, None, "image/png", "photos")
        photo = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": 1,
                "height": 1,
                "file_size": len(stored.data),
            }
        ]
        message = self._user_message(user, state, photo=photo)
        self._deliver_user_message(user, state, message)
        return message

    async def edit_text(
        self, user: User, message_id: int, new_text: str, *, chat: Chat | None = None
    ) -> JSON:
        """The user edits one of their text messages; enqueues an edited_message update."""
        state = self._resolve_state(user, chat)
        message = state.all_messages.get(message_id)
        if message is None or message.get("from", {}).get("id") != user.id:
            raise ValueError(f"user {user.id} has no message {message_id} in {state.chat.id}")
        if "text" not in message:
            raise ValueError("only text messages can be edited this way")
        message["text"] = new_text
        entities = self._command_entities(new_text)
        if entities:
            message["entities"] = entities
        else:
            message.pop("entities", None)
        message["edit_date"] = now_date()
        if self._bot_sees(state, message):
            self._enqueue("edited_message", dict(message))
        return message

    def _find_keyboard_message(self, state: ChatState, message_id: int | None) -> BotMessage:
        if message_id is not None:
            record = state.bot_by_id.get(message_id)
            if record is None or record.deleted:
                raise LookupError(f"no bot message {message_id} in chat {state.chat.id}")
            return record
        for record in reversed(state.bot_messages):
            if not record.deleted and record.buttons:
                return record
        raise LookupError(f"no bot message with buttons in chat {state.chat.id}")

    async def press(
        self,
        user: User,
        button: str | int,
        *,
        message_id: int | None = None,
        chat: Chat | None = None,
    ) -> str:
        """Press a button (exact text or 0-based index) of a bot message; returns the query id."""
        state = self._resolve_state(user, chat)
        record = self._find_keyboard_message(state, message_id)
        flat = record.flat_buttons
        chosen: Button | None = None
        if isinstance(button, int):
            if 0 <= button < len(flat):
                chosen = flat[button]
        else:
            chosen = next((b for b in flat if b.text == button), None)
        if chosen is None:
            raise LookupError(
                f"no button {button!r} on message {record.message_id}; buttons: "
                f"{[b.text for b in flat]}"
            )
        if chosen.callback_data is None:
            raise ValueError(f"button {chosen.text!r} opens a URL; it sends no callback query")
        return await self.press_data(user, state.chat, record.message_id, chosen.callback_data)

    async def press_data(
        self, user: User, chat: Chat | int | None, message_id: int, data: str
    ) -> str:
        """Send a callback query with arbitrary (possibly forged) data; returns its id."""
        self._users.setdefault(user.id, user)
        chat_id = user.id if chat is None else as_chat_id(chat)
        state = self._chats.get(chat_id)
        if state is not None and state.chat.type == "private":
            state.seen = True
        qid = f"{next(self._query_ids)}{abs(chat_id) % 10_000_000:07d}"
        query: JSON = {
            "id": qid,
            "from": user.to_dict(),
            "chat_instance": str(-abs(chat_id * 7919 + 13)),
            "data": data,
        }
        message = state.all_messages.get(message_id) if state is not None else None
        if message is not None:
            query["message"] = json.loads(json.dumps(message))
        self._callback_queries[qid] = CallbackQuery(
            qid, user.id, chat_id, message_id, data, pressed_at=self.clock()
        )
        self._enqueue("callback_query", query)
        return qid

    async def add_bot_to_group(
        self, group: Chat, by_user: User, *, as_admin: bool = False
    ) -> JSON:
        """Add the bot to a group: a my_chat_member update and a new_chat_members message.

        Returns the new_chat_members message.
        """
        self._users.setdefault(by_user.id, by_user)
        state = self._group_state(group)
        old = self._member_json(state, self.bot_user)
        state.bot_status = "administrator" if as_admin else "member"
        state.ever_joined = True
        state.seen = True
        state.writers.add(by_user.id)
        self._enqueue(
            "my_chat_member",
            {
                "chat": state.chat.to_dict(),
                "from": by_user.to_dict(),
                "date": now_date(),
                "old_chat_member": old,
                "new_chat_member": self._member_json(state, self.bot_user),
            },
        )
        bot = self.bot_user.to_dict()
        message = self._user_message(
            by_user, state, new_chat_members=[bot], new_chat_member=bot, new_chat_participant=bot
        )
        self._enqueue("message", message)
        return message

    async def remove_bot_from_group(
        self, group: Chat, by_user: User, *, kicked: bool = True
    ) -> JSON:
        """Remove the bot from a group (status "kicked", or "left"); returns ChatMemberUpdated."""
        state = self._group_state(group)
        old = self._member_json(state, self.bot_user)
        state.bot_status = "kicked" if kicked else "left"
        update = {
            "chat": state.chat.to_dict(),
            "from": by_user.to_dict(),
            "date": now_date(),
            "old_chat_member": old,
            "new_chat_member": self._member_json(state, self.bot_user),
        }
        self._enqueue("my_chat_member", update)
        return update

    async def set_admins(self, group: Chat, creator: User, admins: list[User]) -> None:
        """Set who owns and administers a group (for getChatMember/getChatAdministrators)."""
        state = self._group_state(group)
        for u in (creator, *admins):
            self._users.setdefault(u.id, u)
        state.creator_id = creator.id
        state.admin_ids = [a.id for a in admins if a.id != creator.id]

    def _chat_member_update(self, state: ChatState, user: User, by_user: User, old: JSON) -> None:
        """A chat_member update: Telegram sends one only to a bot that is an administrator
        of the group (and asked for them in allowed_updates)."""
        if state.bot_status != "administrator":
            return
        self._enqueue(
            "chat_member",
            {
                "chat": state.chat.to_dict(),
                "from": by_user.to_dict(),
                "date": now_date(),
                "old_chat_member": old,
                "new_chat_member": self._member_json(state, user),
            },
        )

    def _service_message(self, user: User, state: ChatState, **content: Any) -> None:
        """Join and leave service messages reach a bot in the group even in privacy mode."""
        message = self._user_message(user, state, **content)
        if state.bot_status in ("member", "administrator") and state.migrated_to is None:
            self._enqueue("message", message)

    async def join_group(self, group: Chat, user: User) -> None:
        """The user joins the group: a new_chat_members message and a chat_member update."""
        self._users.setdefault(user.id, user)
        state = self._group_state(group)
        old = self._member_json(state, user)
        state.banned.discard(user.id)
        state.writers.add(user.id)
        self._service_message(
            user, state, new_chat_members=[user.to_dict()], new_chat_member=user.to_dict(),
            new_chat_participant=user.to_dict(),
        )
        self._chat_member_update(state, user, user, old)

    async def leave_group(
        self,
        group: Chat,
        user: User,
        *,
        removed_by: User | None = None,
        service_message: bool = True,
    ) -> None:
        """The user leaves the group, or an admin removes them (status "kicked"): a
        left_chat_member message (unless the group hides them: service_message=False, as
        Telegram's "hide join and leave messages" does) and a chat_member update."""
        state = self._group_state(group)
        old = self._member_json(state, user)
        if service_message:
            self._service_message(
                removed_by or user, state, left_chat_member=user.to_dict(),
                left_chat_participant=user.to_dict(),
            )
        state.writers.discard(user.id)  # after the message: writing makes a member
        if user.id in state.admin_ids:
            state.admin_ids.remove(user.id)
        if removed_by is not None:
            state.banned.add(user.id)
        self._chat_member_update(state, user, removed_by or user, old)

    async def demote_admin(self, group: Chat, admin: User, by_user: User) -> None:
        """An administrator becomes a plain member (a chat_member update, no message)."""
        state = self._group_state(group)
        old = self._member_json(state, admin)
        if admin.id in state.admin_ids:
            state.admin_ids.remove(admin.id)
        state.writers.add(admin.id)
        self._chat_member_update(state, admin, by_user, old)

    async def migrate_to_supergroup(self, group: Chat, new_chat_id: int) -> Chat:
        """Upgrade a group: migrate_to_chat_id in the old chat, migrate_from in the new one."""
        old_state = self._group_state(group)
        if old_state.chat.type != "group":
            raise ValueError("only basic groups can be upgraded")
        if new_chat_id in self._chats:
            raise ValueError(f"chat {new_chat_id} already exists")
        new_chat = Chat(new_chat_id, "supergroup", title=old_state.chat.title)
        new_state = ChatState(
            new_chat,
            seen=old_state.seen,
            bot_status=old_state.bot_status,
            creator_id=old_state.creator_id,
            admin_ids=list(old_state.admin_ids),
            writers=set(old_state.writers),
            ever_joined=old_state.ever_joined,
        )
        self._chats[new_chat_id] = new_state
        sender = self._users.get(old_state.creator_id or 0) or User(
            GROUP_ANONYMOUS_BOT_ID, "Group", username="GroupAnonymousBot", is_bot=True
        )
        bot_in = old_state.bot_status in ("member", "administrator")
        message = self._user_message(sender, old_state, migrate_to_chat_id=new_chat_id)
        old_state.migrated_to = new_chat_id
        if bot_in:
            self._enqueue("message", message)
        message2 = self._user_message(sender, new_state, migrate_from_chat_id=old_state.chat.id)
        if bot_in:
            self._enqueue("message", message2)
        return new_chat

    def _member_update(self, user: User, old_status: str, new_status: str) -> None:
        state = self._private_state(user)
        bot = self.bot_user.to_dict()
        old: JSON = {"status": old_status, "user": bot}
        new: JSON = {"status": new_status, "user": bot}
        if new_status == "kicked":
            new["until_date"] = 0
        if old_status == "kicked":
            old["until_date"] = 0
        self._enqueue(
            "my_chat_member",
            {
                "chat": state.chat.to_dict(),
                "from": user.to_dict(),
                "date": now_date(),
                "old_chat_member": old,
                "new_chat_member": new,
            },
        )

    def _unblock(self, user: User) -> None:
        self._blocked.discard(user.id)
        self._member_update(user, "kicked", "member")

    async def block_bot(self, user: User) -> None:
        """The user blocks the bot: sends to them fail with 403 until unblock_bot."""
        if user.id in self._blocked:
            return
        self._users.setdefault(user.id, user)
        self._blocked.add(user.id)
        self._member_update(user, "member", "kicked")

    async def unblock_bot(self, user: User) -> None:
        """The user unblocks the bot."""
        if user.id in self._blocked:
            self._unblock(user)
