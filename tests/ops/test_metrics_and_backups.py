"""/metrics and /healthz over HTTP, backups while the bot runs, restore refused until it stops."""

from __future__ import annotations

import logging
import sqlite3
import sys
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY

from dojobot.app import build_application
from dojobot.config import load_settings
from dojobot.ops.runtime import init_sentry
from dojobot.storage.migrator import available_migrations
from dojobot.transport.lifecycle import running
from telegram_standin import BotApiStandIn
from tests.support.cli import Cli, free_port, one_error_line
from tests.support.clock import FakeClock
from tests.support.dojo import dojo_settings, run_dojo
from tests.support.learner import current_question, open_addition_seedling, solve


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_and_healthz_over_http(
    standin: BotApiStandIn, tmp_path: Path, backend: str, migrated_url: str
) -> None:
    port = free_port()
    before = {
        "messages": sample("dojobot_updates_total", kind="message"),
        # A new database runs the scheduler flag at 100%: every set is in the fsrs arm.
        "right": sample("dojobot_answers_judged_total", result="correct", arm="fsrs"),
        "timed": sample("dojobot_answer_handling_seconds_count"),
        "403": sample("dojobot_telegram_api_errors_total", code="403"),
        "crash": sample("dojobot_handler_exceptions_total", kind="message"),
    }
    async with (
        run_dojo(standin, tmp_path / "dojobot.sqlite3", database_url=migrated_url,
                 metrics_port=port) as dojo,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
    ):
        app = dojo.app
        learner = await standin.user(801, "Mia")
        first = await open_addition_seedling(dojo, learner)
        _, _, question = current_question(first)
        await standin.send_text(learner, str(solve(question)))
        await standin.next_message(learner)
        # A failed send: counted by code, and the handler's exception is counted once.
        standin.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
        await standin.send_text(learner, "/help")
        await standin.settle()

        health = await http.get("/healthz")
        assert app.bot_data.settings is not None
        replica = app.bot_data.settings.replica_name
        role = "leader (single process)" if backend == "sqlite" else "leader"  # elected
        assert (health.status_code, health.text) == (
            200, f"ok\nreplica {replica}: {role}, database ok\n"
        )
        metrics = await http.get("/metrics")
        assert metrics.status_code == 200
        assert 'dojobot_answers_judged_total{arm="fsrs",result="correct"}' in metrics.text
        assert "dojobot_nudges_sent_total" in metrics.text
        assert "dojobot_nudges_failed_total" in metrics.text
        assert sample("dojobot_updates_total", kind="message") - before["messages"] == 3
        assert sample("dojobot_answers_judged_total", result="correct", arm="fsrs") - before[
            "right"] == 1
        assert sample("dojobot_answer_handling_seconds_count") - before["timed"] == 1
        assert sample("dojobot_telegram_api_errors_total", code="403") - before["403"] == 1
        assert sample("dojobot_handler_exceptions_total", kind="message") - before["crash"] == 1

        assert app.updater is not None
        await app.updater.stop()  # the update loop is gone: unhealthy
        health = await http.get("/healthz")
        assert (health.status_code, health.text) == (
            503, f"replica {replica}: update loop is not running\n"
        )
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as http:
            await http.get(f"http://127.0.0.1:{port}/healthz")


async def test_healthz_is_503_while_the_database_does_not_answer(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    port = free_port()
    path = tmp_path / "dojobot.sqlite3"
    settings = dojo_settings(standin, path, metrics_port=port, replica_name="bot-7")
    app = build_application(settings, clock=FakeClock())
    async with running(app), httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        assert (await http.get("/healthz")).status_code == 200
        # Another process takes the write lock and keeps it: no answer could be recorded.
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            health = await http.get("/healthz")
            assert (health.status_code, health.text) == (
                503, "replica bot-7: database is not answering (database is locked)\n"
            )
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert (await http.get("/healthz")).status_code == 200



async def test_backup_while_running_restore_only_when_stopped(
    standin: BotApiStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "dojobot.sqlite3"
    cli = Cli(monkeypatch, path)
    app = build_application(dojo_settings(standin, path), clock=FakeClock())
    async with running(app):
        learner = await standin.user(701, "Kai")
        await standin.send_text(learner, "/start")
        await standin.next_message(learner)
        run = await cli.run_async("backup", "copy.sqlite3")
        assert run.code == 0, run.err
        assert run.out.startswith(f"backed up {path} to copy.sqlite3 (")
        refused = await cli.run_async("restore", "copy.sqlite3")
        assert "a bot process is using" in one_error_line(refused)
        assert "already exists" in one_error_line(await cli.run_async("backup", "copy.sqlite3"))
    conn = sqlite3.connect(path)
    conn.execute('INSERT INTO "user" (user_id, first_name, created_at, last_seen_at) '
                 "VALUES (702, 'Later', 0, 0)")
    conn.commit()
    conn.close()
    run = cli("restore", "copy.sqlite3")
    assert run.code == 0, run.err
    assert f"(schema version {available_migrations()[-1].version})" in run.out
    saved = run.out.splitlines()[1].removeprefix("the replaced database was saved to ")
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute('SELECT user_id FROM "user"')] == [701]
    conn.close()
    conn = sqlite3.connect(saved)
    assert sorted(r[0] for r in conn.execute('SELECT user_id FROM "user"')) == [701, 702]
    conn.close()


def test_restore_checks_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = Cli(monkeypatch, tmp_path / "dojobot.sqlite3")
    assert cli("migrate", "up").code == 0
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE notes (x)")
    other.commit()
    other.close()
    (tmp_path / "garbage.bin").write_bytes(b"\x00\x01garbage" * 100)
    assert "is not a DojoBot database" in one_error_line(cli("restore", "other.db"))
    assert "is not a SQLite database" in one_error_line(cli("restore", "garbage.bin"))
    assert "does not exist" in one_error_line(cli("restore", "missing.db"))


def test_migrate_backs_up_before_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = Cli(monkeypatch, tmp_path / "dojobot.sqlite3")
    first = cli("migrate", "up", "--to", "2")
    assert "backup:" not in first.out  # a new, empty database has nothing to save
    up = cli("migrate", "up")
    assert up.out.startswith("backup: ")
    assert Path(up.out.splitlines()[0].removeprefix("backup: ")).exists()
    assert "backup:" not in cli("migrate", "up").out  # nothing to do, nothing written
    down = cli("migrate", "down", "--to", "2")
    assert down.out.startswith("backup: ")


def test_sentry_is_optional(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # as if not installed: import fails
    with caplog.at_level(logging.WARNING):
        assert init_sentry(load_settings()) is False
        assert caplog.records == []
        assert init_sentry(load_settings(sentry_dsn="https://key@sentry.example/1")) is False
    assert len(caplog.records) == 1
    assert "sentry-sdk is missing" in caplog.records[0].getMessage()
