"""Who is asking: Telegram's `initData`, checked as Telegram documents it.

https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app: the
data-check-string is every field but `hash`, as `key=value` sorted by key and joined by
newlines; the secret key is HMAC-SHA256 of the bot token keyed with "WebAppData"; `hash`
is the hex HMAC-SHA256 of the data-check-string under that key.

Written here rather than taken from `telegram-webapp-auth` (which installs and is well
kept): its expiry check reads the wall clock (the bot's clock is injected, and tests move
it), it refuses a `user` object with a field it does not know (Telegram adds fields), and it
brings in `cryptography` for the third-party Ed25519 check, which the bot does not need.

Stale bound: MAX_AGE_MS, 24 hours from `auth_date` (when Telegram opened the Mini App).
A learner who leaves the app open over a day reopens it; an initData that leaked (a
screenshot, a shared link, a proxy's log) stops working within a day. Within the bound a
replayed initData acts only as its own learner, whose answers are keyed by the problem, so
a replay cannot count an answer twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

MAX_AGE_MS = 24 * 3600 * 1000
# Telegram's clock and ours may differ a little: an auth_date this far ahead still counts.
CLOCK_SKEW_MS = 5 * 60 * 1000
MAX_LENGTH = 8192  # a real initData is well under 1 KB


class InitDataRefused(Exception):
    """initData that does not prove who is asking; the message is the one-line reason."""


@dataclass(frozen=True)
class WebUser:
    """The Telegram user an initData speaks for."""

    user_id: int
    first_name: str
    username: str | None
    language_code: str | None
    auth_date_ms: int
    start_param: str | None


def secret_key(bot_token: str) -> bytes:
    """HMAC-SHA256(key="WebAppData", message=bot token)."""
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def _check_string(fields: dict[str, str]) -> bytes:
    return "\n".join(f"{k}={v}" for k, v in sorted(fields.items()) if k != "hash").encode()


def _fields(init_data: str) -> dict[str, str]:
    if not init_data:
        raise InitDataRefused("missing initData: open the app from Telegram")
    if len(init_data) > MAX_LENGTH:
        raise InitDataRefused("initData is too long")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataRefused("initData is not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):  # a repeated key could sign one value and mean another
        raise InitDataRefused("initData repeats a field")
    return fields


def verify(init_data: str, bot_token: str, now_ms: int) -> WebUser:
    """The user `init_data` speaks for, or InitDataRefused with the reason."""
    fields = _fields(init_data)
    given = fields.get("hash", "")
    expected = hmac.new(secret_key(bot_token), _check_string(fields), hashlib.sha256)
    if not hmac.compare_digest(expected.hexdigest(), given.lower()):
        raise InitDataRefused("initData signature does not match")
    try:
        auth_date_ms = int(fields["auth_date"]) * 1000
        user = json.loads(fields["user"])
        user_id = int(user["id"])
        first_name = str(user.get("first_name") or "")
    except (KeyError, ValueError, TypeError, AttributeError):
        raise InitDataRefused("initData lacks auth_date or user") from None
    if now_ms - auth_date_ms > MAX_AGE_MS:
        raise InitDataRefused("initData has expired: reopen the app")
    if auth_date_ms - now_ms > CLOCK_SKEW_MS:
        raise InitDataRefused("initData is dated in the future")
    username = user.get("username")
    language = user.get("language_code")
    return WebUser(
        user_id=user_id,
        first_name=first_name[:64],
        username=username if isinstance(username, str) else None,
        language_code=language if isinstance(language, str) else None,
        auth_date_ms=auth_date_ms,
        start_param=fields.get("start_param"),
    )


def sign(bot_token: str, user: dict[str, object], auth_date_s: int, **extra: str) -> str:
    """initData as Telegram would send it for `user` (the sandbox's and the tests' links)."""
    fields = {"auth_date": str(auth_date_s),
              "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False), **extra}
    digest = hmac.new(secret_key(bot_token), _check_string(fields), hashlib.sha256)
    return urlencode({**fields, "hash": digest.hexdigest()})
