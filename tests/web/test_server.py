"""The Mini App's server: who may ask, what a refusal looks like, pages and static files."""

from __future__ import annotations

import httpx
import pytest

from tests.support.web import WebDojo


async def _users(web: WebDojo) -> int:
    async with web.dojo.db.read() as tx:
        row = await tx.fetchone('SELECT count(*) FROM "user"', ())
    assert row is not None
    return int(row[0])


async def test_signed_init_data_names_the_learner(web: WebDojo) -> None:
    got = await web.http.get("/api/me", headers=web.auth(web.init_data(77, "Ada", "de")))
    assert got.status_code == 200
    assert got.json() == {"user_id": 77, "first_name": "Ada", "language": "de"}
    assert await _users(web) == 1


@pytest.mark.parametrize(
    ("how", "reason"),
    [("missing", "missing initData"), ("forged", "signature"), ("expired", "expired")],
)
async def test_refused_init_data_is_a_401_and_stores_nothing(
    web: WebDojo, how: str, reason: str
) -> None:
    headers = {
        "missing": {},
        "forged": web.auth(web.init_data(77).replace("Ada", "Eve")),
        "expired": web.auth(web.init_data(77, age_s=25 * 3600)),
    }[how]
    got = await web.http.get("/api/me", headers=headers)
    assert got.status_code == 401
    assert reason in got.json()["error"]
    assert "\n" not in got.text
    assert await _users(web) == 0


async def test_bad_requests_get_one_line_of_json(web: WebDojo) -> None:
    auth = web.auth(web.init_data())
    wrong_type = await web.http.post("/api/me", headers=auth, content=b"x")
    assert wrong_type.status_code == 415
    json_type = {**auth, "Content-Type": "application/json"}
    big = await web.http.post("/api/me", headers=json_type, content=b"[" + b"1," * 20_000 + b"1]")
    assert big.status_code == 413
    assert big.json() == {"error": "the body is over 16384 bytes"}
    # 10 MB: refused from its Content-Length before it is read; the server may close the
    # connection while the client is still sending, so the client may never read the 413.
    try:
        huge = await web.http.post("/api/me", headers=json_type, content=b"1" * 10_000_000)
        assert huge.status_code == 413
    except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
        pass
    assert (await web.http.get("/api/me", headers=auth)).status_code == 200
    unknown = await web.http.get("/api/nothing-here")
    assert unknown.status_code == 404
    assert unknown.json() == {"error": "not found"}
    wrong_method = await web.http.delete("/api/me", headers=auth)
    assert wrong_method.status_code == 405
    assert "Traceback" not in wrong_method.text


async def test_the_page_and_its_files_are_served(web: WebDojo) -> None:
    page = await web.http.get("/practice/math/arithmetic/addition")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert "telegram-web-app.js" in page.text
    assert "{{v}}" not in page.text
    script = await web.http.get("/static/api.js")
    assert script.status_code == 200
    assert "tgWebAppData" in script.text
    assert (await web.http.get("/static/../server.py")).status_code in (403, 404)
