"""When learners started their recent sets: what their usual practice time is drawn from
(engine.usual_time). Reads the session table only; nothing new is stored."""

from __future__ import annotations

from collections import defaultdict

from dojobot.engine.memory import DAY_MS
from dojobot.engine.usual_time import HISTORY_DAYS, next_practice_ms
from dojobot.storage.db import Database

# Local days reach up to 14 hours either side of UTC: a day more covers every timezone.
_SINCE_MS = (HISTORY_DAYS + 1) * DAY_MS


async def next_practice(db: Database, user_id: int, now_ms: int, default_zone: str) -> int:
    """The learner's next usual practice time (engine.usual_time.next_practice_ms), in
    their timezone, else `default_zone`."""
    async with db.read() as tx:
        zone_row = await tx.fetchone('SELECT timezone FROM "user" WHERE user_id = ?',
                                     (user_id,))
        rows = await tx.fetchall(
            "SELECT start_time FROM session WHERE user_id = ? AND start_time >= ?",
            (user_id, now_ms - _SINCE_MS),
        )
    zone = (zone_row[0] if zone_row else None) or default_zone
    return next_practice_ms((r[0] for r in rows), now_ms, zone)


async def members_next_practice(
    db: Database, chat_id: int, now_ms: int, default_zone: str
) -> dict[int, int]:
    """Each class member's next usual practice time, by user id (one read for the class)."""
    async with db.read(heavy=True) as tx:
        members = await tx.fetchall(
            """SELECT m.user_id, u.timezone FROM class_member m
               LEFT JOIN "user" u ON u.user_id = m.user_id WHERE m.chat_id = ?""",
            (chat_id,),
        )
        rows = await tx.fetchall(
            """SELECT s.user_id, s.start_time FROM session s
               JOIN class_member m ON m.user_id = s.user_id
               WHERE m.chat_id = ? AND s.start_time >= ?""",
            (chat_id, now_ms - _SINCE_MS),
        )
    starts: dict[int, list[int]] = defaultdict(list)
    for user_id, start in rows:
        starts[user_id].append(start)
    return {user_id: next_practice_ms(starts[user_id], now_ms, zone or default_zone)
            for user_id, zone in members}
