"""Every SQL statement of the package, planned on a file without statistics and with them.

A running bot's file never gets ANALYZE, and one query (the stage window) walked the wrong
index for 297 ms a call on it. So every statement written in src/dojobot (string literals
and f-strings whose parts are module constants) is planned with EXPLAIN QUERY PLAN twice:
on a freshly migrated file, and on the same schema carrying the statistics ANALYZE wrote
for the 10-million-answer benchmark file (benchmarks/make_big_db.py). The test fails if
either plan scans the whole `attempt` table or index, or if the two plans use different
indexes: then a file's history, not the code, would choose the plan.
"""

from __future__ import annotations

import ast
import importlib
import re
import sqlite3
from pathlib import Path

import pytest

import dojobot
from dojobot.storage.db import SqliteDatabase
from dojobot.storage.migrator import migrate_up

PACKAGE = Path(dojobot.__file__).parent
SQL = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH|REPLACE)\s")  # keywords in capitals
# sqlite_stat1 of benchmarks/data/big.sqlite3 (make_big_db.py, seed 8): 10M attempts,
# 100,000 learners, 400,000 sets, 1,000 classes.
BIG_FILE_STATS = (
    ("attempt", "attempt_topic_time", "10000000 1111112 1"),
    ("attempt", "attempt_user_response", "10000000 100 1 1"),
    ("attempt", "attempt_user_time", "10000000 100 1 1 1 1 1"),
    ("class_group", "class_group_weekly", "1000 500 500"),
    ("class_member", "class_member", "30019 31 1"),
    ("class_member", "class_member_user", "30019 2"),
    ("session", "session_start", "400000 1"),
    ("session", "session_user_finished", "400000 4 1"),
    ("session", "session_user_topic", "400000 4 3 1"),
    ("user", None, "100000"),
    ("user_progress", "user_progress", "146988 2 1"),
)


def module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def statement_text(node: ast.expr, namespace: dict[str, object]) -> str | None:
    """The SQL of a literal, or of an f-string whose parts are module constants (an
    unknown part, such as an optional condition or a list of placeholders, is left out)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return None
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value))
        elif isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name) \
                and isinstance(namespace.get(value.value.id), str):
            parts.append(str(namespace[value.value.id]))
    return "".join(parts)


def statements() -> list[tuple[str, str]]:
    """(where, sql) for every statement written in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        namespace = vars(importlib.import_module(module_of(path)))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parts = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for owner, node in owned_nodes(tree):
            if isinstance(node, ast.Constant | ast.JoinedStr) and id(node) not in parts:
                sql = statement_text(node, namespace)
                if sql and SQL.match(sql):
                    found.append((f"{path.relative_to(PACKAGE)}:{owner}", sql))
    # A function with several statements numbers them, so every test id stays unique and
    # stable when lines move.
    seen: dict[str, int] = {}
    for i, (where, sql) in enumerate(found):
        seen[where] = seen.get(where, 0) + 1
        found[i] = (f"{where}#{seen[where]}", sql)
    return found


def owned_nodes(tree: ast.Module) -> list[tuple[str, ast.AST]]:
    """Every node with the name of the function (or "module") it is written in."""
    owned: list[tuple[str, ast.AST]] = []

    def visit(node: ast.AST, owner: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                visit(child, child.name if owner == "module" else f"{owner}.{child.name}")
            else:
                owned.append((owner, child))
                visit(child, owner)

    visit(tree, "module")
    return owned


# Files whose statements the check cannot plan, and statements (by their text), each with
# the reason it needs no check.
NOT_PLANNED = {
    "storage/backup.py": "reads the old app's practice_sessions table of a file being imported",
    "storage/migrator.py": "migration scripts, and schema_migration rows keyed by version",
    "storage/dialect.py": "PostgreSQL's bookkeeping check, not SQLite's",
    "storage/leadership.py": "PostgreSQL's advisory locks of the leader election, no table",
    "UPDATE class_group SET , updated_at = ? WHERE chat_id = ?":
        "SET list built from arguments; keyed by the primary key chat_id",
    # /forgetme deletes a learner's answers through attempt_user_time or _response: both
    # begin with user_id, so either reads exactly this learner's rows.
    "DELETE FROM attempt WHERE user_id = ?1":
        "either attempt index starting with user_id serves the erasure",
    "SELECT t.*, CASE WHEN t.reps > 0 THEN\n    (SELECT avg(x.response_ms) FROM () x) END\n"
    "FROM () t": "class medians in one statement: the totals and a middle walk put together, "
                 "each planned on its own",
}
STATEMENTS = [
    (where, sql) for where, sql in statements()
    if sql not in NOT_PLANNED and where.split(":")[0] not in NOT_PLANNED
]


def plan(conn: sqlite3.Connection, sql: str) -> list[str]:
    """The plan's lines; every parameter bound to NULL (plans do not depend on values)."""
    # A template's {name} (storage fills it with str.format: a column, an expression) is
    # planned as a parameter: the plan does not depend on the value either.
    sql = re.sub(r"\{\w+\}", "?9", sql)
    names = re.findall(r"[:@$](\w+)", sql)
    params: dict[str, None] | tuple[None, ...] = dict.fromkeys(names) if names else ()
    try:
        rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    except sqlite3.ProgrammingError as exc:  # "... uses 3, and there are 0 supplied."
        uses = re.search(r"uses (\d+)", str(exc))
        if uses is None:
            raise
        rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}", (None,) * int(uses[1])).fetchall()
    return [row[3] for row in rows]


def indexes(lines: list[str]) -> list[str]:
    return sorted(re.findall(r"INDEX (\w+)", " ".join(lines)))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[sqlite3.Connection, ...]:
    """A freshly migrated file, and a copy carrying the big file's statistics."""
    import asyncio

    folder = tmp_path_factory.mktemp("plans")

    async def migrated(path: Path) -> None:
        db = await SqliteDatabase.open(path)
        await migrate_up(db)
        await db.close()

    fresh, analysed = folder / "fresh.sqlite3", folder / "analysed.sqlite3"
    asyncio.run(migrated(fresh))
    asyncio.run(migrated(analysed))
    conn = sqlite3.connect(analysed)
    conn.execute("ANALYZE")  # creates sqlite_stat1
    conn.execute("DELETE FROM sqlite_stat1")
    conn.executemany("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", BIG_FILE_STATS)
    conn.commit()
    conn.close()
    return sqlite3.connect(fresh), sqlite3.connect(analysed)  # the statistics load on open


def test_every_statement_is_found() -> None:
    where = {w.split(":")[0] for w, _ in STATEMENTS}
    assert {"storage/practice.py", "storage/classes.py", "storage/kpis.py"} <= where
    assert len(STATEMENTS) > 80


@pytest.mark.parametrize(("where", "sql"), STATEMENTS, ids=[w for w, _ in STATEMENTS])
def test_plan_is_the_same_with_and_without_statistics(
    files: tuple[sqlite3.Connection, ...], where: str, sql: str
) -> None:
    fresh, analysed = files
    without, with_stats = plan(fresh, sql), plan(analysed, sql)
    for lines in (without, with_stats):
        scans = [line for line in lines if re.match(r"SCAN attempt\b", line)]
        assert scans == [], f"{where} reads all of attempt: {lines}"
    assert indexes(without) == indexes(with_stats), (
        f"{where}: the plan depends on statistics:\n  without: {without}\n  with: {with_stats}"
    )
