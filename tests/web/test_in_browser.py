"""The Mini App in headless Chromium: a learner opens it with signed initData."""

from __future__ import annotations

from tests.support.browser import Page
from tests.support.web import WebDojo


async def test_the_page_knows_who_opened_it(web: WebDojo, chromium: Page) -> None:
    await chromium.open(web.link("/practice/math/arithmetic/addition", web.init_data(5, "Ada")))
    assert await chromium.wait_for(
        "document.getElementById('who').textContent", "the page greets the learner"
    ) == "Ada"
