"""A local Telegram Bot API stand-in plus a terminal chat (tests and `dojobot sandbox`)."""

from dojobot.sandbox.runner import running
from dojobot.sandbox.standin import ApiCall, BotApiStandIn, BotMessage, Button, Chat, User
from dojobot.sandbox.terminal import chat_in_terminal, stdin_lines

__all__ = [
    "ApiCall",
    "BotApiStandIn",
    "BotMessage",
    "Button",
    "Chat",
    "User",
    "chat_in_terminal",
    "running",
    "stdin_lines",
]
