"""Who asked to be forgotten, as keyed hashes only: so a re-import of the old app's data
(`dojobot import-legacy`) skips them, while nothing stored names them (migration 0016).

A digest is HMAC-SHA256 of "telegram:<user id>" or "legacy:<old app user id>" with a random
secret. Without the secret a digest cannot be tested against an id; with it, only an id one
already holds can be tested. So the secret lives outside the database (ops/erasure_key.py:
a key file), and a dump of the database alone tests nothing. The table forgotten_key held
it before (migration 0016): that key is moved out once (database_key, drop_database_key),
and used only while no key file is configured (a PostgreSQL bot without
DOJOBOT_ERASURE_KEY_FILE), or to test digests made with it when the two differ.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from dojobot.storage.db import Database, Tx

TELEGRAM = "telegram"
LEGACY = "legacy"


def digest(secret: str, kind: str, value: int | str) -> str:
    """The keyed hash of one id."""
    message = f"{kind}:{value}".encode()
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).hexdigest()


async def _database_secret(tx: Tx) -> str:
    await tx.execute(
        "INSERT INTO forgotten_key (id, secret) VALUES (1, ?) ON CONFLICT (id) DO NOTHING",
        (secrets.token_hex(32),),
    )
    row = await tx.fetchone("SELECT secret FROM forgotten_key WHERE id = 1")
    assert row is not None
    return str(row[0])


async def database_key(db: Database) -> str | None:
    """The key kept in the database before it moved out (None: none there)."""
    async with db.read() as tx:
        row = await tx.fetchone("SELECT secret FROM forgotten_key WHERE id = 1")
    return str(row[0]) if row else None


async def drop_database_key(db: Database, moved_to_file: str) -> bool:
    """Delete the database's key if it is the one now kept outside; whether it was."""
    async with db.transaction() as tx:
        return await tx.execute(
            "DELETE FROM forgotten_key WHERE id = 1 AND secret = ?", (moved_to_file,)
        ) == 1


async def remember_forgotten(
    tx: Tx, user_id: int, legacy_user_ids: Iterable[str], now_ms: int, key: str | None
) -> None:
    """List the learner and their old-app accounts as forgotten (in the erasure's
    transaction), hashed with `key` (None: the database's own, made if missing)."""
    secret = key if key is not None else await _database_secret(tx)
    digests = [digest(secret, TELEGRAM, user_id)]
    digests += [digest(secret, LEGACY, legacy_id) for legacy_id in legacy_user_ids]
    await tx.executemany(
        "INSERT INTO forgotten (digest, forgotten_at) VALUES (?, ?)"
        " ON CONFLICT (digest) DO NOTHING",
        [(d, now_ms) for d in digests],
    )


class Forgotten:
    """Tests ids against the forgotten list, read once (for one import)."""

    def __init__(self, keys: list[str], digests: set[str]) -> None:
        self._keys = keys
        self._digests = digests

    @classmethod
    async def load(cls, db: Database, key: str | None) -> Forgotten:
        """The list as it stands, tested with `key` and with a key still in the database."""
        async with db.read() as tx:
            row = await tx.fetchone("SELECT secret FROM forgotten_key WHERE id = 1")
            digests = {str(r[0]) for r in await tx.fetchall("SELECT digest FROM forgotten")}
        keys = [k for k in (key, str(row[0]) if row else None) if k is not None]
        return cls(list(dict.fromkeys(keys)), digests)

    def has(self, kind: str, value: int | str | None) -> bool:
        """Whether this id belongs to someone who asked to be forgotten."""
        if value is None:
            return False
        return any(digest(key, kind, value) in self._digests for key in self._keys)
