"""Before the bot starts: reach the Bot API (waiting out a network that is still coming up)
and find out at once whether the token is accepted.

python-telegram-bot's own bootstrap tries once and then prints a traceback per layer, and its
`InvalidToken` message quotes the token. This check runs first, with our own messages: one log
line per failed try, and a rejected token becomes one line naming DOJOBOT_BOT_TOKEN.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError

log = logging.getLogger(__name__)

FIRST_DELAY_S = 1.0
MAX_DELAY_S = 60.0  # a container's network may take a while; never crash-loop on it


class StartupError(Exception):
    """The bot cannot start; the message is one line without the token."""


def token_free_reason(exc: TelegramError) -> str:
    """What went wrong, in words that never quote the token (InvalidToken's message does)."""
    if isinstance(exc, InvalidToken):
        return "the Bot API rejected DOJOBOT_BOT_TOKEN (401/404)"
    return f"{type(exc).__name__}: {exc.message}"


def rejected_token_message(base_url: str) -> str:
    """The one line for a token the Bot API refuses."""
    return (
        f"DOJOBOT_BOT_TOKEN was rejected by the Bot API at {base_url} (401/404): check the "
        "token from @BotFather, and DOJOBOT_API_BASE_URL if you changed it"
    )


async def wait_for_bot_api(
    token: str, base_url: str, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
) -> str:
    """The bot's username once getMe answers; network failures are retried with backoff.

    Raises StartupError for a rejected token or any other answer that retrying won't change.
    """
    delay = FIRST_DELAY_S
    attempt = 0
    while True:
        attempt += 1
        bot = Bot(token, base_url=base_url)
        try:
            async with bot:  # initialize() is getMe
                return bot.username
        except InvalidToken:
            raise StartupError(rejected_token_message(base_url)) from None
        except RetryAfter as exc:
            with warnings.catch_warnings():  # PTB 22 warns that int becomes timedelta
                warnings.simplefilter("ignore")
                after = exc.retry_after
            wait = after if isinstance(after, int) else after.total_seconds()
            reason = "asked to wait (429)"
        except NetworkError as exc:  # DNS, refused, timeouts, 5xx: the network may come up
            wait, delay = delay, min(delay * 2, MAX_DELAY_S)
            reason = token_free_reason(exc)
        except TelegramError as exc:
            raise StartupError(
                f"the Bot API at {base_url} answered getMe with {token_free_reason(exc)}; "
                "check DOJOBOT_API_BASE_URL"
            ) from None
        log.warning(
            "Bot API at %s not reachable (try %d: %s); trying again in %.0f s",
            base_url, attempt, reason, wait,
        )
        await sleep(wait)
