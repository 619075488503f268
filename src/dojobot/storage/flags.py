"""Feature flags in the database, and each process's short-lived copy of them.

The database is the source of truth: `dojobot flags` writes it, and every running bot and
replica reads it again at most every REFRESH_MS, so a change reaches all of them within a
minute without a restart. Between reads a process uses its copy (one small read per
REFRESH_MS, not one per set).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from dojobot.engine.flags import FLAGS, SCHEDULER, Flag, arm_for, effective_percent
from dojobot.storage.db import Database, Tx

REFRESH_MS = 30_000


@dataclass(frozen=True)
class FlagState:
    """A flag as stored (or its declared default when it has no row)."""

    flag: Flag
    percent: int
    off: bool
    overrides: dict[int, int]  # class chat id -> percent
    updated_at: int | None  # None: never set, the default applies

    @property
    def name(self) -> str:
        """The flag's name."""
        return self.flag.name


async def _read_states(tx: Tx) -> dict[str, FlagState]:
    rows = await tx.fetchall("SELECT name, percent, off, updated_at FROM feature_flag")
    classes = await tx.fetchall(
        "SELECT name, chat_id, percent, updated_at FROM feature_flag_class ORDER BY chat_id"
    )
    stored = {r["name"]: r for r in rows}
    states = {}
    for name, flag in FLAGS.items():
        overrides = {int(c["chat_id"]): int(c["percent"]) for c in classes if c["name"] == name}
        row = stored.get(name)
        changed = [int(c["updated_at"]) for c in classes if c["name"] == name]
        if row is not None:
            changed.append(int(row["updated_at"]))
        states[name] = FlagState(
            flag,
            int(row["percent"]) if row else flag.default_percent,
            bool(row["off"]) if row else False,
            overrides,
            max(changed) if changed else None,
        )
    return states


async def read_flags(db: Database) -> dict[str, FlagState]:
    """Every declared flag's state, by name."""
    async with db.read() as tx:
        return await _read_states(tx)


async def _ensure_row(tx: Tx, flag: Flag, now_ms: int) -> None:
    await tx.execute(
        """INSERT INTO feature_flag (name, percent, off, updated_at) VALUES (?, ?, 0, ?)
           ON CONFLICT (name) DO NOTHING""",
        (flag.name, flag.default_percent, now_ms),
    )


async def set_percent(db: Database, flag: Flag, percent: int, now_ms: int) -> None:
    """Give `percent` of learners the treatment; turns a flag that was off on again."""
    async with db.transaction() as tx:
        await _ensure_row(tx, flag, now_ms)
        await tx.execute(
            "UPDATE feature_flag SET percent = ?, off = 0, updated_at = ? WHERE name = ?",
            (percent, now_ms, flag.name),
        )


async def set_class_percent(
    db: Database, flag: Flag, chat_id: int, percent: int | None, now_ms: int
) -> bool:
    """Give a class its own percentage (None: follow the flag's again).

    False, and nothing changed, when no class has this chat id."""
    async with db.transaction() as tx:
        if await tx.fetchone("SELECT 1 FROM class_group WHERE chat_id = ?", (chat_id,)) is None:
            return False
        await _ensure_row(tx, flag, now_ms)
        if percent is None:
            await tx.execute(
                "DELETE FROM feature_flag_class WHERE name = ? AND chat_id = ?",
                (flag.name, chat_id),
            )
        else:
            await tx.execute(
                """INSERT INTO feature_flag_class (name, chat_id, percent, updated_at)
                   VALUES (?, ?, ?, ?)
                   ON CONFLICT (name, chat_id) DO UPDATE SET percent = excluded.percent,
                       updated_at = excluded.updated_at""",
                (flag.name, chat_id, percent, now_ms),
            )
    return True


async def turn_off(db: Database, flag: Flag, now_ms: int) -> None:
    """Everyone to the control arm at once; the percentages stay for `flags set`."""
    async with db.transaction() as tx:
        await _ensure_row(tx, flag, now_ms)
        await tx.execute(
            "UPDATE feature_flag SET off = 1, updated_at = ? WHERE name = ?",
            (now_ms, flag.name),
        )


class FlagCache:
    """One process's copy of the flags, read again when older than REFRESH_MS."""

    def __init__(self) -> None:
        self.states: dict[str, FlagState] = {}
        self.read_at: int | None = None

    async def state(self, db: Database, name: str, now_ms: int) -> FlagState:
        """The flag's state as of at most REFRESH_MS ago."""
        if self.read_at is None or not 0 <= now_ms - self.read_at < REFRESH_MS:
            self.states = await read_flags(db)
            self.read_at = now_ms
        return self.states[name]


# One copy per open database: a process holds one, tests and benchmarks several.
_caches: weakref.WeakKeyDictionary[Database, FlagCache] = weakref.WeakKeyDictionary()


async def arm(db: Database, flag: Flag, user_id: int, now_ms: int) -> str:
    """The learner's arm of `flag` now (its state at most REFRESH_MS old)."""
    cache = _caches.setdefault(db, FlagCache())
    state = await cache.state(db, flag.name, now_ms)
    class_percents: list[int] = []
    if state.overrides and not state.off:  # a lookup only while some class has its own
        async with db.read() as tx:
            rows = await tx.fetchall(
                "SELECT chat_id FROM class_member WHERE user_id = ?", (user_id,)
            )
        class_percents = [
            state.overrides[r[0]] for r in rows if r[0] in state.overrides
        ]
    return arm_for(flag, user_id, effective_percent(state.percent, state.off, class_percents))


async def scheduler_arm(db: Database, user_id: int, now_ms: int) -> str:
    """'leitner' or 'fsrs': the scheduler that builds this learner's next set.

    Called once when a set starts; the set keeps the arm (session.scheduler_arm)."""
    return await arm(db, SCHEDULER, user_id, now_ms)
