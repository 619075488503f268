"""The test cluster: a fresh PostgreSQL database per test, when scripts/with-postgres runs one."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import pytest

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


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """The URL of a new empty database in the test cluster, dropped when the block ends."""
    import asyncpg  # here, not at the top: a venv without the extra still runs SQLite tests

    url = cluster_url()
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(url)
    try:
        # FILE_COPY: copying the small template's files beats WAL-logging each block.
        await admin.execute(f"CREATE DATABASE {name} TEMPLATE template0 STRATEGY FILE_COPY")
        try:
            yield urlsplit(url)._replace(path=f"/{name}").geturl()
        finally:
            await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        await admin.close()
