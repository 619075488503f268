"""Helpers for maintainer-command tests: run `dojobot` in-process, write legacy exports."""

from __future__ import annotations

import asyncio
import io
import os
import random
import socket
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from dojobot.cli.main import main
from dojobot.storage.connect import opened
from dojobot.storage.db import Database

HEADER = (
    "id,user_id,module,current_level,total_reps,session_avg_response_time,created_at,updated_at"
)
# Every legacy module name, in mixed case and with path prefixes; all three levels.
GOOD_ROWS = [
    "1,u1,Addition,shu,100,1500,2024-01-01T10:00:00Z,2024-01-01T10:10:00Z",
    "2,u1,math/equations/Negatives-Addition,HA,50,1200.5,2024-01-02 10:00:00,2024-01-02 10:05:00",
    "3,u1,NEGATIVES-SUBTRACTION,Ri,40,900,2024-01-03T10:00:00+00:00,2024-01-03T10:04:00+00:00",
    "4,u2,Subtraction,ha,30,2000,1704276000000,1704276300000",
    "5,u2,arithmetic/MULTIPLICATION,shu,20,2500,1704362400,1704362700",
    "6,u2,Division,ri,10,3000,2024-01-05T10:00:00Z,2024-01-05T10:02:00Z",
    "7,u3,Modulus,shu,12,1800,2024-01-06T10:00:00Z,2024-01-06T10:02:00Z",
    "8,u3,Exponents,Ha,14,1700,2024-01-07T10:00:00Z,2024-01-07T10:02:00Z",
    "9,u3,math/Square-Roots,ri,16,1600,2024-01-08T10:00:00Z,2024-01-08T10:02:00Z",
    "10,u1,addition,Ri,60,1000,2024-01-09T10:00:00Z,2024-01-09T10:08:00Z",
    "17,u4,Addition,shu,5,1000,2024-01-10T10:00:00Z,2024-01-10T10:01:00Z",
]
BAD_ROWS = [
    "11,u3,geometry/angles,shu,5,1000,2024-01-06T10:00:00Z,2024-01-06T10:02:00Z",
    "12,u3,Addition,kyu,5,1000,2024-01-06T10:00:00Z,2024-01-06T10:02:00Z",
    "13,u3,addition",
    "2,u1,math/equations/Negatives-Addition,HA,50,1200.5,2024-01-02 10:00:00,2024-01-02 10:05:00",
    "14,u2,Addition,shu,-5,1000,2024-01-06T10:00:00Z,2024-01-06T10:02:00Z",
    "15,u2,Addition,shu,ten,1000,2024-01-06T10:00:00Z,2024-01-06T10:02:00Z",
    "16,u2,Addition,shu,10,1000,yesterday,2024-01-06T10:02:00Z",
]


def write_export(path: Path, rows: list[str]) -> Path:
    """A CSV export with the legacy header."""
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@dataclass
class Run:
    """A finished `dojobot` run."""

    code: int
    out: str
    err: str


class Cli:
    """`dojobot ...` in this process, against one database file."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, database: Path, **env: str) -> None:
        for key in [k for k in os.environ if k.startswith("DOJOBOT_")]:
            monkeypatch.delenv(key)
        monkeypatch.chdir(database.parent)
        monkeypatch.setenv("DOJOBOT_DATABASE_URL", f"sqlite:///{database}")
        for key, value in env.items():
            monkeypatch.setenv(f"DOJOBOT_{key.upper()}", value)

    def __call__(self, *args: str) -> Run:
        out, err = io.StringIO(), io.StringIO()
        old = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            code = main(list(args))
        finally:
            sys.stdout, sys.stderr = old
        return Run(code, out.getvalue(), err.getvalue())

    async def run_async(self, *args: str) -> Run:
        """For tests inside an event loop: the command runs its own loop in a thread."""
        return await asyncio.to_thread(self, *args)


async def migrated_cli(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str,
    fill: Callable[[Database], Awaitable[None]],
) -> Cli:
    """`dojobot` on the database at `url`, migrated by `dojobot migrate up`, then given
    `fill`'s rows (the same on each backend, so a report must not depend on the engine)."""
    cli = Cli(monkeypatch, tmp_path / "dojobot.sqlite3", database_url=url)
    assert (await cli.run_async("migrate", "up")).code == 0
    async with opened(url) as db:
        await fill(db)
    return cli


def one_error_line(run: Run) -> str:
    """A failed run's single stderr line."""
    assert run.code != 0, run.out
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert "Traceback" not in run.err
    return lines[0]



def free_port() -> int:
    """A TCP port nothing listens on right now, below the kernel's ephemeral range: a port
    the kernel hands out (bind to 0) is also what it gives the next outgoing connection, so
    a bot started a moment later could find it taken ("Address already in use")."""
    while True:
        port = random.randint(20_000, 32_000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
