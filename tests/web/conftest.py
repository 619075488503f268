"""The Mini App's fixtures: a bot serving it on a free port, signed initData, a browser."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from telegram_standin import BotApiStandIn
from tests.support import browser
from tests.support.dojo import run_dojo
from tests.support.web import WebDojo, free_port


@pytest.fixture
async def web(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> AsyncIterator[WebDojo]:
    """The real Application with its Mini App on a free port, on each backend."""
    port = free_port()
    async with run_dojo(
        standin, tmp_path / "dojobot.sqlite3", database_url=migrated_url,
        web_port=port, web_app_url=f"http://127.0.0.1:{port}",
    ) as running:
        site = WebDojo(running, port)
        try:
            yield site
        finally:
            await site.http.aclose()


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
