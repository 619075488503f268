"""Generate a realistic DojoBot database: 100,000 learners, 10 million attempts over a year.

    .venv/bin/python -m benchmarks.make_big_db                       # benchmarks/data/big.sqlite3
    .venv/bin/python -m benchmarks.make_big_db --scale 0.01 --out /tmp/small.sqlite3

Seeded and deterministic. The schema comes from the project's own migrations, so the file
is what `dojobot run` would open. Every set holds 25 attempts; sessions, attempts and
user_progress agree with each other (reps, correct counts, stages at 1000 reps per stage,
times). Activity is heavy-tailed: a few learners practise a lot (user 1 is the heaviest,
for the /progress figures), most a little; the last 24 hours hold about 300,000 answers
(for `dojobot stats --since 24h`).

Sets are written in time order (session and attempt rowids follow time, as in a running
bot's file). Speed: secondary indexes are dropped during the load and rebuilt from the
migrations' own definitions afterwards; the load runs with journal_mode=OFF and
synchronous=OFF (only here), then the file is switched back to WAL.

Classes: 1,000 groups of 20-40 members drawn mostly from active learners (`fill_classes`);
class 1 holds the 40 heaviest learners, the worst case for an all-time board.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from dojobot.engine.problems import generate_problem
from dojobot.storage.db import SqliteDatabase
from dojobot.storage.migrator import migrate_up

END_MS = int(datetime(2026, 11, 25, tzinfo=UTC).timestamp() * 1000)
DAY_MS = 86_400_000
SET_SIZE = 25
STAGE_REPS = 1000  # the standard progression: 1000 reps per stage
TOPICS = {1: "add", 2: "sub", 3: "mul", 4: "div", 5: "mod", 6: "exp", 7: "root",
          8: "add_w_negatives", 9: "subtract_w_negatives"}
POOL = 400  # distinct problems per topic to draw questions from
USER_BASE = 100_000_000  # Telegram-like ids


def build_schema(path: Path) -> None:
    """A fresh file with every migration applied, exactly as the bot would create it."""
    if path.exists():
        path.unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)

    async def migrate() -> None:
        db = await SqliteDatabase.open(path)
        await migrate_up(db)
        await db.close()

    asyncio.run(migrate())


def problem_pools(seed: int) -> dict[int, list[tuple[str, str]]]:
    """Questions and answers per topic, drawn from the real generators."""
    rng = random.Random(seed)
    pools = {}
    for topic_id, code in TOPICS.items():
        items = []
        for i in range(POOL):
            p = generate_problem(code, 1 + i % 3, 101 + i % 5, rng)
            items.append((p.question, str(p.answer)))
        pools[topic_id] = items
    return pools


class Plan:
    """Every set (session) of the year: who, which topic and level, when, how well."""

    def __init__(self, learners: int, attempts: int, last_day: int, rng: np.random.Generator):
        sessions = attempts // SET_SIZE
        recent = min(sessions, last_day // SET_SIZE)
        older = sessions - recent
        # Heavy-tailed activity: lognormal weights; learner 0 (user 1) is the heaviest.
        weights = rng.lognormal(0.0, 1.6, learners)
        weights[0] = weights.max() * 1.5
        per_learner = np.maximum(1, np.floor(weights / weights.sum() * older)).astype(np.int64)
        # Trim or pad to exactly `older` sessions, keeping everyone at one set or more.
        diff = older - int(per_learner.sum())
        order = np.argsort(-per_learner)
        i = 0
        while diff != 0:
            j = order[i % learners]
            if diff > 0:
                per_learner[j] += 1
                diff -= 1
            elif per_learner[j] > 1:
                per_learner[j] -= 1
                diff += 1
            i += 1
        user = np.repeat(np.arange(learners), per_learner)
        # The last day: sets of learners picked by the same weights.
        user = np.concatenate([user, rng.choice(learners, recent, p=weights / weights.sum())])
        n = len(user)
        # Each learner has an active window in the year; a set's start is uniform in it.
        first = rng.uniform(0, 0.9, learners)
        last = np.minimum(1.0, first + rng.uniform(0.05, 1.0, learners))
        frac = rng.uniform(first[user], last[user])
        start = (END_MS - 365 * DAY_MS + frac * (365 * DAY_MS - DAY_MS)).astype(np.int64)
        if recent:
            start[-recent:] = END_MS - DAY_MS + rng.integers(0, DAY_MS - 600_000, recent)
        # Topics: a favourite and two others; levels: a favourite mostly.
        fav_topic = rng.integers(1, 10, learners)
        shift = rng.choice([0, 0, 0, 1, 1, 2], n)
        self.topic = ((fav_topic[user] - 1 + shift) % 9 + 1).astype(np.int64)
        fav_level = rng.choice([101, 101, 102, 102, 103, 104, 105], learners)
        self.level = np.where(rng.random(n) < 0.85, fav_level[user],
                              rng.integers(101, 106, n)).astype(np.int64)
        self.skill = rng.beta(18, 2, learners)  # a learner's chance of a right answer
        # Sort by (user, topic, start) to give each set its stage from the reps before it.
        idx = np.lexsort((start, self.topic, user))
        self.user, self.topic, self.level, self.start = user[idx], self.topic[idx], \
            self.level[idx], start[idx]
        key = self.user * 16 + self.topic
        new_group = np.r_[True, key[1:] != key[:-1]]
        group_id = np.cumsum(new_group) - 1
        position = np.arange(n) - np.flatnonzero(new_group)[group_id]
        self.stage = np.minimum(7, 1 + (position * SET_SIZE) // STAGE_REPS).astype(np.int64)
        # Write sets in time order, as a running bot does: rowids (and so table pages) follow
        # time, so the last day's answers sit together at the end of the attempt table.
        by_time = np.argsort(self.start, kind="stable")
        self.user, self.topic, self.level, self.start, self.stage = (
            self.user[by_time], self.topic[by_time], self.level[by_time], self.start[by_time],
            self.stage[by_time])
        self.n = n
        self.learners = learners


Rows = list[tuple[Any, ...]]  # heterogeneous rows, handed to sqlite3 as they are


def attempts_of(plan: Plan, lo: int, hi: int, pools: dict[int, list[tuple[str, str]]],
                rng: np.random.Generator) -> tuple[Rows, Rows]:
    """Session rows and attempt rows for sets lo..hi (session_id = index + 1)."""
    k = hi - lo
    user = plan.user[lo:hi]
    response = np.clip(rng.lognormal(np.log(2600), 0.5, (k, SET_SIZE)), 300, 60_000)
    response = response.astype(np.int64)
    answered = plan.start[lo:hi, None] + np.cumsum(response, axis=1)
    correct = rng.random((k, SET_SIZE)) < plan.skill[user][:, None]
    pick = rng.integers(0, POOL, (k, SET_SIZE))
    sessions: Rows = []
    rows: Rows = []
    medians = np.median(response, axis=1)
    for s in range(k):
        sid = lo + s + 1
        uid = int(user[s]) + USER_BASE
        topic = int(plan.topic[lo + s])
        stage = int(plan.stage[lo + s])
        pool = pools[topic]
        right = correct[s]
        times = response[s]
        at = answered[s]
        for j in range(SET_SIZE):
            question, expected = pool[pick[s, j]]
            given = expected if right[j] else expected + "1"
            rows.append((sid, uid, topic, stage, question, expected, given, int(right[j]),
                         int(times[j]), int(at[j])))
        n_right = int(right.sum())
        sessions.append((sid, uid, topic, stage, int(plan.level[lo + s]), int(plan.start[lo + s]),
                         int(at[-1]), SET_SIZE, n_right, int(times.sum()),
                         float(times.mean()), float(medians[s]), n_right / SET_SIZE,
                         int(at[-1]), sid))
    return sessions, rows


def chunks(n: int, size: int) -> Iterator[tuple[int, int]]:
    """(lo, hi) ranges covering 0..n."""
    for lo in range(0, n, size):
        yield lo, min(n, lo + size)


CLASSES = 1_000
CLASS_ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London")


def fill_classes(conn: sqlite3.Connection, learner_ids: list[int], rng: random.Random,
                 classes: int = CLASSES) -> None:
    """1,000 classes (Telegram groups) of 20-40 members each, in the tables of migration 0005.

    Members are drawn by the square root of their practice, so classes hold mostly active
    learners, and active learners often sit in several classes (as a pupil in a school class
    and a club). Class 1 is the worst case on purpose: the 40 heaviest learners of the file,
    so its all-time board reads the most attempts any class can.
    """
    reps = dict(conn.execute(
        "SELECT user_id, sum(total_reps) FROM user_progress GROUP BY user_id"
    ).fetchall())
    weights = [float(reps.get(uid, 0)) ** 0.5 for uid in learner_ids]
    heaviest = sorted(learner_ids, key=lambda uid: -reps.get(uid, 0))[:40]
    created = END_MS - 300 * DAY_MS
    groups = []
    members: list[tuple[int, int, int]] = []
    for i in range(1, classes + 1):
        chat_id = -(1_000_000_000 + i)
        period = rng.choices(("week", "month", "all"), (6, 2, 2))[0]
        topic = None if rng.random() < 0.8 else rng.randint(1, 4)
        at = created + rng.randrange(0, 200 * DAY_MS)
        groups.append((chat_id, f"Class {i}", CLASS_ZONES[i % len(CLASS_ZONES)], period, topic,
                       int(rng.random() < 0.7), at, at))
        if i == 1:
            chosen = set(heaviest)
        else:
            size = min(len(learner_ids), rng.randint(20, 40))
            chosen = set()
            while len(chosen) < size:
                chosen.update(rng.choices(learner_ids, weights, k=size - len(chosen)))
        members += [(chat_id, uid, at + rng.randrange(0, 7 * DAY_MS)) for uid in sorted(chosen)]
    conn.execute("BEGIN")
    conn.executemany(
        """INSERT INTO class_group (chat_id, title, timezone, period, topic_id, weekly_post,
               created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        groups,
    )
    conn.executemany(
        "INSERT INTO class_member (chat_id, user_id, joined_at) VALUES (?, ?, ?)", members
    )
    conn.execute("COMMIT")
    per_learner: dict[int, int] = {}
    for _, uid, _ in members:
        per_learner[uid] = per_learner.get(uid, 0) + 1
    several = sum(1 for n in per_learner.values() if n > 1)
    print(f"  {classes:,} classes, {len(members):,} memberships, {len(per_learner):,} learners "
          f"in a class, {several:,} in several", file=sys.stderr)


