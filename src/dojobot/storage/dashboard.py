"""The class dashboard's reads: members with their practice, one member's recent sets, and
the class's weeks. Only current members, ever: every query starts from class_member, so a
learner who left (or erased themselves) is not there.

The board's own figures (reps, right answers, true median over the period and topic) come
from storage.classes.member_stats, so the dashboard and /leaderboard never disagree; the
fact grid reads the members' FSRS cards through storage.cards.class_facts, the one place
that says who in a class is fluent in a fact (engine.cards.is_fluent, as the learner's map).
"""

from __future__ import annotations

from dataclasses import dataclass

from dojobot.engine.calendar import Bounds, streak_of_times
from dojobot.storage.db import Database

DAY_MS = 86_400_000
# A streak is counted over this many days of sets; a longer one shows as "at least".
STREAK_WINDOW_DAYS = 100


@dataclass(frozen=True)
class MemberPractice:
    """What the members table shows beside the board's figures, for one member."""

    user_id: int
    stages: dict[int, int]  # topic id -> stage, for the topics they have practised
    last_practised_ms: dict[int, int]  # topic id -> when they last answered
    streak_days: int
    streak_capped: bool  # the streak fills the window: at least this long


async def members_practice(
    db: Database, chat_id: int, now_ms: int, default_zone: str
) -> dict[int, MemberPractice]:
    """Stage and last practice per topic and the streak (in the member's own timezone) of
    every current member."""
    since = now_ms - STREAK_WINDOW_DAYS * DAY_MS
    async with db.read(heavy=True) as tx:
        members = await tx.fetchall(
            """SELECT m.user_id, u.timezone FROM class_member m
               JOIN "user" u ON u.user_id = m.user_id WHERE m.chat_id = ?""",
            (chat_id,),
        )
        progress = await tx.fetchall(
            """SELECT p.user_id, p.topic_id, p.stage_id, p.last_practised_at
               FROM class_member m JOIN user_progress p ON p.user_id = m.user_id
               WHERE m.chat_id = ? AND p.total_reps > 0""",
            (chat_id,),
        )
        # Finished sets of the window (the streak's days), from session_user_finished alone
        # (migration 0004: user and end time of the sets with answers). Pinned: unpinned,
        # SQLite read ~14,000 scattered session rows for the busiest class through
        # session_user_topic (cold, 450 ms on the 10M-answer file; BENCHMARKS.md).
        sets = await tx.fetchall(
            """SELECT s.user_id, s.end_time FROM class_member m
               JOIN session s INDEXED BY session_user_finished
                    ON s.user_id = m.user_id AND s.end_time >= ?2
               WHERE m.chat_id = ?1 AND s.end_time IS NOT NULL AND s.total_reps > 0""",
            (chat_id, since),
        )
    ends: dict[int, list[int]] = {}
    for user_id, end in sets:
        ends.setdefault(user_id, []).append(end)
    stages: dict[int, dict[int, int]] = {}
    last: dict[int, dict[int, int]] = {}
    for user_id, topic_id, stage_id, practised in progress:
        stages.setdefault(user_id, {})[topic_id] = stage_id
        if practised is not None:
            last.setdefault(user_id, {})[topic_id] = practised
    practice = {}
    for user_id, zone_name in members:
        days = streak_of_times(sorted(ends.get(user_id, ())), now_ms,
                               zone_name or default_zone)
        practice[user_id] = MemberPractice(
            user_id, stages.get(user_id, {}), last.get(user_id, {}), days,
            days >= STREAK_WINDOW_DAYS - 1,
        )
    return practice


