"""A local Telegram Bot API stand-in: a real HTTP server that a bot talks to in tests.

Start one with ``async with BotApiStandIn() as standin``, point the bot at
``standin.base_url``, then act as users (``standin.user``, ``send_text``, ``press``) and
read what the bot did (``next_message``, ``wait_for_edit``, ``settle``, ``calls``).
"""

from telegram_standin.models import ApiCall, BotMessage, Button, Chat, StandInStats, User
from telegram_standin.standin import BotApiStandIn

__all__ = [
    "ApiCall",
    "BotApiStandIn",
    "BotMessage",
    "Button",
    "Chat",
    "StandInStats",
    "User",
]
