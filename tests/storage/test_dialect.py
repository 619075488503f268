"""Queries are written once with `?`; PostgreSQL gets them numbered and without SQLite's
index hints, quoted text untouched."""

from __future__ import annotations

import pytest

from dojobot.storage.dialect import numbered_parameters


@pytest.mark.parametrize(
    ("sql", "numbered"),
    [
        ("SELECT 1", "SELECT 1"),
        ("SELECT a FROM t WHERE b = ? AND c IN (?, ?)",
         "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"),
        ("SELECT '?', 'it''s ?' FROM t WHERE x = ?", "SELECT '?', 'it''s ?' FROM t WHERE x = $1"),
        ('SELECT "odd?name" FROM "user" WHERE user_id = ?',
         'SELECT "odd?name" FROM "user" WHERE user_id = $1'),
        ("SELECT ? -- why? because\nFROM t WHERE y = ?",
         "SELECT $1 -- why? because\nFROM t WHERE y = $2"),
        ("SELECT a FROM attempt INDEXED BY attempt_user_time\n  WHERE user_id = ?",
         "SELECT a FROM attempt\n  WHERE user_id = $1"),
        ("SELECT 'INDEXED BY x' FROM t", "SELECT 'INDEXED BY x' FROM t"),
        # ?N names an argument (used twice here); a bare ? after it takes the next one, as
        # SQLite numbers them.
        ("DELETE FROM t WHERE a = ?1 OR b = ?1", "DELETE FROM t WHERE a = $1 OR b = $1"),
        ("SELECT ?2, ?1, ? FROM t", "SELECT $2, $1, $3 FROM t"),
    ],
)
def test_placeholders_are_numbered_outside_quotes_and_comments(sql: str, numbered: str) -> None:
    assert numbered_parameters(sql) == numbered
