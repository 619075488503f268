"""`dojobot sandbox` prints a link that opens the Mini App as its learner."""

from __future__ import annotations

from urllib.parse import unquote

from dojobot.sandbox.session import app_link
from dojobot.web.auth import verify


def test_the_sandbox_link_carries_initdata_the_bot_accepts() -> None:
    token = "123:ABC"
    link = app_link("http://127.0.0.1:8080", token, {"id": 1001, "first_name": "Ada"},
                    1_764_000_000)
    page, _, fragment = link.partition("#tgWebAppData=")
    assert page == "http://127.0.0.1:8080/practice/math/arithmetic/addition?difficulty=101"
    user = verify(unquote(fragment), token, 1_764_000_000_000)
    assert (user.user_id, user.first_name) == (1001, "Ada")
