"""The Mini App's fixtures: a bot serving it on a free port, signed initData, a browser."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from telegram_standin import BotApiStandIn
from tests.support import browser
from tests.support.dojo import run_dojo
from tests.support.web import APP_NAME, WebDojo, free_port


@contextlib.asynccontextmanager
async def serve_web(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str, **settings: Any
) -> AsyncIterator[WebDojo]:
    """The real Application with its Mini App on a free port."""
    port = free_port()
    async with run_dojo(
        standin, tmp_path / "dojobot.sqlite3", database_url=migrated_url,
        web_port=port, web_app_url=f"http://127.0.0.1:{port}", **settings,
    ) as running:
        site = WebDojo(running, port)
        try:
            yield site
        finally:
            await site.http.aclose()


@pytest.fixture
async def web(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> AsyncIterator[WebDojo]:
    """The real Application with its Mini App on a free port, on each backend."""
    async with serve_web(standin, tmp_path, migrated_url) as site:
        yield site


@pytest.fixture
async def named_web(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> AsyncIterator[WebDojo]:
    """As `web`, with the Mini App's short name from @BotFather (APP_NAME): the bot then
    gives direct t.me/<bot>/<app>?startapp=... links."""
    async with serve_web(standin, tmp_path, migrated_url, web_app_name=APP_NAME) as site:
        yield site


@pytest.fixture(scope="module")
def chromium() -> Iterator[browser.Page]:
    """One headless Chromium for the test module."""
    if not browser.available():
        pytest.fail("chromium and chromium-driver are missing: scripts/ensure-system-packages")
    driver = browser.start_browser()
    try:
        yield browser.Page(driver)
    finally:
        driver.quit()


@pytest.fixture
async def unlimited_web(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> AsyncIterator[WebDojo]:
    """As `web`, without each learner's bounds (DOJOBOT_WEB_LIMITS=false: benchmarks)."""
    async with serve_web(standin, tmp_path, migrated_url, web_limits=False) as site:
        yield site
