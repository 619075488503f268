"""Legacy import bookkeeping: imported sessions, legacy accounts, claims and rollback.

Imported sessions are `session` rows with is_estimate = 1 (accuracy 1.0 and median = mean
are the seed's assumptions, not measurements). A legacy learner not linked to a Telegram
user waits in legacy_account / legacy_session until a claim link or a first contact links
them; only then do their sessions enter `session`, whose user_id is always a Telegram id.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from dojobot.storage.db import Database, Tx
from dojobot.storage.forgotten import LEGACY, TELEGRAM, Forgotten

HATSU = 1
# `/start claim-<token>` carries a claim token: the CLI prints it, the /start handler reads it.
CLAIM_PREFIX = "claim-"
# Import transactions stay short (tens of ms) so a live bot's answers barely wait.
BATCH_ROWS = 500
BATCH_ACCOUNTS = 50
# After each batch the import pauses for half as long as the batch took. SQLite has no
# queue for its write lock: a waiting writer retries every 100 ms or so, and an import that
# took the lock again at once would starve it (measured: 13 s, BENCHMARKS.md#import-legacy). With
# the lock free a third of the time, a waiting answer gets in within a few tries.
PAUSE_SHARE = 0.5


@dataclass(frozen=True)
class ImportRow:
    """One checked legacy row, with its topic resolved."""

    row_id: str
    legacy_user_id: str
    topic_id: int
    stage_id: int
    total_reps: int
    avg_response_ms: float
    start_ms: int
    end_ms: int


@dataclass
class Merged:
    """What linking a legacy account to a learner added."""

    sessions: int = 0
    reps: int = 0
    raised: list[tuple[int, int | None, int]] = field(default_factory=list)  # topic, old, new


@dataclass
class ImportOutcome:
    """What one import added."""

    batch_id: int | None
    already_imported: list[str]  # legacy row ids
    imported: int = 0
    accounts_created: int = 0
    linked_accounts: int = 0
    pending_accounts: int = 0
    unlinked_accounts: int = 0
    sessions_added: int = 0
    progress_raised: int = 0
    forgotten: int = 0  # rows of learners who erased their data (/forgetme): not imported


@dataclass(frozen=True)
class RollbackOutcome:
    """What --rollback removed."""

    batch_id: int
    source: str
    sessions_removed: int
    held_sessions_removed: int
    accounts_removed: int
    progress_restored: int
    progress_kept: int  # the learner has moved past the imported stage since


@dataclass(frozen=True)
class LegacyAccount:
    """A learner of the old app."""

    legacy_account_id: int
    legacy_user_id: str
    user_id: int | None
    pending_user_id: int | None
    sessions: int
    reps: int


class ClaimStatus(StrEnum):
    """The outcome of opening a claim link."""

    MERGED = "merged"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    ALREADY_LINKED = "already_linked"


@dataclass(frozen=True)
class ClaimResult:
    """A claim's outcome and, when merged, what it added."""

    status: ClaimStatus
    merged: Merged | None = None
    legacy_user_id: str | None = None


async def topic_ids(db: Database) -> dict[str, int]:
    """Topic code -> topic id."""
    async with db.read() as tx:
        rows = await tx.fetchall("SELECT code, topic_id FROM topic")
    return {r["code"]: int(r["topic_id"]) for r in rows}


