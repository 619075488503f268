"""Where /forgetme's secret lives: a key file, apart from the database.

The list of forgotten learners (storage/forgotten.py) is kept as keyed hashes of their ids,
so that `import-legacy` can skip them. Kept in the database with the hashes (as it first
was), a dump of the database alone let anyone test a Telegram id against the list. In a
file it goes where the data volume goes but not where the database goes (a dump, a `dojobot
backup`, a copy sent for debugging). Replicas share one file (the same secret).

The file: DOJOBOT_ERASURE_KEY_FILE, or on SQLite `<database file>.erasure-key` beside it.
It is made when first needed, readable by its owner only; a key the database still holds
(from before this) is moved into it, and then deleted from the database.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path

from dojobot.config import Settings
from dojobot.storage import forgotten
from dojobot.storage.db import Database, StorageError

log = logging.getLogger(__name__)

_KEY = re.compile(r"[0-9a-f]{64}")


class ErasureKeyError(StorageError):
    """The key file cannot be read or made: one line naming the file and why."""


def key_file(settings: Settings) -> Path | None:
    """The configured key file; on SQLite by default beside the database; None: none."""
    if settings.erasure_key_file is not None:
        return settings.erasure_key_file
    if settings.uses_postgres:
        return None
    database = settings.database_path
    return database.with_name(database.name + ".erasure-key")


def _read(path: Path) -> str:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ErasureKeyError(f"cannot read the erasure key {path}: {exc}") from None
    if not _KEY.fullmatch(text):
        raise ErasureKeyError(f"the erasure key {path} is not 64 hex digits")
    return text


def _create(path: Path, secret: str) -> str:
    """Write a new key file (owner-only); if another process made it first, read theirs."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    except OSError as exc:
        raise ErasureKeyError(f"cannot create the erasure key {path}: {exc}") from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secret + "\n")
        f.flush()
        os.fsync(f.fileno())
    return secret


def existing_erasure_key(settings: Settings) -> str | None:
    """The key file's key if there is one, making and moving nothing: for `import-legacy`,
    which only tests ids (a key the database still holds is tested as well)."""
    path = key_file(settings)
    return _read(path) if path is not None and path.exists() else None


async def load_erasure_key(settings: Settings, db: Database) -> str | None:
    """The key /forgetme hashes with, made or moved out of the database if need be (the
    bot, at start). None: the database's own, for a PostgreSQL bot without
    DOJOBOT_ERASURE_KEY_FILE."""
    path = key_file(settings)
    stored = await forgotten.database_key(db)
    if path is None:
        if stored is not None:
            log.warning("the erasure key is kept in the database beside its hashes; set "
                        "DOJOBOT_ERASURE_KEY_FILE to move it out (docs/operations.md)")
        return None
    if path.exists():
        key = _read(path)
    else:
        key = _create(path, stored or secrets.token_hex(32))
        log.info("erasure key %s %s", path, "moved out of the database" if stored else "made")
    if stored is not None and not await forgotten.drop_database_key(db, key):
        log.warning("the database holds another erasure key than %s: both are used to "
                    "recognise forgotten learners, new ones are hashed with the file's", path)
    return key
