"""A PostgreSQL database through asyncpg (the optional extra dojobot[postgres])."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from dojobot.storage.db import StorageError
from dojobot.storage.dialect import POSTGRES, numbered_parameters

CONNECT_TIMEOUT_S = 10


def redact_url(url: str) -> str:
    """The URL with its password replaced by ***: the only form of it that may be shown."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _unreadable(url: str) -> str | None:
    """Why the URL cannot be read, or None (urlsplit checks the port only when asked)."""
    try:
        urlsplit(url).port  # noqa: B018 - reading it is the check
    except ValueError:
        return "its port is not a number from 0 to 65535"
    return None


class PostgresDatabase:
    """One asyncpg connection, with the same reading and scripting calls as Database."""

    dialect = POSTGRES

    def __init__(self, conn: Any, url: str) -> None:
        self.conn = conn
        self.url = url

    @property
    def display_name(self) -> str:
        """How logs and messages name this database (never with its password)."""
        return redact_url(self.url)

    @classmethod
    async def open(cls, url: str) -> PostgresDatabase:
        """Connect; any failure is one StorageError line naming the redacted URL."""
        try:
            # Imported here: an optional extra, installed by PostgreSQL users only.
            import asyncpg
        except ImportError:
            raise StorageError(
                "PostgreSQL needs asyncpg: pip install 'dojobot[postgres]'"
            ) from None
        if (reason := _unreadable(url)) is not None:
            raise StorageError(f"cannot read DOJOBOT_DATABASE_URL: {reason}")
        shown = redact_url(url)
        try:
            conn = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_S)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StorageError(
                f"cannot connect to {shown} (DOJOBOT_DATABASE_URL): {_reason(exc, url)}"
            ) from None
        return cls(conn, url)

    async def close(self) -> None:
        """Close the connection."""
        await self.conn.close()

    async def execute_script(self, script: str) -> None:
        """Run several statements; on an error roll back an open transaction, StorageError."""
        import asyncpg  # optional, see open()

        try:
            await self.conn.execute(script)
        except asyncpg.PostgresError as exc:
            if self.conn.is_in_transaction():
                await self.conn.execute("ROLLBACK")
            raise StorageError(str(exc)) from None

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        """Run a read query (`?` placeholders, as on SQLite) and return all rows."""
        return list(await self.conn.fetch(numbered_parameters(sql), *params))

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Any:
        """Run a read query and return the first row, if any."""
        return await self.conn.fetchrow(numbered_parameters(sql), *params)


def _reason(exc: BaseException, url: str) -> str:
    """The driver's message, one line, with the password blanked should it ever quote it."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    password = urlsplit(url).password
    return text.replace(password, "***") if password else text
