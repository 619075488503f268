"""Progress of long commands: a bar on a terminal, a plain line off one, silence when quick."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pytest

from dojobot.cli import progress as progress_module
from dojobot.cli.progress import Progress, progress
from dojobot.storage.migrator import available_migrations
from tests.support.cli import GOOD_ROWS, Cli, write_export

LATEST = available_migrations()[-1].version


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_off_a_terminal_each_tick_is_one_plain_line() -> None:
    log, clock = io.StringIO(), Clock()
    shown = Progress("import-legacy", 100_000, "rows", stream=log, clock=clock)
    assert shown.every_s == 5.0
    shown.update(20_000)
    shown.tick()
    assert log.getvalue() == ""  # the first second stays quiet
    clock.now += 5
    shown.tick()
    clock.now += 5
    shown.update(45_000)
    shown.tick()
    clock.now += 1.4
    shown.finish(ok=True)
    assert log.getvalue().splitlines() == [
        "import-legacy: 20,000/100,000 rows (20%), 5 s",
        "import-legacy: 45,000/100,000 rows (45%), 10 s",
        "import-legacy: 100,000/100,000 rows (100%), 11 s done",
    ]
    assert "\r" not in log.getvalue()


def test_on_a_terminal_the_bar_is_redrawn_in_place() -> None:
    tty, clock = Terminal(), Clock()
    shown = Progress("backup", 200, "MB", stream=tty, clock=clock, poll=lambda: 50)
    assert shown.every_s == 0.2
    clock.now += 2
    shown.tick()
    assert tty.getvalue() == "\r\x1b[Kbackup [######------------------] 50/200 MB (25%), 2 s"
    shown.finish(ok=False)  # a failed command leaves the bar where it stopped
    assert tty.getvalue().endswith("2 s\n")


def test_unknown_total_shows_the_count_and_time() -> None:
    log, clock = io.StringIO(), Clock()
    shown = Progress("migrate up", None, "migrations", stream=log, clock=clock)
    clock.now += 7
    shown.update(1)
    shown.tick()
    assert log.getvalue() == "migrate up: 1 migrations, 7 s\n"


def test_a_quick_command_shows_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    log = Terminal()
    with progress("stats", 10, "steps", stream=log) as shown:
        shown.update(10)
    assert log.getvalue() == ""  # done within DELAY_S: not a sign of life needed
    monkeypatch.setattr(progress_module, "DELAY_S", 0.0)
    monkeypatch.setattr(progress_module, "TERMINAL_EVERY_S", 0.001)
    ticked, polled = Terminal(), threading.Event()

    def poll() -> int:
        polled.set()
        return 2

    with progress("backup", 4, "MB", stream=ticked, poll=poll):
        assert polled.wait(timeout=30)  # the background thread draws without being asked
    assert ticked.getvalue().startswith("\r\x1b[Kbackup [############------------] 2/4 MB")
    assert ticked.getvalue().endswith("4/4 MB (100%), 0 s done\n")


def test_long_commands_report_their_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_module, "DELAY_S", 0.0)  # every command counts as long here
    cli = Cli(monkeypatch, tmp_path / "dojobot.sqlite3")

    def last_line(err: str) -> str:
        return re.sub(r", \d+ s done$", ", N s done", err.splitlines()[-1])

    up = cli("migrate", "up")
    assert last_line(up.err) == f"migrate up: {LATEST}/{LATEST} applied (100%), N s done"
    export = write_export(tmp_path / "practice_sessions.csv", GOOD_ROWS)
    imported = cli("import-legacy", str(export))
    assert imported.code == 0, imported.err
    assert last_line(imported.err) == "import-legacy: 11/11 rows (100%), N s done"
    backup = cli("backup", "copy.sqlite3")
    assert backup.code == 0, backup.err
    assert re.fullmatch(r"backup: \d+ MB, N s done", last_line(backup.err))
    down = cli("migrate", "down", "--to", "3")
    assert down.code == 0, down.err
    assert last_line(down.err) == (
        f"migrate down (one transaction): {LATEST - 3} rolled back, N s done"
    )
