"""The answer-path benchmark still runs and its accounting balances (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_answer_path_driver_accounts_for_every_answer(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.answer_path", "--ns", "2",
         "--duration", "1", "--warmup", "0.3", "--rounds", "1", "--json", str(out)],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    dojo, echo = report["accounting"]["dojo"], report["accounting"]["echo"]
    assert dojo["answers_sent"] > 0
    assert echo["answers_sent"] > 0
    assert dojo["answers_sent"] == dojo["replies"] == dojo["attempt_rows"]
    assert echo["answers_sent"] == echo["replies"]
    summaries = {s["bot"]: s for s in report["summaries"]}
    assert summaries["dojo"]["lost"] == summaries["echo"]["lost"] == 0
    assert summaries["dojo"]["not_committed"] == 0
    assert summaries["dojo"]["checked_commits"] > 0
    assert summaries["dojo"]["api_calls_per_answer"] >= 1.0
    assert report["bot_exit_codes"] == {"dojo": 0, "echo": 0}


def test_crowded_classroom_driver_runs_and_counts_every_chart(tmp_path: Path) -> None:
    out = tmp_path / "crowded.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.crowded_classroom", "--quiet", "2", "--flood", "2",
         "--practising", "2", "--burst", "3", "--json", str(out)],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (run,) = json.loads(out.read_text())["runs"]
    assert run["exit_code"] == 0
    assert run["charts_during_flood"] >= run["progress_sent"] > 0  # one chart per /progress
    assert run["latency_quiet"]["answers"] > 0
    assert run["stored_minus_true"]["quiet"]["answers"] > 0  # stored times were compared
