"""What differs between SQLite and PostgreSQL, in one place: storage code asks its Dialect.

The schema is the same on both (names, columns, indexes, constraints; one exception: a
BRIN index PostgreSQL alone has, migrations/postgres/0011); the PostgreSQL migrations
differ otherwise only in types: Telegram ids, ids the database assigns and millisecond
times are BIGINT (SQLite's INTEGER is 64-bit whatever it is declared), database-assigned
ids are identity columns (SQLite's INTEGER PRIMARY KEY), REAL is DOUBLE PRECISION (a
PostgreSQL REAL is 32-bit), and the table "user" is quoted (a reserved word there; SQLite
accepts the quotes too). Flags stay INTEGER 0/1 on both, so queries compare them alike.

Queries are written once, in SQLite's words: `?` placeholders, which the PostgreSQL
connection numbers, and SQLite's index hints (INDEXED BY, for a planner that has no
statistics on a live file), which it drops: PostgreSQL plans from the statistics its
autovacuum keeps (numbered_parameters). A query that must differ otherwise gets a field on
Dialect, never an `if`; one capability is a flag (correlated_limit). Otherwise the
storage modules keep to SQL both read alike, which takes these habits (a test of each
module runs on both engines):

- `"user"` quoted everywhere (on PostgreSQL a bare `user` is the current role's name);
- upserts as `INSERT ... ON CONFLICT (key) DO UPDATE SET col = excluded.col`, never
  `INSERT OR REPLACE / OR IGNORE`; in DO UPDATE, the table's own column as `table.col`;
- flags compared (`correct = 1`) and counted with `CASE WHEN ... THEN 1 ELSE 0 END`:
  PostgreSQL has no arithmetic on booleans, and `WHERE flag` needs a boolean;
- every selected column in GROUP BY (or in an aggregate);
- a parameter that is only tested with IS NULL gets a type: `CAST(? AS INTEGER) IS NULL`;
- `avg()` and `sum()` over BIGINT are NUMERIC there (Python Decimal): convert in Python;
- RETURNING for ids the database assigns (never last_insert_rowid() or rowid).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_INDEX_HINT = re.compile(r"\s+INDEXED BY \w+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Dialect:
    """One engine's SQL where it differs from the other's."""

    name: str
    # Packages holding NNNN_name.up.sql / .down.sql, searched in order for each file: the
    # shared folder defines the versions; an engine's own folder overrides a file.
    migration_packages: tuple[str, ...]
    migration_bookkeeping: str
    # Returns a row when schema_migration exists, creating nothing (`migrate status` only reads).
    has_migration_bookkeeping: str
    # Appended to a SELECT that claims rows for this transaction: two claimers (replicas that
    # both think they lead, after a network split) never get the same row. PostgreSQL locks
    # the rows and skips those another claimer holds (re-checking the WHERE of a row it
    # waited for); SQLite needs nothing: a write transaction (BEGIN IMMEDIATE) holds the
    # whole file, so a second claimer reads only after the first has committed.
    claim_rows: str
    # Run in an erasure's transaction with (channel, user id): tells every other process on
    # the database, once the erasure commits, to forget the learner from its caches. SQLite has
    # one bot process on a file and nothing to tell; PostgreSQL's NOTIFY reaches each
    # replica's listening connection (PostgresDatabase.listen) on COMMIT, and never if the
    # transaction rolls back.
    announce_erasure: str
    # Whether a subquery's LIMIT and OFFSET may read the outer row. PostgreSQL's may, so a
    # class's medians are one statement there (storage.classes.member_stats): each
    # statement is a round trip to the server, and forty of them cost more than the reads.
    # SQLite's may not ("no such column"); it walks member by member, in the bot's process.
    correlated_limit: bool
    # Appended to a SELECT whose rows the transaction must hold until it ends (others that
    # write them wait): PostgreSQL's row locks; SQLite needs nothing, its write transaction
    # holds the whole file.
    lock_rows: str


SQLITE = Dialect(
    name="sqlite",
    migration_packages=("dojobot.migrations",),
    migration_bookkeeping="""CREATE TABLE IF NOT EXISTS schema_migration (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
)""",
    has_migration_bookkeeping=(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migration'"
    ),
    claim_rows="",
    announce_erasure="",
    correlated_limit=False,
    lock_rows="",
)

POSTGRES = Dialect(
    name="postgresql",
    migration_packages=("dojobot.migrations.postgres", "dojobot.migrations"),
    migration_bookkeeping="""CREATE TABLE IF NOT EXISTS schema_migration (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)""",
    has_migration_bookkeeping="SELECT to_regclass('schema_migration')::text AS name "
    "WHERE to_regclass('schema_migration') IS NOT NULL",
    claim_rows=" FOR UPDATE OF r SKIP LOCKED",
    announce_erasure="SELECT pg_notify(CAST(? AS TEXT), CAST(? AS TEXT))",
    correlated_limit=True,
    lock_rows=" FOR UPDATE",
)


@lru_cache(maxsize=512)
def numbered_parameters(sql: str) -> str:
    """SQLite's `?` and `?N` placeholders as PostgreSQL's $1, $2 ..., and SQLite's index hints
    left out.

    Quoted text ('it''s ?', "col?") and -- comments are copied untouched.
    """
    out: list[str] = []
    count = 0
    i = 0
    while i < len(sql):
        char = sql[i]
        if char in "'\"":
            end = sql.index(char, i + 1)  # a doubled quote reads as two adjacent literals
            out.append(sql[i : end + 1])
            i = end + 1
            continue
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            end = len(sql) if end < 0 else end
            out.append(sql[i:end])
            i = end
            continue
        hint = _INDEX_HINT.match(sql, i)
        if hint:
            i = hint.end()
            continue
        if char == "?":
            digits = _DIGITS.match(sql, i + 1)
            if digits:  # ?N: the Nth argument; a later bare ? takes the one after the highest
                number = int(digits.group())
                count = max(count, number)
                out.append(f"${number}")
                i = digits.end()
                continue
            count += 1
            out.append(f"${count}")
        else:
            out.append(char)
        i += 1
    return "".join(out)
