"""The test cluster: a fresh PostgreSQL database per test, when scripts/with-postgres runs one."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

import pytest

from dojobot.storage.connect import opened
from dojobot.storage.dialect import POSTGRES
from dojobot.storage.migrator import migrate_up

DSN_VARIABLE = "DOJOBOT_TEST_POSTGRES_DSN"


def cluster_url() -> str:
    """The test cluster's superuser URL; skip without one (fail in CI, which always has one)."""
    dsn = os.environ.get(DSN_VARIABLE)
    if dsn:
        return dsn
    reason = f"{DSN_VARIABLE} is not set: run the tests through scripts/with-postgres"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def database_url(server_url: str, name: str) -> str:
    """The URL of database `name` on the server of `server_url`."""
    return urlsplit(server_url)._replace(path=f"/{name}").geturl()


async def _migrated_template(admin: Any, url: str) -> str:
    """A database with every migration applied, made once per cluster and schema: copying
    it is much quicker than migrating each test's database."""
    import asyncpg  # as in fresh_database

    digest = hashlib.sha256()
    for package in POSTGRES.migration_packages:
        for entry in sorted(files(package).iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".sql"):
                digest.update(entry.name.encode() + entry.read_bytes())
    name = f"migrated_{digest.hexdigest()[:16]}"
    if await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name) is None:
        building = f"{name}_{uuid.uuid4().hex[:8]}"  # renamed when complete
        await admin.execute(f"CREATE DATABASE {building} TEMPLATE template0 STRATEGY FILE_COPY")
        async with opened(database_url(url, building)) as db:
            await migrate_up(db)
        try:
            await admin.execute(f"ALTER DATABASE {building} RENAME TO {name}")
        except asyncpg.DuplicateDatabaseError:  # another xdist worker built it meanwhile
            await admin.execute(f"DROP DATABASE {building}")
    return name


@asynccontextmanager
async def fresh_database(
    *, migrated: bool = False, server_url: str | None = None
) -> AsyncIterator[str]:
    """The URL of a new database in the test cluster, or on `server_url` (empty, or with
    every migration applied), dropped when the block ends."""
    import asyncpg  # here, not at the top: a venv without the extra still runs SQLite tests

    url = server_url or cluster_url()
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(url)
    try:
        template = await _migrated_template(admin, url) if migrated else "template0"
        # FILE_COPY: copying the small template's files beats WAL-logging each block.
        await admin.execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        try:
            yield database_url(url, name)
        finally:
            await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        await admin.close()
