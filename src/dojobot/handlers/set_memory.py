"""What a new set is drawn from: the memory its scheduler arm reads.

The arm comes from the `scheduler` flag (storage/flags.scheduler_arm) when the set starts.
Cards are kept for every learner whatever the arm (the map and the class grid read them);
only set building follows the arm.
"""

from __future__ import annotations

from dojobot.engine.adaptive import FSRS, Memory
from dojobot.engine.calendar import Bounds, day_bounds
from dojobot.storage import cards as card_store
from dojobot.storage import memory as memory_store
from dojobot.storage.db import Database
from dojobot.storage.streaks import zone_of


async def learner_day(db: Database, user_id: int, now_ms: int, default_zone: str) -> Bounds:
    """The learner's local day (their timezone, else `default_zone`) containing now."""
    return day_bounds(now_ms, await zone_of(db, user_id, default_zone))


async def memory_for_set(
    db: Database, user_id: int, topic_id: int, now_ms: int, *, arm: str, needed: bool,
    default_zone: str,
) -> Memory:
    """The memory `arm` draws a set from (nothing read when not `needed`)."""
    if not needed:
        return Memory(arm, {}, {}, Bounds(now_ms, now_ms))
    if arm == FSRS:
        day = await learner_day(db, user_id, now_ms, default_zone)
        return Memory(arm, {}, await card_store.cards(db, user_id, topic_id), day)
    memories = await memory_store.memories(db, user_id, topic_id)
    return Memory(arm, memories, {}, Bounds(now_ms, now_ms))
