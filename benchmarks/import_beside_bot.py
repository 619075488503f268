"""How long a running bot's write waits while `dojobot import-legacy` runs.

    .venv/bin/python -m benchmarks.import_beside_bot                 # 100,000 rows
    .venv/bin/python -m benchmarks.import_beside_bot --rows 20000
    .venv/bin/python -m benchmarks.import_beside_bot --pythonpath /tmp/before/src

The real command runs as a subprocess (`--pythonpath` runs another checkout's code, for a
before/after in the same run) on a fresh migrated database; beside it a "bot" connection
takes the write lock again and again (BEGIN IMMEDIATE; ROLLBACK, 20 ms apart, waiting up
to 60 s), as an answer's transaction would. Reported: the import's wall time, and how long
those lock waits took (p50, p99, max): the longest is what one answer would have waited.
A bot waits at most 5 s (busy_timeout) before its answer fails.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.common import percentile

HEADER = (
    "id,user_id,module,current_level,total_reps,session_avg_response_time,created_at,updated_at"
)
MODULES = ("Addition", "Subtraction", "Multiplication", "Division", "Exponents")


def write_export(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for n in range(rows):
            day = 1_704_067_200 + n * 60
            out.write(f"{n},u{n % 5000},{MODULES[n % 5]},shu,{10 + n % 50},1500,{day},"
                      f"{day + 300}\n")


def dojobot(args: list[str], database: Path, pythonpath: str | None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOJOBOT_")}
    env["DOJOBOT_DATABASE_URL"] = f"sqlite:///{database}"
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return subprocess.Popen([sys.executable, "-m", "dojobot.cli.main", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pythonpath", default=None, help="run this checkout's src instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database, export = Path(folder) / "db.sqlite3", Path(folder) / "export.csv"
        write_export(export, args.rows)
        up = dojobot(["migrate", "up"], database, args.pythonpath)
        assert up.wait() == 0, up.communicate()
        waits: list[float] = []
        failed = 0
        stop = threading.Event()

        def bot() -> None:
            nonlocal failed
            conn = sqlite3.connect(database, timeout=60, isolation_level=None)
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute("ROLLBACK")
                except sqlite3.OperationalError:
                    failed += 1
                waits.append((time.perf_counter() - started) * 1000)
                time.sleep(0.02)
            conn.close()

        thread = threading.Thread(target=bot)
        thread.start()
        started = time.perf_counter()
        run = dojobot(["import-legacy", str(export)], database, args.pythonpath)
        out, err = run.communicate()
        elapsed = time.perf_counter() - started
        stop.set()
        thread.join()
        assert run.returncode == 0, err
        imported = next(line for line in out.splitlines() if line.startswith("imported:"))
    print(f"rows: {args.rows:,}; code: {args.pythonpath or 'this checkout'}")
    print(f"import wall time: {elapsed:.1f} s ({imported})")
    print(f"bot lock waits during it: n={len(waits)}, p50 {percentile(waits, 50):.1f} ms, "
          f"p99 {percentile(waits, 99):.1f} ms, max {max(waits):.0f} ms; "
          f"over 5 s (an answer lost): {sum(w > 5000 for w in waits)}")


if __name__ == "__main__":
    main()
