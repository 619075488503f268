"""The seed's KPIs split by a flag's arm, with next-day recall (engine/recall.py).

A set's arm is session.scheduler_arm, fixed when it started; each answer's arm is its
set's. Sets from before flags existed (and imported estimates) form the arm "none".
"""

from __future__ import annotations

from dataclasses import dataclass

from dojobot.engine.flags import Flag
from dojobot.engine.recall import NEXT_DAY_MS, Recall
from dojobot.storage.db import Database, Tx

NO_ARM = "none"

# The window's answers as kpis.ANSWERS_SINCE reads them (one range of attempt_topic_time
# per topic; PostgreSQL drops the hint and uses its BRIN index), each joined by primary key
# to its set (the arm) and its learner (the pace).
_ANSWERS = """
FROM attempt a INDEXED BY attempt_topic_time
JOIN session s ON s.session_id = a.session_id
JOIN "user" u ON u.user_id = a.user_id
WHERE a.topic_id IN (SELECT topic_id FROM topic) AND a.answered_at >= ?
"""


@dataclass(frozen=True)
class ArmKpis:
    """One arm's KPIs over the window."""

    arm: str
    active_users: int
    sets: int
    reps: int
    answers: int
    avg_accuracy: float | None
    p50_response_ms: float | None
    next_day: Recall


async def _median(tx: Tx, since: int, arm: str, count: int) -> float | None:
    """The true median response time of the arm's answers (as kpis._median_response_ms)."""
    if count == 0:
        return None
    rows = await tx.fetchall(
        f"""SELECT a.response_ms {_ANSWERS} AND COALESCE(s.scheduler_arm, ?) = ?
            ORDER BY a.response_ms LIMIT ? OFFSET ?""",
        (since, NO_ARM, arm, 2 - count % 2, (count - 1) // 2),
    )
    values = [float(r[0]) for r in rows]
    return sum(values) / len(values)


async def kpis_by_arm(db: Database, flag: Flag, since_ms: int | None) -> list[ArmKpis]:
    """The flag's arms (control first), then "none" when sets without an arm fall in the
    window; each with the seed's KPIs and next-day recall. Either engine."""
    since = since_ms if since_ms is not None else -(2**62)
    async with db.read(heavy=True) as tx:
        sets = await tx.fetchall(
            """SELECT COALESCE(scheduler_arm, ?), COUNT(DISTINCT user_id), COUNT(*),
                      COALESCE(SUM(total_reps), 0)
               FROM session WHERE start_time >= ? GROUP BY 1""",
            (NO_ARM, since),
        )
        answers = await tx.fetchall(
            f"""SELECT COALESCE(s.scheduler_arm, ?), COUNT(*), COALESCE(SUM(a.correct), 0),
                       COALESCE(SUM(CASE WHEN a.since_last_ms >= ? THEN 1 ELSE 0 END), 0),
                       COALESCE(SUM(CASE WHEN a.since_last_ms >= ? AND a.correct = 1
                                          AND a.response_ms <= u.pace_ms
                                     THEN 1 ELSE 0 END), 0)
                {_ANSWERS} GROUP BY 1""",
            (NO_ARM, NEXT_DAY_MS, NEXT_DAY_MS, since),
        )
        by_set = {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in sets}
        by_answer = {r[0]: (int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in answers}
        arms = [*flag.arms, *([NO_ARM] if NO_ARM in by_set or NO_ARM in by_answer else [])]
        result = []
        for arm in arms:
            users, set_count, reps = by_set.get(arm, (0, 0, 0))
            count, right, reviews, recalled = by_answer.get(arm, (0, 0, 0, 0))
            result.append(ArmKpis(
                arm, users, set_count, reps, count, right / count if count else None,
                await _median(tx, since, arm, count), Recall(reviews, recalled),
            ))
        return result
