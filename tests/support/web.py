"""The Mini App under test: its address, signed initData, links as the sandbox prints them."""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import quote

import httpx

from dojobot.web.auth import sign
from tests.support.dojo import Dojo
from tests.support.learner import solve

APP_NAME = "dojo"  # the Mini App's short name from @BotFather, where a test's bot has one
APP_ADDITION = {"field": "math", "subject": "arithmetic", "topic": "addition",
                "difficulty": 101}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def send_raw(port: int, data: bytes) -> tuple[bytes, bool]:
    """Send raw bytes (a request's head, maybe part of its body), then read what the server
    answers until it closes the connection: (what it sent, whether it closed). Waits up to
    30 s."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answer = b""
    try:
        writer.write(data)
        await writer.drain()
        async with asyncio.timeout(30):
            while chunk := await reader.read(65536):
                answer += chunk
        return answer, True
    except ConnectionResetError:  # closed with our unread body in its buffer: a reset
        return answer, True
    except TimeoutError:
        return answer, False
    finally:
        writer.close()


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

    async def hold_places(self, init_data: str, n: int) -> list[asyncio.StreamWriter]:
        """n answers whose bodies never come: each holds one of the learner's places in
        flight until its writer is closed."""
        port = int(self.base.rsplit(":", 1)[1])
        head = (f"POST /api/practice/answer HTTP/1.1\r\nHost: app\r\n"
                f"Authorization: tma {init_data}\r\nContent-Type: application/json\r\n"
                "Content-Length: 1000\r\n\r\n{\"set\": 1").encode()
        writers = []
        for _ in range(n):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(head)
            await writer.drain()
            writers.append(writer)
        return writers


async def answer_three(web: WebDojo, user_id: int) -> list[str]:
    """Three right answers to an addition set in the app, 1.5 s each on the device; the
    questions asked."""
    auth = web.auth(web.init_data(user_id))
    problem = (await web.http.post("/api/practice/start", json={**APP_ADDITION, "resume": True},
                                   headers=auth)).json()["set"]
    asked = []
    for n in (1, 2, 3):
        web.dojo.clock.advance(2000)
        question = (await web.http.get("/api/practice/state", headers=auth)).json()["set"]
        asked.append(question["question"])
        await web.http.post("/api/practice/answer", headers=auth, json={
            "set": problem["id"], "n": n, "answer": str(solve(question["question"])),
            "device_ms": 1500})
    return asked


async def play_app_set(web: WebDojo, user_id: int, device_ms: int = 1500) -> int:
    """A whole addition set answered right in the app, `device_ms` each; its length."""
    auth = web.auth(web.init_data(user_id))
    body = (await web.http.post("/api/practice/start", json={**APP_ADDITION, "resume": False},
                                headers=auth)).json()
    problem = body["set"]
    while "summary" not in body:
        web.dojo.clock.advance(2000)
        body = (await web.http.post("/api/practice/answer", headers=auth, json={
            "set": problem["id"], "n": body["set"]["n"],
            "answer": str(solve(body["set"]["question"])), "device_ms": device_ms})).json()
    return int(problem["of"])
