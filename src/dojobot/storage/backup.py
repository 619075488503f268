"""Consistent copies of the live database (SQLite's online backup API) and restores."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from dojobot.storage.db import StorageError, read_only_uri
from dojobot.storage.files import create_private
from dojobot.storage.lock import without_a_bot
from dojobot.storage.migrator import available_migrations


def _has_tables(path: Path) -> bool:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None
    finally:
        conn.close()


def backup_database(source: Path, target: Path) -> Path:
    """Copy `source` to a new file `target`, page by page, safe while the bot writes."""
    if not source.exists():
        raise StorageError(f"database {source} does not exist")
    if target.exists():
        raise StorageError(f"{target} already exists; choose a new file name")
    if not target.parent.is_dir():
        raise StorageError(f"cannot write {target}: folder {target.parent} is missing")
    try:
        create_private(target)
        src = sqlite3.connect(read_only_uri(source), uri=True)
        try:
            dest = sqlite3.connect(target)
            try:
                src.backup(dest)
                # One self-contained file, whatever mode the live database uses.
                dest.execute("PRAGMA journal_mode = DELETE")
            finally:
                dest.close()
        finally:
            src.close()
    except (sqlite3.Error, OSError) as exc:
        target.unlink(missing_ok=True)
        raise StorageError(f"backup of {source} failed: {exc}") from None
    return target


def auto_backup(database: Path, reason: str) -> Path | None:
    """A timestamped backup beside the database before a write; None if there is no data."""
    try:
        if not database.exists() or not _has_tables(database):
            return None
    except sqlite3.Error as exc:
        raise StorageError(f"cannot back up {database}: {exc}") from None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = database.with_name(f"{database.name}.{stamp}.{reason}.bak")
    n = 1
    while target.exists():
        n += 1
        target = database.with_name(f"{database.name}.{stamp}-{n}.{reason}.bak")
    return backup_database(database, target)


def check_backup(path: Path) -> int:
    """The schema version of a DojoBot backup; StorageError if it is not one."""
    if not path.is_file():
        raise StorageError(f"{path} does not exist")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise StorageError(f"{path} is damaged (SQLite quick_check failed)")
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if not {"schema_migration", "stage", "user", "session"} <= names:
                raise StorageError(f"{path} is not a DojoBot database")
            version = conn.execute("SELECT MAX(version) FROM schema_migration").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise StorageError(f"{path} is not a SQLite database") from None
    latest = max((m.version for m in available_migrations()), default=0)
    if version is None or version > latest:
        raise StorageError(
            f"{path} has schema version {version}, which this DojoBot does not know"
        )
    return int(version)


def restore_database(backup: Path, database: Path) -> tuple[int, Path | None]:
    """Put a backup back: (its schema version, where the replaced database was saved)."""
    version = check_backup(backup)
    if not database.parent.is_dir():
        raise StorageError(f"folder {database.parent} is missing")
    with without_a_bot(database):
        saved = auto_backup(database, "before-restore")
        try:
            create_private(database)
            src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
            try:
                dest = sqlite3.connect(database)
                try:
                    src.backup(dest)
                finally:
                    dest.close()
            finally:
                src.close()
        except sqlite3.Error as exc:
            raise StorageError(f"restore into {database} failed: {exc}") from None
    return version, saved


def read_legacy_table(path: Path) -> tuple[list[str], list[tuple[object, ...]]]:
    """Column names and rows of a legacy SQLite file's practice_sessions table."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            cursor = conn.execute("SELECT * FROM practice_sessions ORDER BY rowid")
            header = [str(d[0]).lower() for d in cursor.description]
            return header, list(cursor)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StorageError(f"{path} has no readable practice_sessions table ({exc})") from None
