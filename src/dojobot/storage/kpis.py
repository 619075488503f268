"""The seed's monitoring KPIs, computed from sessions and from the answers themselves."""

from __future__ import annotations

from dataclasses import dataclass

from dojobot.storage.db import Database, Tx

# The answers since a time: one range of attempt_topic_time per topic. Pinned: without
# ANALYZE statistics (a running bot's file) SQLite reads the whole table instead; with
# them it skip-scans the same index (tests/storage/test_query_plans.py). For all time it
# reads every answer either way, through the index no slower than a table scan.
# PostgreSQL drops the hint and reads the range through attempt_time_brin (its migration
# 0011): answers are stored in time order.
ANSWERS_SINCE = (
    "FROM attempt INDEXED BY attempt_topic_time "
    "WHERE topic_id IN (SELECT topic_id FROM topic) AND answered_at >= ?"
)


@dataclass(frozen=True)
class Kpis:
    """KPIs over a window starting at since_ms (None: all time)."""

    since_ms: int | None
    active_users: int
    answers: int
    avg_accuracy: float | None  # None: no answers in the window
    p50_response_ms: float | None
    total_sessions: int
    total_reps: int
    estimate_sessions: int
    estimate_reps: int
    stage_distribution: dict[str, int]  # stage code -> learners, all stages in order


async def stage_distribution(db: Database) -> dict[str, int]:
    """Stage code -> learners, every stage in order (a learner counts once per stage held)."""
    async with db.read() as tx:
        return await _stage_distribution(tx)


async def _stage_distribution(tx: Tx) -> dict[str, int]:
    rows = await tx.fetchall(
        """SELECT s.code, COUNT(DISTINCT up.user_id)
           FROM stage s LEFT JOIN user_progress up ON up.stage_id = s.stage_id
           GROUP BY s.stage_id ORDER BY s.stage_id"""
    )
    return {str(r[0]): int(r[1]) for r in rows}


async def _median_response_ms(tx: Tx, since_ms: int, count: int) -> float | None:
    """The true median of response_ms over answers (mean of the middle two when even)."""
    if count == 0:
        return None
    rows = await tx.fetchall(
        f"SELECT response_ms {ANSWERS_SINCE} ORDER BY response_ms LIMIT ? OFFSET ?",
        (since_ms, 2 - count % 2, (count - 1) // 2),
    )
    values = [float(r[0]) for r in rows]
    return sum(values) / len(values)


async def compute_kpis(db: Database, since_ms: int | None) -> Kpis:
    """Active users, accuracy, p50, sessions, reps and the stage distribution (either engine)."""
    since = since_ms if since_ms is not None else -(2**62)
    # One snapshot, so the figures agree with each other; scans, so off the event loop.
    async with db.read(heavy=True) as tx:
        sessions = await tx.fetchone(
            """SELECT COUNT(DISTINCT user_id), COUNT(*), COALESCE(SUM(total_reps), 0),
                      COALESCE(SUM(is_estimate), 0),
                      COALESCE(SUM(CASE WHEN is_estimate = 1 THEN total_reps END), 0)
               FROM session WHERE start_time >= ?""",
            (since,),
        )
        answers = await tx.fetchone(
            f"SELECT COUNT(*), COALESCE(SUM(correct), 0) {ANSWERS_SINCE}",
            (since,),
        )
        assert sessions is not None and answers is not None
        count, correct = int(answers[0]), int(answers[1])
        return Kpis(
            since_ms=since_ms,
            active_users=int(sessions[0]),
            answers=count,
            avg_accuracy=correct / count if count else None,
            p50_response_ms=await _median_response_ms(tx, since, count),
            total_sessions=int(sessions[1]),
            total_reps=int(sessions[2]),
            estimate_sessions=int(sessions[3]),
            estimate_reps=int(sessions[4]),
            stage_distribution=await _stage_distribution(tx),
        )
