"""`dojobot stats --by-flag scheduler` against values computed by hand, on both engines;
and the gap next-day recall counts, as the running bot records it."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from pathlib import Path

import pytest

from dojobot.engine.facts import fact_of
from dojobot.engine.flags import SCHEDULER
from dojobot.engine.recall import wilson_interval
from dojobot.engine.stats import histogram_median, median
from dojobot.storage import flags
from dojobot.storage.db import Database
from tests.support.classes import practise
from tests.support.cli import Cli, migrated_cli, one_error_line
from tests.support.db import execute, fetchall
from tests.support.dojo import Dojo

H = 3600 * 1000


@pytest.fixture
async def cli(
    empty_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Cli:
    return await migrated_cli(monkeypatch, tmp_path, empty_url, fill)


async def fill(db: Database) -> None:
    now = time.time_ns() // 1_000_000
    # Learner 2 is quick: their pace is 1 s (the others' the default 3 s).
    for user, pace in ((1, 3000), (2, 1000), (3, 3000)):
        await execute(db, 'INSERT INTO "user" (user_id, first_name, created_at, last_seen_at, '
                          "pace_ms) VALUES (?, 'L', 0, 0, ?)", (user, pace))
    # set, learner, arm, started, [(response ms, right, ms since the fact's last answer)]
    sets: list[tuple[int, int, str | None, int, list[tuple[int, int, int | None]]]] = [
        (1, 1, "leitner", now - 1 * H, [(1000, 1, 25 * H), (4000, 1, 30 * H), (2000, 0, 21 * H),
                                        (1500, 1, 1 * H), (2500, 1, None)]),
        (2, 2, "fsrs", now - 2 * H, [(1200, 1, 48 * H), (800, 1, 20 * H), (900, 1, 19 * H)]),
        (3, 3, None, now - 3 * H, [(3000, 0, None)]),
        (4, 1, "fsrs", now - 72 * H, [(500, 1, 30 * H)]),
    ]
    for sid, user, arm, start, answers in sets:
        await execute(db, "INSERT INTO session (session_id, user_id, topic_id, stage_id, "
                          "start_time, end_time, total_reps, correct_reps, scheduler_arm) "
                          "VALUES (?, ?, 1, 1, ?, ?, ?, ?, ?)",
                      (sid, user, start, start + 60_000, len(answers),
                       sum(a[1] for a in answers), arm))
        for n, (ms, right, since) in enumerate(answers):
            await execute(db, "INSERT INTO attempt (session_id, user_id, topic_id, stage_id, "
                              "question, expected, given, correct, response_ms, answered_at, "
                              "since_last_ms) VALUES (?, ?, 1, 1, '1 + 1', '2', '2', ?, ?, ?, ?)",
                          (sid, user, right, ms, start + 1000 * (n + 1), since))


def recall(recalled: int, reviews: int) -> dict[str, object]:
    interval = wilson_interval(recalled, reviews)
    assert interval is not None
    return {"share": round(recalled / reviews, 4), "ci95": [round(x, 4) for x in interval],
            "recalled": recalled, "reviews": reviews}


def test_the_wilson_interval() -> None:
    """Against published values (Newcombe 1998, table I: 1 of 3, 0 of 10... here to 4 places)."""
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(1, 3) or (0, 0)
    assert (round(low, 4), round(high, 4)) == (0.0615, 0.7923)
    low, high = wilson_interval(0, 10) or (0, 0)
    assert (round(low, 4), round(high, 4)) == (0.0, 0.2775)


async def test_stats_by_flag_json(cli: Cli) -> None:
    run = await cli.run_async("stats", "--by-flag", "scheduler", "--json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert (data["flag"], data["control"], data["treatment"], data["window"]) == (
        "scheduler", "leitner", "fsrs", "24h"
    )
    assert list(data["arms"]) == ["leitner", "fsrs", "none"]
    leitner, fsrs, none = data["arms"].values()
    # Reviews: 25 h (right, 1 s: recalled), 30 h (right, 4 s > the 3 s pace), 21 h (wrong);
    # 1 h and a first answer are no reviews.
    assert leitner == {"active_users": 1, "total_sessions": 1, "total_reps": 5, "answers": 5,
                       "avg_accuracy": 0.8, "p50_response_ms": 2000.0,
                       "next_day_recall": recall(1, 3)}
    # 48 h but 1.2 s, slower than this learner's 1 s; exactly 20 h counts; 19 h does not.
    assert fsrs == {"active_users": 1, "total_sessions": 1, "total_reps": 3, "answers": 3,
                    "avg_accuracy": 1.0, "p50_response_ms": 900.0,
                    "next_day_recall": recall(1, 2)}
    assert none["answers"] == 1
    assert none["next_day_recall"] == {"share": None, "ci95": None, "recalled": 0, "reviews": 0}

    week = json.loads((await cli.run_async("stats", "--by-flag", "scheduler", "--since", "7d",
                                           "--json")).out)
    assert week["arms"]["fsrs"]["active_users"] == 2
    assert week["arms"]["fsrs"]["p50_response_ms"] == 850.0
    assert week["arms"]["fsrs"]["next_day_recall"] == recall(2, 3)


async def test_stats_by_flag_text_and_bad_flag(cli: Cli) -> None:
    run = await cli.run_async("stats", "--by-flag", "scheduler")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[:7] == [
        "DojoBot KPIs by scheduler arm, last 24h",
        "scheduler = leitner (control)",
        "  Active users: 1",
        "  Sets: 1 · Reps: 5",
        "  Mean accuracy: 80.0% (over 5 answers)",
        "  p50 response: 2.0 s (2000 ms)",
        "  Next-day recall: 33.3% (95% CI 6.1%-79.2%, 1 of 3 reviews)",
    ]
    assert "scheduler = fsrs (treatment)" in lines
    assert "scheduler = none (sets from before flags)" in lines
    assert ("  Next-day recall: no reviews yet (none asked 20 h or more after the fact's last "
            "answer)") in lines
    bad = await cli.run_async("stats", "--by-flag", "sheduler")
    assert "--by-flag: unknown flag 'sheduler'; known flags: scheduler" in one_error_line(bad)
    assert bad.code == 2


async def test_each_answer_records_the_gap_since_the_facts_last_answer(dojo: Dojo) -> None:
    # The Leitner arm asks yesterday's facts again the next day (FSRS spaces right answers
    # further): some answers have a gap of a day.
    await flags.turn_off(dojo.db, SCHEDULER, dojo.clock())
    learner = await dojo.standin.user(7301, "Ida")
    await practise(dojo, learner, [(True, 1500)] * 6)
    dojo.clock.advance(25 * H)  # yesterday's facts are due: the set asks them again
    # All but the last of its 25: the set's order is shuffled, and with 10 answered none of
    # the six came up in about one run in 35.
    await practise(dojo, learner, [(True, 1500)] * 24)
    rows = await fetchall(dojo.db, "SELECT question, answered_at, since_last_ms FROM attempt "
                                   "WHERE user_id = ? ORDER BY answered_at", (learner.id,))
    last: dict[str, int] = {}
    for question, at, since in rows:
        assert fact_of("add", question) is not None  # Hatsu addition: every problem a fact
        assert since == (at - last[question] if question in last else None), question
        last[question] = at
    assert any(since is not None and since >= 21 * H for _, _, since in rows)


def test_the_median_from_a_histogram_is_the_true_median() -> None:
    rng = random.Random(7)
    for _ in range(500):
        values = [rng.randrange(20) for _ in range(rng.randrange(1, 30))]
        assert histogram_median(sorted(Counter(values).items())) == median(values), values
    assert histogram_median([]) is None
