"""`dojobot stats --json` against values computed by hand on a small fixture, on both engines."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from dojobot.storage.db import Database
from tests.support.cli import Cli, migrated_cli, one_error_line
from tests.support.db import execute

H = 3600 * 1000


@pytest.fixture
async def cli(
    empty_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Cli:
    return await migrated_cli(monkeypatch, tmp_path, empty_url, fill)


async def fill(db: Database) -> None:
    async def write(sql: str, *params: object) -> None:
        await execute(db, sql, params)

    now = time.time_ns() // 1_000_000
    for user in (1, 2, 3):
        await write('INSERT INTO "user" (user_id, first_name, created_at, last_seen_at) '
                    "VALUES (?, 'L', 0, 0)", user)
    # session id, user, start, reps, right, is_estimate, [(response_ms, correct)]
    sessions = [
        (1, 1, now - 1 * H, 4, 3, 0, [(1000, 1), (3000, 1), (2000, 0), (5000, 1)]),
        (2, 2, now - 2 * H, 2, 2, 0, [(1500, 1), (2500, 1)]),
        (3, 3, now - 72 * H, 3, 1, 0, [(100, 1), (200, 0), (300, 0)]),
        (4, 1, now - 720 * H, 100, 100, 1, []),  # an imported estimate: no answers
    ]
    for sid, user, start, reps, right, estimate, answers in sessions:
        await write(
            "INSERT INTO session (session_id, user_id, topic_id, stage_id, start_time, "
            "end_time, total_reps, correct_reps, accuracy, is_estimate) "
            "VALUES (?, ?, 1, 1, ?, ?, ?, ?, ?, ?)",
            sid, user, start, start + 60_000, reps, right, right / reps, estimate,
        )
        for n, (ms, correct) in enumerate(answers):
            await write(
                "INSERT INTO attempt (session_id, user_id, topic_id, stage_id, question, "
                "expected, given, correct, response_ms, answered_at) "
                "VALUES (?, ?, 1, 1, '1 + 1', '2', '2', ?, ?, ?)",
                sid, user, correct, ms, start + 1000 * (n + 1),
            )
    for user, topic, stage in [(1, 1, 1), (1, 2, 2), (2, 1, 2), (3, 1, 7)]:
        await write(
            "INSERT INTO user_progress (user_id, topic_id, stage_id, stage_started_at) "
            "VALUES (?, ?, ?, 0)", user, topic, stage,
        )


STAGES = {"hatsu": 1, "shu": 2, "kan": 0, "ha": 0, "toi": 0, "ri": 0, "ku": 1}


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        # 6 answers: 1000 1500 2000 2500 3000 5000 -> median (2000 + 2500) / 2; 5 of 6 right.
        ("24h", {"active_users": 2, "avg_accuracy": 0.8333, "p50_response_ms": 2250.0,
                 "total_sessions": 2, "total_reps": 6}),
        # 9 answers: 100 200 300 1000 1500 2000 2500 3000 5000 -> 1500; 6 of 9 right.
        ("7d", {"active_users": 3, "avg_accuracy": 0.6667, "p50_response_ms": 1500.0,
                "total_sessions": 3, "total_reps": 9}),
        # The imported estimate counts in sessions and reps, not in accuracy or p50.
        ("all", {"active_users": 3, "avg_accuracy": 0.6667, "p50_response_ms": 1500.0,
                 "total_sessions": 4, "total_reps": 109}),
    ],
)
async def test_stats_json(cli: Cli, window: str, expected: dict[str, object]) -> None:
    run = await cli.run_async("stats", "--since", window, "--json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert {k: data[k] for k in expected} == expected
    assert data["stage_distribution"] == STAGES
    assert list(data["stage_distribution"]) == list(STAGES)
    assert data["estimates"]["sessions"] == (1 if window == "all" else 0)
    assert "exclude them" in data["estimates"]["treatment"]


async def test_stats_text_and_bad_window(cli: Cli) -> None:
    run = await cli.run_async("stats")
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        "DojoBot KPIs, last 24h",
        "Active users: 2",
        "Mean accuracy: 83.3% (over 6 answers)",
        "p50 response: 2.2 s (2250 ms)",
        "Sessions: 2",
        "Reps: 6",
        "Learners per stage: hatsu 1 · shu 2 · kan 0 · ha 0 · toi 0 · ri 0 · ku 1",
    ]
    assert "Imported estimates: 1 sessions, 100 reps" in (
        await cli.run_async("stats", "--since", "all")
    ).out
    bad = await cli.run_async("stats", "--since", "1w")
    assert "use a window like 24h, 7d or all" in one_error_line(bad)
