"""Who asked to be forgotten, as keyed hashes only: so a re-import of the old app's data
(`dojobot import-legacy`) skips them, while nothing stored names them (migration 0016).

A digest is HMAC-SHA256 of "telegram:<user id>" or "legacy:<old app user id>" with a random
secret made by the first erasure and kept in forgotten_key. Without the secret a digest
cannot be tested against an id; with it, only an id one already holds can be tested.
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


async def _secret(tx: Tx) -> str:
    await tx.execute(
        "INSERT INTO forgotten_key (id, secret) VALUES (1, ?) ON CONFLICT (id) DO NOTHING",
        (secrets.token_hex(32),),
    )
    row = await tx.fetchone("SELECT secret FROM forgotten_key WHERE id = 1")
    assert row is not None
    return str(row[0])


async def remember_forgotten(
    tx: Tx, user_id: int, legacy_user_ids: Iterable[str], now_ms: int
) -> None:
    """List the learner and their old-app accounts as forgotten (in the erasure's
    transaction)."""
    secret = await _secret(tx)
    digests = [digest(secret, TELEGRAM, user_id)]
    digests += [digest(secret, LEGACY, legacy_id) for legacy_id in legacy_user_ids]
    await tx.executemany(
        "INSERT INTO forgotten (digest, forgotten_at) VALUES (?, ?)"
        " ON CONFLICT (digest) DO NOTHING",
        [(d, now_ms) for d in digests],
    )


class Forgotten:
    """Tests ids against the forgotten list, read once (for one import)."""

    def __init__(self, secret: str | None, digests: set[str]) -> None:
        self._secret = secret
        self._digests = digests

    @classmethod
    async def load(cls, db: Database) -> Forgotten:
        """The list as it stands."""
        async with db.read() as tx:
            row = await tx.fetchone("SELECT secret FROM forgotten_key WHERE id = 1")
            digests = {str(r[0]) for r in await tx.fetchall("SELECT digest FROM forgotten")}
        return cls(str(row[0]) if row else None, digests)

    def has(self, kind: str, value: int | str | None) -> bool:
        """Whether this id belongs to someone who asked to be forgotten."""
        if self._secret is None or value is None:
            return False
        return digest(self._secret, kind, value) in self._digests