async def topic_reps(
    db: Database, chat_id: int, span: Bounds | None
) -> dict[tuple[int, int], int]:
    """(member, topic) -> reps in the span, for the members × topics grid; span None is
    all time, read from user_progress as the board's all-time totals are."""
    async with db.read(heavy=True) as tx:
        if span is None:
            rows = await tx.fetchall(
                """SELECT p.user_id, p.topic_id, p.total_reps
                   FROM class_member m JOIN user_progress p ON p.user_id = m.user_id
                   WHERE m.chat_id = ? AND p.total_reps > 0""",
                (chat_id,),
            )
        else:
            # attempt_user_time carries the topic: each member's span is one run of the
            # index (as storage.classes' span totals read it).
            rows = await tx.fetchall(
                """SELECT a.user_id, a.topic_id, count(*)
                   FROM class_member m
                   JOIN attempt a INDEXED BY attempt_user_time
                        ON a.user_id = m.user_id AND a.answered_at >= ?2
                       AND a.answered_at < ?3
                   WHERE m.chat_id = ?1
                   GROUP BY a.user_id, a.topic_id""",
                (chat_id, span.start_ms, span.end_ms),
            )
    return {(r[0], r[1]): int(r[2]) for r in rows}


@dataclass(frozen=True)
class RecentSet:
    """One of a member's last sets."""

    topic_id: int
    level_id: int | None
    stage_id: int
    start_ms: int
    reps: int
    correct: int
    median_ms: float | None
    test_out: str | None


async def recent_member_sets(
    db: Database, chat_id: int, user_id: int, limit: int = 10
) -> tuple[str, list[RecentSet]] | None:
    """The member's board name and last finished sets, newest first; None if they are not
    a member of the class now."""
    async with db.read() as tx:
        member = await tx.fetchone(
            """SELECT coalesce(u.nickname, u.first_name) FROM class_member m
               JOIN "user" u ON u.user_id = m.user_id
               WHERE m.chat_id = ? AND m.user_id = ?""",
            (chat_id, user_id),
        )
        if member is None:
            return None
        rows = await tx.fetchall(
            """SELECT topic_id, difficulty_level_id, stage_id, start_time, total_reps,
                      correct_reps, median_response_time, test_out
               FROM session
               WHERE user_id = ? AND end_time IS NOT NULL AND total_reps > 0
               ORDER BY start_time DESC LIMIT ?""",
            (user_id, limit),
        )
    return member[0], [RecentSet(*tuple(r)) for r in rows]


@dataclass(frozen=True)
class WeekPoint:
    """One week of the class: every current member's answers in it."""

    start_ms: int
    reps: int
    active_members: int
    accuracy: float | None
    median_ms: float | None


async def weekly_trends(
    db: Database, chat_id: int, weeks: list[Bounds], topic_id: int | None
) -> list[WeekPoint]:
    """Reps, members who answered, accuracy and the true median time of each week (oldest
    first), over the class's current members."""
    points = []
    async with db.read(heavy=True) as tx:
        for week in weeks:
            span = (chat_id, week.start_ms, week.end_ms, topic_id)
            totals = await tx.fetchone(_WEEK_TOTALS, span)
            assert totals is not None
            reps, correct, active = int(totals[0]), int(totals[1]), int(totals[2])
            median = None
            if reps:
                # The middle answer, or the mean of the middle two when reps is even.
                middle = await tx.fetchall(_WEEK_MIDDLE, (*span, 2 - reps % 2, (reps - 1) // 2))
                median = sum(r[0] for r in middle) / len(middle)
            points.append(WeekPoint(week.start_ms, reps, active,
                                    correct / reps if reps else None, median))
    return points


# A week of the class's current members' answers, read from attempt_user_time alone (it
# carries the topic, the outcome and the time): counts in SQL, then the true median as a
# walk to the middle of the week's response times, sorted in SQL. (Reading the rows into
# Python for eight weeks of the busiest class took 400 ms; these take a tenth of it.)
_WEEK_SPAN = """FROM class_member m
JOIN attempt a INDEXED BY attempt_user_time
     ON a.user_id = m.user_id AND a.answered_at >= ?2 AND a.answered_at < ?3
    AND (CAST(?4 AS INTEGER) IS NULL OR a.topic_id = ?4)
WHERE m.chat_id = ?1"""
_WEEK_TOTALS = f"""SELECT count(*), coalesce(sum(a.correct), 0), count(DISTINCT a.user_id)
{_WEEK_SPAN}"""
_WEEK_MIDDLE = f"""SELECT a.response_ms {_WEEK_SPAN}
ORDER BY a.response_ms LIMIT ?5 OFFSET ?6"""
