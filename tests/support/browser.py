"""Headless Chromium from Debian's packages, driven by Selenium through chromedriver.

One browser per test module (starting one costs about a second). Selenium blocks, and the
bot under test serves on the test's event loop: every call goes through a thread
(`await page.run(...)`), so the loop keeps serving while the browser waits.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from typing import Any, TypeVar

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

T = TypeVar("T")

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-extensions", "--disable-sync",
    "--no-first-run", "--disable-default-apps", "--mute-audio",
    # Nothing outside loopback: Telegram's script fails at once instead of waiting on DNS.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


def available() -> bool:
    """Whether Debian's chromium and chromium-driver are installed."""
    return bool(shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER))


def start_browser(width: int = 390, height: int = 780, dark: bool = False) -> webdriver.Chrome:
    """A headless Chromium at a phone's size (CSS pixels)."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    if dark:
        options.add_argument("--force-dark-mode")
        options.add_argument("--blink-settings=preferredColorScheme=0")
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


class Page:
    """A browser tab, for async tests."""

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.driver = driver

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        """Call a blocking Selenium function off the event loop."""
        return await asyncio.to_thread(call, *args)

    async def open(self, url: str) -> None:
        await self.run(self.driver.get, url)

    async def js(self, script: str, *args: Any) -> Any:
        return await self.run(self.driver.execute_script, script, *args)

    async def wait_for(self, script: str, what: str, timeout_s: float = 20) -> Any:
        """Poll a JS expression until it is truthy; its value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            value = await self.js(f"return ({script});")
            if value:
                return value
            await asyncio.sleep(0.02)
        raise AssertionError(f"never happened in the page: {what}")
