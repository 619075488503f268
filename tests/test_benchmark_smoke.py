"""The answer-path benchmark still runs and its accounting balances (no timing asserted)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks import data_scale, flag_kpis, load_postgres, make_big_db

from tests.support.postgres import cluster_url

ROOT = Path(__file__).resolve().parents[1]


def run_benchmark(module: str, out: Path, *options: str) -> dict[str, Any]:
    """`python -m benchmarks.<module> <options> --json <out>` from the checkout; its report."""
    # Its own process group: a benchmark that overruns is ended with the bots it started,
    # which a plain timeout would leave running (seen on a loaded machine).
    with subprocess.Popen(
        [sys.executable, "-m", f"benchmarks.{module}", *options, "--json", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
        start_new_session=True,
    ) as driver:
        try:
            output, _ = driver.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(driver.pid, signal.SIGKILL)
            output, _ = driver.communicate()
    assert driver.returncode == 0, output
    report: dict[str, Any] = json.loads(out.read_text())
    return report


@contextmanager
def small_file_and_postgres_copy(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A tiny generated file (20,000 answers, 2 classes) and its copy in a fresh PostgreSQL
    database (by URL), dropped afterwards."""
    import asyncpg

    server = cluster_url()
    source = tmp_path / "small.sqlite3"
    make_big_db.generate(source, 200, 20_000, 600, seed=8, classes=2)
    name = f"smoke_{uuid.uuid4().hex[:12]}"
    url = asyncio.run(load_postgres.load(source, server, name))
    try:
        yield source, url
    finally:
        async def drop() -> None:
            admin = await asyncpg.connect(server)
            await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
            await admin.close()

        asyncio.run(drop())


def test_answer_path_driver_accounts_for_every_answer(tmp_path: Path) -> None:
    report = run_benchmark("answer_path", tmp_path / "report.json", "--ns", "2",
                           "--duration", "1", "--warmup", "0.3", "--rounds", "1")
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
    (run,) = run_benchmark("crowded_classroom", tmp_path / "crowded.json", "--quiet", "2",
                           "--flood", "2", "--practising", "2", "--burst", "3")["runs"]
    assert run["exit_code"] == 0
    assert run["charts_during_flood"] >= run["progress_sent"] > 0  # one chart per /progress
    assert run["latency_quiet"]["answers"] > 0
    assert run["stored_minus_true"]["quiet"]["answers"] > 0  # stored times were compared


def test_chat_flood_driver_runs_and_the_flooder_is_cut_short(tmp_path: Path) -> None:
    (run,) = run_benchmark("chat_flood", tmp_path / "flood.json", "--quiet", "2", "--flood",
                           "3", "--practising", "2", "--flood-updates", "300")["runs"]
    assert run["exit_code"] == 0
    assert run["flooder_notes"] == 1  # past CHAT_BACKLOG: dropped, with one note
    assert run["latency_quiet"]["answers"] > 0


def test_chat_flood_driver_runs_on_postgresql(tmp_path: Path) -> None:
    (run,) = run_benchmark("chat_flood", tmp_path / "flood.json", "--quiet", "2", "--flood",
                           "3", "--practising", "2", "--flood-updates", "300",
                           "--database-url", cluster_url())["runs"]
    assert run["database"] == "postgresql"
    assert run["exit_code"] == 0
    assert run["flooder_notes"] == 1
    assert run["stored_minus_true"]["quiet"]["answers"] > 0  # read back from PostgreSQL


def test_heavy_work_driver_fills_and_measures_postgresql(tmp_path: Path) -> None:
    (run,) = run_benchmark("heavy_work", tmp_path / "heavy.json", "--quiet", "2", "--heavy",
                           "1", "--practising", "2", "--answers", "3000", "--members", "5",
                           "--boards", "1", "--database-url", cluster_url())["runs"]
    assert run["exit_code"] == 0
    assert set(run["heavy_steps_s"]) == {"/mydata", "/forgetme (Delete)", "/board chart 1",
                                         "/board export 1"}
    assert run["latency_heavy"]["answers"] > 0


def test_closed_loop_driver_answers_every_learner(tmp_path: Path) -> None:
    (run,) = run_benchmark("closed_loop", tmp_path / "loop.json", "--runs", "1",
                           "--duration", "3", "--learners", "4", "--busy", "1")["runs"]
    assert run["exit_code"] == 0
    assert run["learner_errors"] == []
    assert run["learners_without_a_reply_at_the_end"] == 0
    assert run["replies"] > 4  # each learner's set, and answers in it


def test_data_scale_measures_a_postgresql_copy_of_the_generated_file(tmp_path: Path) -> None:
    # Tiny (20,000 answers, 2 classes), boards only, no cache drops or server restarts: the
    # loader's COPY and data_scale's PostgreSQL target run; the figures are not looked at.
    out = tmp_path / "scale.json"
    with small_file_and_postgres_copy(tmp_path) as (source, url):
        code = data_scale.main(["--database-url", url, "--quick", "--boards-only", "--no-cold",
                                "--json", str(out)])
    assert code == 0
    report = json.loads(out.read_text())
    assert report["engine"] == "postgresql"
    assert report["bytes"]["attempts"] == 20_000  # every generated answer was copied
    with sqlite3.connect(source) as conn:
        (worst,) = conn.execute(
            "SELECT count(*) FROM class_member m JOIN attempt a ON a.user_id = m.user_id"
            " WHERE m.chat_id = -1000000001").fetchone()
    assert report["class_board"]["worst_class_attempts"] == worst > 0


def test_flag_kpis_agree_on_both_engines(tmp_path: Path) -> None:
    # A tiny file (20,000 answers) and its PostgreSQL copy, each made to look like a week at
    # 50% and measured once: the two engines must count the same arms, answers and reviews.
    reports = []
    with small_file_and_postgres_copy(tmp_path) as (source, url):
        for target in (["--db", str(source)], ["--database-url", url]):
            out = tmp_path / "flags.json"
            assert flag_kpis.main([*target, "--no-cold", "--repeats", "1",
                                   "--json", str(out)]) == 0
            reports.append(json.loads(out.read_text()))
    sqlite_report, postgres_report = reports
    for window in ("kpis_by_arm_24h", "kpis_by_arm_7d"):
        assert sqlite_report[window]["arms"] == postgres_report[window]["arms"]
    week = sqlite_report["kpis_by_arm_7d"]["arms"]
    assert week["leitner"]["answers"] > 0
    assert week["fsrs"]["answers"] > 0
