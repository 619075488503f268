"""The secret settings' values and what is shown instead, wherever text leaves the bot: log
lines (cli/main.py's formatter) and Sentry's events and breadcrumbs (ops/runtime.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from dojobot.config import Settings


def secrets_of(settings: Settings) -> dict[str, str]:
    """Every secret setting's value, and what is shown instead."""
    secrets = {
        value.get_secret_value().strip(): shown
        for value, shown in (
            (settings.bot_token, "<token>"),
            (settings.webhook_secret_token, "<webhook secret>"),
            (settings.sentry_dsn, "<sentry dsn>"),
        )
        if value is not None
    }
    if settings.uses_postgres:
        secrets[urlsplit(settings.database_url).password or ""] = "***"
    secrets.pop("", None)  # an empty password is no secret, and would match everywhere
    return secrets


def redact_text(text: str, secrets: dict[str, str]) -> str:
    for secret, shown in secrets.items():
        text = text.replace(secret, shown)
    return text


def redact(value: Any, secrets: dict[str, str]) -> Any:
    """`value` (a Sentry event: dicts, lists and strings) with every secret replaced."""
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, dict):
        return {k: redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, secrets) for v in value]
    return value