async def _raise_progress(
    tx: Tx, user_id: int, topic_id: int, stage_id: int, batch_id: int,
    now_ms: int,
) -> tuple[int | None, int] | None:
    """Lift a learner to `stage_id` in a topic, never lowering; record the old values."""
    old = await tx.fetchone(
        "SELECT stage_id, reps_in_stage, stage_started_at FROM user_progress "
        "WHERE user_id = ? AND topic_id = ?",
        (user_id, topic_id),
    )
    if old is not None and old["stage_id"] >= stage_id:
        return None
    if old is None:
        await tx.execute(
            "INSERT INTO user_progress (user_id, topic_id, stage_id, stage_started_at) "
            "VALUES (?, ?, ?, ?)",
            (user_id, topic_id, stage_id, now_ms),
        )
    else:
        # A new stage starts from zero reps: legacy reps were counted at the old level.
        await tx.execute(
            "UPDATE user_progress SET stage_id = ?, reps_in_stage = 0, stage_started_at = ? "
            "WHERE user_id = ? AND topic_id = ?",
            (stage_id, now_ms, user_id, topic_id),
        )
    await tx.execute(
        """INSERT INTO legacy_progress_change (batch_id, user_id, topic_id, old_stage_id,
               old_reps_in_stage, old_stage_started_at, new_stage_id, changed_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            batch_id, user_id, topic_id,
            None if old is None else old["stage_id"],
            None if old is None else old["reps_in_stage"],
            None if old is None else old["stage_started_at"],
            stage_id, now_ms,
        ),
    )
    return (None if old is None else int(old["stage_id"]), stage_id)


async def _merge_account(
    tx: Tx, account_id: int, user_id: int, now_ms: int
) -> Merged:
    """Move an account's waiting sessions into `session` for a learner; lift progress."""
    rows = await tx.fetchall(
        """SELECT legacy_row_id, batch_id, topic_id, stage_id, start_time, end_time,
                  total_reps, avg_response_ms
           FROM legacy_session WHERE legacy_account_id = ? AND session_id IS NULL
           ORDER BY start_time, legacy_row_id""",
        (account_id,),
    )
    merged = Merged()
    best: dict[int, tuple[int, int]] = {}  # topic -> (stage, batch that brought it)
    for r in rows:
        reps = int(r["total_reps"])
        avg = r["avg_response_ms"]
        created = await tx.fetchone(
            """INSERT INTO session (user_id, topic_id, stage_id, start_time, end_time,
                   total_reps, correct_reps, total_response_ms, avg_response_time,
                   median_response_time, accuracy, is_estimate)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING session_id""",
            (
                user_id, r["topic_id"], r["stage_id"], r["start_time"], r["end_time"],
                reps, reps, round((avg or 0) * reps), avg if reps else None,
                avg if reps else None, 1.0 if reps else None,
            ),
        )
        assert created is not None
        await tx.execute(
            "UPDATE legacy_session SET session_id = ? WHERE legacy_row_id = ?",
            (created[0], r["legacy_row_id"]),
        )
        merged.sessions += 1
        merged.reps += reps
        topic, stage, batch = int(r["topic_id"]), int(r["stage_id"]), int(r["batch_id"])
        if topic not in best or (stage, batch) > best[topic]:
            best[topic] = (stage, batch)
    for topic, (stage, batch) in sorted(best.items()):
        change = await _raise_progress(tx, user_id, topic, stage, batch, now_ms)
        if change is not None:
            merged.raised.append((topic, change[0], change[1]))
    return merged


async def _user_exists(tx: Tx, user_id: int) -> bool:
    return await tx.fetchone('SELECT 1 FROM "user" WHERE user_id = ?', (user_id,)) is not None


async def _imported_ids(db: Database, ids: Sequence[str]) -> set[str]:
    """Which of these legacy row ids an earlier import already brought in."""
    known: set[str] = set()
    async with db.read() as tx:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            rows = await tx.fetchall(
                f"SELECT legacy_row_id FROM legacy_session WHERE legacy_row_id IN ({marks})",
                chunk,
            )
            known.update(r[0] for r in rows)
    return known


async def import_rows(
    db: Database,
    rows: Sequence[ImportRow],
    user_map: Mapping[str, int],
    *,
    source: str,
    source_sha256: str,
    time_unit: str,
    rows_read: int,
    now_ms: int,
    on_progress: Callable[[int, int], Awaitable[None]] | None = None,
    erasure_key: str | None = None,
) -> ImportOutcome:
    """Add rows not imported before, none of a learner who asked to be forgotten (storage/
    forgotten.py; `erasure_key` is what their ids were hashed with), in short
    transactions; all or nothing all the same.

    A running bot shares the file: one long transaction would hold the write lock for
    seconds and its answers would time out ("database is locked") and be lost. So rows go
    in BATCH_ROWS at a time, and the merges for linked learners a few accounts at a time;
    should anything fail, or the command be interrupted, the batches written so far are
    undone (as --rollback would) before the error goes on. on_progress(rows done, rows)
    runs between transactions.
    """
    forgotten = await Forgotten.load(db, erasure_key)
    erased = {
        legacy_id for legacy_id in {r.legacy_user_id for r in rows}
        if forgotten.has(LEGACY, legacy_id) or forgotten.has(TELEGRAM, user_map.get(legacy_id))
    }
    known = await _imported_ids(db, [r.row_id for r in rows])
    fresh = [r for r in rows if r.row_id not in known and r.legacy_user_id not in erased]
    outcome = ImportOutcome(
        batch_id=None, already_imported=[r.row_id for r in rows if r.row_id in known],
        forgotten=sum(1 for r in rows if r.legacy_user_id in erased and r.row_id not in known),
    )
    if not fresh:
        return outcome
    async with db.transaction() as tx:
        created = await tx.fetchone(
            """INSERT INTO legacy_import (source, source_sha256, time_unit, imported_at,
                       rows_read, rows_imported) VALUES (?, ?, ?, ?, ?, ?) RETURNING batch_id""",
            (source, source_sha256, time_unit, now_ms, rows_read, len(fresh)),
        )
    assert created is not None
    batch_id = int(created[0])
    outcome.batch_id = batch_id
    try:
        touched = await _insert_batches(db, fresh, user_map, batch_id, now_ms, outcome,
                                        on_progress)
        for start in range(0, len(touched), BATCH_ACCOUNTS):
            async with _batch(db) as tx:
                for account_id in touched[start:start + BATCH_ACCOUNTS]:
                    await _merge_if_linked(tx, account_id, now_ms, outcome)
    except BaseException:
        async with db.transaction() as tx:
            await _undo_batch(tx, batch_id, now_ms)
        raise
    return outcome


@asynccontextmanager
async def _batch(db: Database) -> AsyncIterator[Tx]:
    """One import transaction, then a pause that lets a waiting writer (the bot) in."""
    started = time.monotonic()
    async with db.transaction() as tx:
        yield tx
    await asyncio.sleep(max(0.005, (time.monotonic() - started) * PAUSE_SHARE))


async def _insert_batches(
    db: Database, fresh: Sequence[ImportRow], user_map: Mapping[str, int], batch_id: int,
    now_ms: int, outcome: ImportOutcome,
    on_progress: Callable[[int, int], Awaitable[None]] | None,
) -> list[int]:
    """legacy_session rows, BATCH_ROWS per transaction; the accounts they touched."""
    accounts: dict[str, int] = {}
    touched: set[int] = set()
    for start in range(0, len(fresh), BATCH_ROWS):
        async with _batch(db) as tx:
            for r in fresh[start:start + BATCH_ROWS]:
                if r.legacy_user_id not in accounts:
                    accounts[r.legacy_user_id] = await _account_for(
                        tx, r.legacy_user_id, user_map.get(r.legacy_user_id), batch_id,
                        now_ms, outcome,
                    )
                account_id = accounts[r.legacy_user_id]
                touched.add(account_id)
                await tx.execute(
                    """INSERT INTO legacy_session (legacy_row_id, batch_id, legacy_account_id,
                           topic_id, stage_id, start_time, end_time, total_reps,
                           avg_response_ms)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (r.row_id, batch_id, account_id, r.topic_id, r.stage_id, r.start_ms,
                     r.end_ms, r.total_reps, r.avg_response_ms),
                )
                outcome.imported += 1
        if on_progress is not None:
            await on_progress(outcome.imported, len(fresh))
    return sorted(touched)


async def _merge_if_linked(
    tx: Tx, account_id: int, now_ms: int, outcome: ImportOutcome
) -> None:
    # Read inside this transaction: the bot may have linked the account meanwhile (a claim,
    # or the mapped learner's first message), or already merged what came so far.
    account = await tx.fetchone(
        "SELECT user_id FROM legacy_account WHERE legacy_account_id = ?", (account_id,)
    )
    if account is not None and account["user_id"] is not None:
        merged = await _merge_account(tx, account_id, int(account["user_id"]), now_ms)
        outcome.sessions_added += merged.sessions
        outcome.progress_raised += len(merged.raised)


async def _account_for(
    tx: Tx, legacy_user_id: str, telegram_id: int | None, batch_id: int,
    now_ms: int, outcome: ImportOutcome,
) -> int:
    found = await tx.fetchone(
        "SELECT legacy_account_id FROM legacy_account WHERE legacy_user_id = ?",
        (legacy_user_id,),
    )
    if found is not None:
        return int(found[0])
    user_id = pending = linked_at = None
    if telegram_id is not None and await _user_exists(tx, telegram_id):
        user_id, linked_at = telegram_id, now_ms
        outcome.linked_accounts += 1
    elif telegram_id is not None:
        pending = telegram_id
        outcome.pending_accounts += 1
    else:
        outcome.unlinked_accounts += 1
    created = await tx.fetchone(
        """INSERT INTO legacy_account (legacy_user_id, batch_id, user_id, pending_user_id,
               linked_at) VALUES (?, ?, ?, ?, ?) RETURNING legacy_account_id""",
        (legacy_user_id, batch_id, user_id, pending, linked_at),
    )
    assert created is not None
    outcome.accounts_created += 1
    return int(created[0])


async def has_live_import(db: Database) -> bool:
    """Whether some import has not been rolled back."""
    async with db.read() as tx:
        row = await tx.fetchone(
            "SELECT 1 FROM legacy_import WHERE rolled_back_at IS NULL LIMIT 1"
        )
    return row is not None


async def rollback_last(tx: Tx, now_ms: int) -> RollbackOutcome | None:
    """Remove exactly what the newest import added; practice done since stays."""
    batch = await tx.fetchone(
        "SELECT batch_id FROM legacy_import WHERE rolled_back_at IS NULL "
        "ORDER BY batch_id DESC LIMIT 1"
    )
    return None if batch is None else await _undo_batch(tx, int(batch["batch_id"]), now_ms)


async def _undo_batch(tx: Tx, batch_id: int, now_ms: int) -> RollbackOutcome:
    """Remove what one import added (its sessions, accounts, stage changes); mark it undone."""
    batch = await tx.fetchone(
        "SELECT source FROM legacy_import WHERE batch_id = ?", (batch_id,)
    )
    assert batch is not None
    held = await tx.fetchall(
        "SELECT session_id FROM legacy_session WHERE batch_id = ?", (batch_id,)
    )
    listed = [r[0] for r in held]
    session_ids = [s for s in listed if s is not None]
    await tx.execute("DELETE FROM legacy_session WHERE batch_id = ?", (batch_id,))
    for session_id in session_ids:
        await tx.execute(
            "DELETE FROM session WHERE session_id = ? AND is_estimate = 1", (session_id,)
        )
    restored = kept = 0
    changes = await tx.fetchall(
        "SELECT * FROM legacy_progress_change WHERE batch_id = ? ORDER BY change_id DESC",
        (batch_id,),
    )
    for change in changes:
        key = (change["user_id"], change["topic_id"])
        now_row = await tx.fetchone(
            "SELECT stage_id, total_reps FROM user_progress WHERE user_id = ? AND topic_id = ?",
            key,
        )
        if now_row is None:
            continue
        if now_row["stage_id"] != change["new_stage_id"]:
            kept += 1
            continue
        restored += 1
        if change["old_stage_id"] is None and now_row["total_reps"] == 0:
            await tx.execute(
                "DELETE FROM user_progress WHERE user_id = ? AND topic_id = ?", key
            )
        elif change["old_stage_id"] is None:
            # Answers given since the import stay counted, back in the first stage.
            await tx.execute(
                "UPDATE user_progress SET stage_id = ? WHERE user_id = ? AND topic_id = ?",
                (HATSU, *key),
            )
        else:
            await tx.execute(
                """UPDATE user_progress SET stage_id = ?, stage_started_at = ?,
                       reps_in_stage = reps_in_stage + ?
                   WHERE user_id = ? AND topic_id = ?""",
                (change["old_stage_id"], change["old_stage_started_at"],
                 change["old_reps_in_stage"], *key),
            )
    created = await tx.fetchall(
        "SELECT legacy_account_id FROM legacy_account WHERE batch_id = ?", (batch_id,)
    )
    accounts = [r[0] for r in created]
    for account_id in accounts:
        await tx.execute(
            "DELETE FROM legacy_claim_token WHERE legacy_account_id = ?", (account_id,)
        )
        await tx.execute(
            "DELETE FROM legacy_account WHERE legacy_account_id = ?", (account_id,)
        )
    await tx.execute(
        "UPDATE legacy_import SET rolled_back_at = ? WHERE batch_id = ?", (now_ms, batch_id)
    )
    return RollbackOutcome(
        batch_id=batch_id, source=str(batch["source"]), sessions_removed=len(session_ids),
        held_sessions_removed=len(listed) - len(session_ids), accounts_removed=len(accounts),
        progress_restored=restored, progress_kept=kept,
    )


async def find_account(db: Database, legacy_user_id: str) -> LegacyAccount | None:
    """A legacy account with the size of its imported history."""
    async with db.read() as tx:
        row = await tx.fetchone(
            """SELECT a.legacy_account_id, a.legacy_user_id, a.user_id, a.pending_user_id,
                      COUNT(s.legacy_row_id) AS sessions, COALESCE(SUM(s.total_reps), 0) AS reps
               FROM legacy_account a
               LEFT JOIN legacy_session s ON s.legacy_account_id = a.legacy_account_id
               WHERE a.legacy_user_id = ? GROUP BY a.legacy_account_id""",
            (legacy_user_id,),
        )
    return None if row is None else LegacyAccount(*row)


def _token_hash(token: str) -> str:
    """How claim tokens are stored: SHA-256, hex (the token itself never is)."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


async def create_claim_token(
    db: Database, legacy_account_id: int, now_ms: int, expires_at: int
) -> str:
    """A new one-time claim token for a legacy account; only its hash is stored."""
    token = secrets.token_urlsafe(24)  # 32 characters of A-Za-z0-9_-: fits a deep link
    async with db.transaction() as tx:
        await tx.execute(
            """INSERT INTO legacy_claim_token (token_hash, legacy_account_id, created_at,
                   expires_at) VALUES (?, ?, ?, ?)""",
            (_token_hash(token), legacy_account_id, now_ms, expires_at),
        )
    return token


async def claim(db: Database, claim_token: str, user_id: int, now_ms: int) -> ClaimResult:
    """Use a claim token: link its legacy account to the learner and merge the history."""
    token_hash = _token_hash(claim_token)
    async with db.transaction() as tx:
        token = await tx.fetchone(
            """SELECT t.legacy_account_id, t.expires_at, t.used_at, a.user_id, a.legacy_user_id
               FROM legacy_claim_token t JOIN legacy_account a USING (legacy_account_id)
               WHERE t.token_hash = ?""",
            (token_hash,),
        )
        if token is None:
            return ClaimResult(ClaimStatus.UNKNOWN)
        legacy_id = str(token["legacy_user_id"])
        if token["used_at"] is not None:
            return ClaimResult(ClaimStatus.USED, legacy_user_id=legacy_id)
        if token["expires_at"] <= now_ms:
            return ClaimResult(ClaimStatus.EXPIRED, legacy_user_id=legacy_id)
        if token["user_id"] is not None:
            return ClaimResult(ClaimStatus.ALREADY_LINKED, legacy_user_id=legacy_id)
        account_id = int(token["legacy_account_id"])
        await tx.execute(
            "UPDATE legacy_claim_token SET used_at = ?, used_by = ? WHERE token_hash = ?",
            (now_ms, user_id, token_hash),
        )
        await tx.execute(
            """UPDATE legacy_account SET user_id = ?, pending_user_id = NULL, linked_at = ?
               WHERE legacy_account_id = ?""",
            (user_id, now_ms, account_id),
        )
        merged = await _merge_account(tx, account_id, user_id, now_ms)
    return ClaimResult(ClaimStatus.MERGED, merged, legacy_id)


async def merge_pending(db: Database, user_id: int, now_ms: int) -> Merged | None:
    """Link legacy accounts that --users mapped to this learner before the bot met them."""
    pending = (
        "SELECT legacy_account_id FROM legacy_account"
        " WHERE pending_user_id = ? AND user_id IS NULL"
    )
    # Every learner's first message asks: a read, and a write transaction only when needed.
    async with db.read() as tx:
        waiting = await tx.fetchone(pending, (user_id,))
    if waiting is None:
        return None
    total = Merged()
    async with db.transaction() as tx:
        for (account_id,) in await tx.fetchall(pending, (user_id,)):
            await tx.execute(
                """UPDATE legacy_account SET user_id = ?, pending_user_id = NULL, linked_at = ?
                   WHERE legacy_account_id = ?""",
                (user_id, now_ms, account_id),
            )
            merged = await _merge_account(tx, account_id, user_id, now_ms)
            total.sessions += merged.sessions
            total.reps += merged.reps
            total.raised.extend(merged.raised)
    return total
