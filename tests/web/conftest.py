"""The Mini App's fixtures: a bot serving it on a free port, signed initData, a browser."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from dojobot.web.auth import sign
from telegram_standin import BotApiStandIn
from tests.conftest import Dojo, run_dojo
from tests.support import browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class WebDojo:
    """A running bot with its Mini App on `base`."""

    def __init__(self, dojo: Dojo, port: int) -> None:
        self.dojo = dojo
        self.base = f"http://127.0.0.1:{port}"
        self.http = httpx.AsyncClient(base_url=self.base, timeout=30)

    def init_data(self, user_id: int = 4242, first_name: str = "Ada",
                  language_code: str = "en", age_s: int = 0) -> str:
        """initData signed with the bot's token, dated by the bot's clock."""
        user = {"id": user_id, "first_name": first_name, "language_code": language_code}
        auth_date = self.dojo.clock.now_ms // 1000 - age_s
        return sign(self.dojo.standin.token, user, auth_date)

    def auth(self, init_data: str) -> dict[str, str]:
        return {"Authorization": f"tma {init_data}"}

    def link(self, path: str, init_data: str) -> str:
        """A page's URL with initData in the fragment, as the sandbox prints it."""
        return f"{self.base}{path}#tgWebAppData={quote(init_data, safe='')}"


@pytest.fixture
async def web(
    standin: BotApiStandIn, tmp_path: Path, bot_database_url: str
) -> AsyncIterator[WebDojo]:
    """The real Application with its Mini App on a free port, on each backend."""
    port = free_port()
    async with run_dojo(
        standin, tmp_path / "dojobot.sqlite3", database_url=bot_database_url,
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
