"""The seed's KPIs split by a flag's arm, with next-day recall (engine/recall.py).

A set's arm is session.scheduler_arm, fixed when it started; each answer's arm is its
set's. Sets from before flags existed (and imported estimates) form the arm "none".
"""

from __future__ import annotations

from dataclasses import dataclass

from dojobot.engine.flags import Flag
from dojobot.engine.recall import NEXT_DAY_MS, Recall
from dojobot.engine.stats import histogram_median
from dojobot.storage.db import Database

NO_ARM = "none"

# The window's answers, each joined by primary key to its set for the arm, counted per arm
# and response time in one pass: the exact median comes from that histogram (a few thousand
# rows), where an ORDER BY per arm would read and sort the window once more per arm (1.6 s
# instead of 0.85 s for 300,000 answers).
# The window: answers are stored in time order, so it is the table's tail. SQLite reads it
# by rowid from the window's first id (found in attempt_topic_time, covering): 3× less work
# than a lookup per answer through the index; the time is checked again for the odd answer
# stored out of order. PostgreSQL drops the hint and reads the window through its BRIN index
# (BENCHMARKS.md#stats-by-flag).
# The learner's pace is looked up only for a review (about one answer in ten), in a CASE of
# its own: `since_last_ms >= ? AND ...` goes on to the lookup when since_last_ms is NULL
# (most answers), on both engines (210,049 lookups instead of 18,640 for 24 hours).
_HISTOGRAM = """
SELECT COALESCE(s.scheduler_arm, ?2), a.response_ms, COUNT(*), SUM(a.correct),
       SUM(CASE WHEN a.since_last_ms >= ?3 THEN 1 ELSE 0 END),
       SUM(CASE WHEN a.since_last_ms >= ?3 THEN
               CASE WHEN a.correct = 1
                     AND a.response_ms <= (SELECT pace_ms FROM "user" WHERE user_id = a.user_id)
                    THEN 1 ELSE 0 END
           ELSE 0 END)
FROM attempt a JOIN session s ON s.session_id = a.session_id
WHERE a.answered_at >= ?1 AND a.attempt_id >= (
    SELECT min(attempt_id) FROM attempt INDEXED BY attempt_topic_time
    WHERE topic_id IN (SELECT topic_id FROM topic) AND answered_at >= ?1)
GROUP BY 1, 2
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
        rows = await tx.fetchall(_HISTOGRAM, (since, NO_ARM, NEXT_DAY_MS))
    by_set = {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in sets}
    times: dict[str, list[tuple[int, int]]] = {}
    sums: dict[str, list[int]] = {}
    for arm, ms, count, right, reviews, recalled in rows:
        times.setdefault(arm, []).append((int(ms), int(count)))
        totals = sums.setdefault(arm, [0, 0, 0, 0])
        for i, value in enumerate((count, right, reviews, recalled)):
            totals[i] += int(value)
    arms = [*flag.arms, *([NO_ARM] if NO_ARM in by_set or NO_ARM in sums else [])]
    result = []
    for arm in arms:
        users, set_count, reps = by_set.get(arm, (0, 0, 0))
        count, right, reviews, recalled = sums.get(arm, [0, 0, 0, 0])
        result.append(ArmKpis(
            arm, users, set_count, reps, count, right / count if count else None,
            histogram_median(sorted(times.get(arm, []))), Recall(reviews, recalled),
        ))
    return result
