"""The Mini App's server: who may ask, what a refusal looks like, pages and static files."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.web import WebDojo, send_raw


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


async def test_big_and_slow_requests_are_given_up_without_being_read(web: WebDojo) -> None:
    # The app's server is public. A page read any POST body in full (up to 16 MB) before
    # answering 405: eight 15 MB bodies took the bot from 115 to 342 MiB; and headers or a
    # body that stop coming kept their connection for an hour, or for ever.
    port = int(web.base.rsplit(":", 1)[1])
    page = "/practice/math/arithmetic/addition"
    huge = (f"POST {page} HTTP/1.1\r\nHost: app\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {15 * 1024 * 1024}\r\n\r\n").encode()
    answer, closed = await send_raw(port, huge + b"x" * 65536)
    assert closed, "a 15 MB body is still being read"
    assert b" 405 " not in answer[:20]  # refused from its length, not read and then judged
    # A learner's own request whose body stops halfway; a request whose headers stop.
    auth = f"Authorization: tma {web.init_data()}"
    slow_body = (f"POST /api/practice/answer HTTP/1.1\r\nHost: app\r\n{auth}\r\n"
                 "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n").encode()
    slow_head = f"GET {page} HTTP/1.1\r\nHost: app\r\n".encode()
    given_up = await asyncio.gather(
        send_raw(port, slow_body + b'{"set": 1'), send_raw(port, slow_head)
    )
    assert [closed for _, closed in given_up] == [True, True], "a slow request is awaited"
    assert (await web.http.get("/api/me", headers=web.auth(web.init_data()))).status_code == 200
