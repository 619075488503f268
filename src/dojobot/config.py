"""Settings: every knob is a DOJOBOT_ environment variable (or a line in .env)."""

from __future__ import annotations

import re
import socket
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from dojobot.engine.zone_names import InvalidZone, parse_zone
from dojobot.storage.connect import check_url, is_postgres, sqlite_path

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
# What Telegram accepts as a webhook's secret_token.
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# A bot token as BotFather writes it: the bot's id, a colon, then letters, digits, _ and -.
# Anything else (a pasted newline, quotes, a space) can never be accepted: retrying it as a
# network failure would go on forever.
BOT_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")


class Mode(StrEnum):
    """How updates reach the bot."""

    POLLING = "polling"
    WEBHOOK = "webhook"


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the variable."""


class Settings(BaseSettings):
    """DojoBot's configuration, read from DOJOBOT_* variables and .env."""

    model_config = SettingsConfigDict(
        env_prefix="DOJOBOT_", env_file=".env", extra="ignore", frozen=True
    )

    bot_token: SecretStr | None = None
    api_base_url: str = DEFAULT_API_BASE_URL
    database_url: str = "sqlite:///dojobot.sqlite3"
    mode: Mode = Mode.POLLING
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret_token: SecretStr | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    log_level: str = "INFO"
    default_timezone: str = "UTC"
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    sentry_dsn: SecretStr | None = None
    # The Mini App (dojobot.web): the public base URL Telegram opens it at (HTTPS, behind
    # the compose file's Caddy), the port the bot serves it on (may equal the metrics
    # port: one server), and its short name from @BotFather's /newapp for t.me links.
    web_app_url: str | None = None
    web_port: int | None = Field(default=None, ge=1, le=65535)
    web_app_name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_]{3,30}$")
    # Each Mini App learner's bounds (transport/state.py WebState); off only for a
    # benchmark whose learners answer as fast as replies come.
    web_limits: bool = True
    idle_timeout_minutes: int = Field(default=30, ge=1)
    # Telegram's overall flood limit for a bot; 0 lifts it (a local Bot API stand-in).
    max_messages_per_second: int = Field(default=30, ge=0)
    # Bot API requests in flight at once (request.py): 30 messages/s at a round trip of
    # up to ~0.25 s; more connections cost CPU on every request.
    bot_api_connections: int = Field(default=8, ge=1, le=256)
    # How many replicas share the bot (and so Telegram's limits), and this one's name in
    # /healthz (a container's hostname is its id).
    replicas: int = Field(default=1, ge=1, le=30)
    replica_name: str = Field(default_factory=socket.gethostname, min_length=1, max_length=64)
    # SQLite memory of the running bot: page cache (SQLite's default is 2 MiB) and
    # memory-mapped reads (address space; the OS page cache holds the pages).
    sqlite_cache_mib: int = Field(default=64, ge=0, le=65_536)
    sqlite_mmap_mib: int = Field(default=1024, ge=0, le=1_048_576)
    # FSRS schedules each fact's next review for when its predicted recall falls to this
    # (engine/cards.py). Higher: more reviews a day, fewer facts forgotten.
    target_retention: float = Field(default=0.9, ge=0.7, le=0.97)
    # The secret that /forgetme's keyed hashes are made with, kept apart from the database
    # (ops/erasure_key.py). Default on SQLite: beside the database file; on PostgreSQL
    # none, and the database keeps it (the weaker way, from before the setting).
    erasure_key_file: Path | None = None

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in value.replace(" ", ",").split(",") if p]
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        # The same reading as a learner's /timezone and a group's /board timezone.
        try:
            return parse_zone(value)
        except InvalidZone as exc:
            raise ValueError(
                f"unknown timezone {value!r} (try Europe/Berlin, Tokyo or +05:30)"
            ) from exc

    @field_validator("api_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        # Not a URL: httpx would fail every request the same way, and start-up retried it
        # as an unreachable network without end.
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname \
                or any(c.isspace() for c in value):
            raise ValueError(
                "must be an http:// or https:// URL such as https://api.telegram.org/bot"
            )
        try:
            parts.port  # noqa: B018 (urlsplit checks the port only when asked)
        except ValueError:
            raise ValueError("has a port that is not a number from 0 to 65535") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("web_app_url")
    @classmethod
    def _web_base(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        local = value.startswith(("http://127.0.0.1", "http://localhost"))
        if not (value.startswith("https://") or local) or "?" in value or "#" in value:
            # Telegram opens Mini Apps over HTTPS only; plain HTTP is for a local browser.
            raise ValueError(
                "must be the app's public HTTPS base URL, like https://dojo.example.com "
                "(http://127.0.0.1:PORT for a local browser)"
            )
        return value

    @field_validator("webhook_secret_token")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not SECRET_TOKEN.fullmatch(value.get_secret_value()):
            # The value itself is never echoed: it is a secret.
            raise ValueError("must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @model_validator(mode="after")
    def _webhook_needs_url(self) -> Settings:
        if self.mode is Mode.WEBHOOK and not self.webhook_url:
            raise ValueError("DOJOBOT_WEBHOOK_URL is required when DOJOBOT_MODE=webhook")
        if self.mode is Mode.WEBHOOK and self.webhook_secret_token is None:
            # The webhook is a public URL: without the secret, anyone could post updates
            # in any learner's name.
            raise ValueError(
                "DOJOBOT_WEBHOOK_SECRET_TOKEN is required when DOJOBOT_MODE=webhook (any 1-256 "
                "of A-Z a-z 0-9 _ -, e.g. from openssl rand -hex 32)"
            )
        return self

    @model_validator(mode="after")
    def _web_app_needs_port(self) -> Settings:
        if self.web_app_url and self.web_port is None:
            raise ValueError("DOJOBOT_WEB_PORT is required when DOJOBOT_WEB_APP_URL is set")
        return self

    @property
    def uses_postgres(self) -> bool:
        """DOJOBOT_DATABASE_URL names a PostgreSQL server (else a SQLite file)."""
        return is_postgres(self.database_url)

    @property
    def messages_per_second_here(self) -> int:
        """This replica's share of Telegram's overall limit (0: no limit)."""
        if not self.max_messages_per_second:
            return 0
        return max(1, self.max_messages_per_second // self.replicas)

    @property
    def database_path(self) -> Path:
        """The SQLite file; a relative path is relative to the working directory."""
        return sqlite_path(self.database_url)

    def require_token(self) -> str:
        """The bot token, or a SettingsError naming the variable."""
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise SettingsError("DOJOBOT_BOT_TOKEN is not set (get one from @BotFather)")
        token = self.bot_token.get_secret_value().strip()
        if not BOT_TOKEN.fullmatch(token):  # the message never quotes it: it is a secret
            raise SettingsError(
                "DOJOBOT_BOT_TOKEN is not a bot token (digits, a colon, then letters, digits, "
                "_ and -, as @BotFather gives it; check for spaces, quotes or line breaks)"
            )
        return token


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation errors into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors(include_input=False, include_url=False):
            name = "_".join(str(p) for p in error["loc"] if isinstance(p, str))
            variable = f"DOJOBOT_{name.upper()}" if name else "settings"
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"{variable}: {message}")
        raise SettingsError("; ".join(lines)) from None
