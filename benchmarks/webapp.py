"""The Mini App: page weight, open-to-interactive, submit-to-next-painted under load, the
honesty of device timing behind a slow network, and screenshots.

    .venv/bin/python -m benchmarks.webapp                 # every figure, about a minute
    .venv/bin/python -m benchmarks.webapp --screens DIR   # also PNGs: light/dark, en/de

The bot runs in this process on a SQLite file (real clock), against the Bot API stand-in,
serving the Mini App on a loopback port; headless Chromium (Debian's, through chromedriver)
is the learner. Figures:

- weight: the practice page's HTML, CSS and JS as served, uncompressed (Telegram's own
  script excluded: Telegram serves it and every Mini App loads it).
- open to interactive: from navigation start to the first problem painted (the page's own
  requestAnimationFrame mark), page opened afresh each time.
- submit to next painted: in the page, from the submit to the frame that paints the next
  problem, while N other learners answer through the API as fast as they can (closed loop,
  each waiting only for its previous reply); the app's CPU per answer beside it.
- honesty: the browser reaches the bot through a proxy that delays each direction by
  500 ms; the page answers 1.00 s after each problem appears. Stored: device time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import resource
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from tests.support import browser
from tests.support.learner import solve

from benchmarks.common import percentile
from dojobot.app import build_application
from dojobot.config import load_settings
from dojobot.transport.lifecycle import running
from dojobot.web.auth import sign
from dojobot.web.server import STATIC_DIR, page_html
from telegram_standin import BotApiStandIn

PAGE = "/practice/math/arithmetic/addition?difficulty=101"
START = {"field": "math", "subject": "arithmetic", "topic": "addition", "difficulty": 101,
         "resume": True}


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Site:
    """The running bot's Mini App."""

    def __init__(self, token: str, port: int) -> None:
        self.token = token
        self.base = f"http://127.0.0.1:{port}"

    def init_data(self, user_id: int, language: str = "en") -> str:
        user = {"id": user_id, "first_name": f"L{user_id}", "language_code": language}
        return sign(self.token, user, int(time.time()))

    def link(self, user_id: int, language: str = "en", base: str | None = None) -> str:
        data = quote(self.init_data(user_id, language), safe="")
        return f"{base or self.base}{PAGE}#tgWebAppData={data}"


@contextlib.asynccontextmanager
async def serving(folder: Path) -> AsyncIterator[Site]:
    """The bot with its Mini App on a free port, on a SQLite file in `folder`."""
    port = free_port()
    async with BotApiStandIn() as standin:
        settings = load_settings(
            bot_token=standin.token, api_base_url=standin.base_url,
            database_url=f"sqlite:///{folder / 'bench.sqlite3'}", web_port=port,
            web_app_url=f"http://127.0.0.1:{port}", log_level="WARNING",
            max_messages_per_second=0,
        )
        async with running(build_application(settings)):
            yield Site(standin.token, port)


def weight() -> dict[str, int]:
    """Bytes of what the practice page loads from the bot."""
    sizes = {"practice.html": len(page_html("practice.html").encode())}
    for name in ("api.js", "practice.js", "app.css"):
        sizes[name] = (STATIC_DIR / name).stat().st_size
    return sizes


async def open_to_interactive(site: Site, page: browser.Page, times: int) -> list[float]:
    """ms from navigation start to the first problem painted, each a fresh load."""
    found = []
    for i in range(times):
        await page.open("about:blank")
        await page.open(site.link(1000 + i))
        found.append(await page.wait_for("Dojo.readyAt", "the first problem painted"))
    return found