def generate(path: Path, learners: int, attempts: int, last_day: int, seed: int,
             classes: int = CLASSES) -> None:
    """Write the whole database; prints timings."""
    t0 = time.monotonic()
    build_schema(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN ('attempt', 'session', 'user_progress', 'user')"
    ).fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    rng = np.random.default_rng(seed)
    plan = Plan(learners, attempts, last_day, rng)
    pools = problem_pools(seed)
    print(f"planned {plan.n:,} sets in {time.monotonic() - t0:.1f} s", file=sys.stderr)

    first_seen = np.full(learners, END_MS, dtype=np.int64)
    np.minimum.at(first_seen, plan.user, plan.start)
    last_seen = np.zeros(learners, dtype=np.int64)
    np.maximum.at(last_seen, plan.user, plan.start + 25 * 60_000)
    conn.execute("BEGIN")
    conn.executemany(
        'INSERT INTO "user" (user_id, first_name, username, language_code, created_at,'
        " last_seen_at) VALUES (?, ?, ?, ?, ?, ?)",
        ((i + USER_BASE, f"Learner {i + 1}", f"learner{i + 1}" if i % 3 else None,
          ("en", "de", "ja", "es")[i % 4], int(first_seen[i]), int(last_seen[i]))
         for i in range(learners)),
    )
    conn.execute("COMMIT")

    progress: dict[tuple[int, int], list[int]] = {}
    for lo, hi in chunks(plan.n, 20_000):
        sessions, rows = attempts_of(plan, lo, hi, pools, rng)
        conn.execute("BEGIN")
        conn.executemany(
            """INSERT INTO session (session_id, user_id, topic_id, stage_id,
                   difficulty_level_id, start_time, end_time, total_reps, correct_reps,
                   total_response_ms, avg_response_time, median_response_time, accuracy,
                   problem_sent_at, last_message_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            sessions,
        )
        conn.executemany(
            """INSERT INTO attempt (session_id, user_id, topic_id, stage_id, question,
                   expected, given, correct, response_ms, answered_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )
        conn.execute("COMMIT")
        for s in sessions:
            # (user, topic) -> [total, correct, last answer, stage, reps in stage, stage start]
            key = (int(s[1]), int(s[2]))
            p = progress.setdefault(key, [0, 0, 0, 1, 0, int(s[5])])
            p[0] += SET_SIZE
            p[1] += int(s[8])
            p[2] = max(p[2], int(s[6]))
            if int(s[3]) > p[3]:
                p[3], p[4], p[5] = int(s[3]), 0, int(s[5])
            if int(s[3]) == p[3]:
                p[4] += SET_SIZE
        print(f"  {hi:,} sets, {hi * SET_SIZE:,} attempts, {time.monotonic() - t0:.0f} s",
              file=sys.stderr, flush=True)

    conn.execute("BEGIN")
    rows_p = []
    for (uid, topic), (total, right, last, stage, in_stage, stage_start) in progress.items():
        # An advancement due after the last set (its reps reached the requirement).
        if stage < 7 and in_stage >= STAGE_REPS:
            stage, in_stage, stage_start = stage + 1, 0, last
        rows_p.append((uid, topic, stage, in_stage, total, right, stage_start, last))
    conn.executemany(
        """INSERT INTO user_progress (user_id, topic_id, stage_id, reps_in_stage, total_reps,
               correct_reps, stage_started_at, last_practised_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        rows_p,
    )
    conn.execute("COMMIT")
    fill_classes(conn, [i + USER_BASE for i in range(learners)], random.Random(seed), classes)
    print(f"rebuilding {len(indexes)} indexes", file=sys.stderr, flush=True)
    for _name, sql in indexes:
        conn.execute(sql)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    size = path.stat().st_size
    print(f"done in {time.monotonic() - t0:.0f} s: {path} {size / 2**20:,.0f} MiB",
          file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="benchmarks/data/big.sqlite3")
    p.add_argument("--learners", type=int, default=100_000)
    p.add_argument("--attempts", type=int, default=10_000_000)
    p.add_argument("--last-day", type=int, default=300_000, help="answers in the last 24 h")
    p.add_argument("--classes", type=int, default=CLASSES)
    p.add_argument("--scale", type=float, default=1.0, help="multiply the four counts")
    p.add_argument("--seed", type=int, default=8)
    args = p.parse_args(argv)
    s = args.scale
    generate(Path(args.out), max(1, int(args.learners * s)), int(args.attempts * s),
             int(args.last_day * s), args.seed, max(1, int(args.classes * s)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