async def _answer_in_page(page: browser.Page, delay_ms: int, count: int) -> None:
    """The page answers `count` problems, each `delay_ms` after it is painted (in the page,
    so no WebDriver round trip is timed)."""
    await page.js("""
      window.__answered = 0;
      var seen = -1, want = arguments[0], delay = arguments[1];
      function solve(q) {
        var m = q.match(/^(-?[\\d.]+) ([+\\-×÷]) (-?[\\d.]+)$/), a = +m[1], b = +m[3];
        return String({"+": a + b, "-": a - b, "×": a * b, "÷": a / b}[m[2]]);
      }
      function tick() {
        if (!document.getElementById('end').hidden) {  // a set ended: the next one
          if (!window.__again) { window.__again = 1; document.getElementById('again').click(); }
          requestAnimationFrame(tick);
          return;
        }
        window.__again = 0;
        var n = document.getElementById('position').textContent
          + document.getElementById('question').textContent;
        if (n !== seen && Dojo.lags !== undefined && document.getElementById('end').hidden) {
          seen = n;
          var q = document.getElementById('question').textContent;
          setTimeout(function () {
            for (var ch of solve(q)) {
              var key = ch === '-' ? '-' : ch === '.' ? 'dec' : ch;
              document.querySelector('#keypad button[data-key="' + key + '"]').click();
            }
            document.querySelector('#keypad button[data-key="enter"]').click();
            window.__answered++;
            if (window.__answered < want) requestAnimationFrame(tick);
          }, delay);
          return;
        }
        requestAnimationFrame(tick);
      }
      requestAnimationFrame(tick);
    """, count, delay_ms)
    await page.wait_for(f"window.__answered >= {count}", "the page answered", timeout_s=300)


async def background_learners(site: Site, n: int, stop: asyncio.Event, think_s: float) -> int:
    """n learners answering through the API, each `think_s` after its reply came (0: as
    fast as replies come); answers given."""
    answered = 0

    async def learner(user_id: int) -> None:
        nonlocal answered
        headers = {"Authorization": f"tma {site.init_data(user_id)}"}
        async with httpx.AsyncClient(base_url=site.base, headers=headers, timeout=60) as http:
            state = (await http.post("/api/practice/start", json=START)).json()
            while not stop.is_set():
                problem = state.get("set")
                if problem is None:
                    state = (await http.post("/api/practice/start",
                                             json={**START, "resume": False})).json()
                    continue
                await asyncio.sleep(think_s * random.uniform(0.5, 1.5))
                right = random.random() > 0.08
                given = str(solve(problem["question"])) if right else "99999"
                state = (await http.post("/api/practice/answer", json={
                    "set": problem["id"], "n": problem["n"], "answer": given,
                    "device_ms": 800})).json()
                answered += 1

    tasks = [asyncio.create_task(learner(20_000 + i)) for i in range(n)]
    await stop.wait()
    await asyncio.gather(*tasks, return_exceptions=True)
    return answered


async def submit_to_paint(
    site: Site, page: browser.Page, others: int, think_s: float
) -> dict[str, Any]:
    """The page's submit-to-next-painted lags with `others` learners answering meanwhile."""
    await page.open("about:blank")
    await page.open(site.link(3000 + others))
    await page.wait_for("Dojo.readyAt", "the page is ready")
    stop = asyncio.Event()
    load = asyncio.create_task(background_learners(site, others, stop, think_s))
    cpu0, wall0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    await _answer_in_page(page, 150, 60)
    stop.set()
    answers = await load
    cpu1, wall = resource.getrusage(resource.RUSAGE_SELF), time.monotonic() - wall0
    lags = [float(x) for x in await page.js("return Dojo.lags;")]
    cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    return {"others": others, "think_s": think_s, "page_answers": len(lags),
            "p50_ms": percentile(lags, 50), "p95_ms": percentile(lags, 95), "max_ms": max(lags),
            "api_answers": answers, "answers_per_s": round(answers / wall),
            # this process holds the bot and the 50 HTTP clients: an upper bound
            "cpu_ms_per_answer_incl_clients": round(cpu * 1000 / max(1, answers), 2)}


class DelayingProxy:
    """Relays loopback TCP to `target`, holding every chunk `delay_s` in each direction
    (order kept): a slow mobile network, on this machine."""

    def __init__(self, target_port: int, delay_s: float) -> None:
        self.target_port = target_port
        self.delay_s = delay_s
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _relay(self, c_in: asyncio.StreamReader, c_out: asyncio.StreamWriter) -> None:
        s_in, s_out = await asyncio.open_connection("127.0.0.1", self.target_port)
        await asyncio.gather(self._pipe(c_in, s_out), self._pipe(s_in, c_out),
                             return_exceptions=True)

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, chunk = await queue.get()
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                if not chunk:
                    dst.close()
                    return
                dst.write(chunk)
                await dst.drain()

        sender = asyncio.create_task(deliver())
        while True:
            chunk = await src.read(65536)
            queue.put_nowait((time.monotonic() + self.delay_s, chunk))
            if not chunk:
                break
        await sender

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()


async def honesty(site: Site, page: browser.Page, folder: Path) -> dict[str, Any]:
    """Stored response times of answers given 1.00 s after each problem appears, with
    500 ms of delay each way between the browser and the bot."""
    proxy = DelayingProxy(int(site.base.rsplit(":", 1)[1]), 0.5)
    port = await proxy.start()
    try:
        await page.open(site.link(4000, base=f"http://127.0.0.1:{port}"))
        await page.wait_for("Dojo.readyAt", "the page is ready", timeout_s=60)
        await _answer_in_page(page, 1000, 10)
        await page.wait_for("Dojo.lags.length >= 10", "the last reply", timeout_s=60)
    finally:
        await proxy.stop()
    import sqlite3
    with contextlib.closing(sqlite3.connect(folder / "bench.sqlite3")) as db:
        rows = db.execute("SELECT response_ms, timed_by, answered_at FROM attempt"
                          " WHERE user_id = 4000 ORDER BY attempt_id").fetchall()
    stored = [r[0] for r in rows]
    # What the server alone saw for the same answers, from sending a problem (in the reply
    # to the previous answer) to receiving its answer: the chat's way of timing.
    server = [b[2] - a[2] for a, b in itertools.pairwise(rows)]
    return {"answers": len(rows), "stored_ms": stored, "timed_by": sorted({r[1] for r in rows}),
            "mean_stored_ms": round(sum(stored) / len(stored), 1),
            "server_seen_ms": server, "mean_server_seen_ms": round(sum(server) / len(server))}


async def screens(site: Site, folder: Path) -> list[Path]:
    """Practice screenshots, light and dark, English and German, mid-set with feedback."""
    made = []
    for dark in (False, True):
        driver = await asyncio.to_thread(browser.start_browser, 390, 760, dark)
        page = browser.Page(driver)
        try:
            for n, language in enumerate(("en", "de")):
                await page.open("about:blank")  # a link differing only in its #... would
                await page.open(site.link(5000 + n + 10 * dark, language))  # not reload
                await page.wait_for("Dojo.readyAt", "the page is ready")
                await _answer_in_page(page, 100, 3)
                await page.wait_for("Dojo.lags.length >= 3", "three answers")
                await page.js("document.querySelector('#keypad button[data-key=\"7\"]').click()")
                path = folder / f"practice-{language}-{'dark' if dark else 'light'}.png"
                await page.run(driver.save_screenshot, str(path))
                made.append(path)
        finally:
            await asyncio.to_thread(driver.quit)
    return made


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--screens", type=Path)
    parser.add_argument("--learners", type=int, default=50)
    args = parser.parse_args()
    sizes = weight()
    print(json.dumps({"weight_bytes": sizes, "total": sum(sizes.values())}))
    with tempfile.TemporaryDirectory() as tmp:
        async with serving(Path(tmp)) as site:
            driver = await asyncio.to_thread(browser.start_browser)
            page = browser.Page(driver)
            try:
                tti = await open_to_interactive(site, page, 10)
                print(json.dumps({"open_to_interactive_ms": [round(t) for t in tti],
                                  "median": round(percentile(tti, 50)),
                                  "max": round(max(tti))}))
                print(json.dumps(await submit_to_paint(site, page, 0, 0)))
                for think_s in (1.5, 0.0):  # learners at a brisk pace; a flood
                    print(json.dumps(await submit_to_paint(site, page, args.learners,
                                                           think_s)))
                print(json.dumps(await honesty(site, page, Path(tmp))))
            finally:
                await asyncio.to_thread(driver.quit)
            if args.screens:
                args.screens.mkdir(parents=True, exist_ok=True)
                for path in await screens(site, args.screens):
                    print(path)


if __name__ == "__main__":
    os.environ.setdefault("DOJOBOT_LOG_LEVEL", "WARNING")
    asyncio.run(main())
