"""The Mini App: page weight, open-to-interactive, submit-to-next-painted under load, the
app's CPU per answer beside the chat's, the honesty of device timing behind a slow network,
and screenshots.

    .venv/bin/python -m benchmarks.webapp                 # every figure, about two minutes
    .venv/bin/python -m benchmarks.webapp --screens DIR   # also PNGs: light/dark, en/de

The bot runs in a child process of its own (benchmarks/answer_path.py's, on a SQLite file,
real clock) against the Bot API stand-in, serving the Mini App on a loopback port, so its
CPU is read from /proc without counting the clients: this process holds the stand-in, the
learners' HTTP clients and the WebDriver, as phones and Telegram would. Headless Chromium
(Debian's, through chromedriver) is the learner whose page is timed. Figures:

- weight: the practice page's HTML, CSS and JS as served, uncompressed (Telegram's own
  script excluded: Telegram serves it and every Mini App loads it).
- open to interactive: from navigation start to the first problem painted (the page's own
  requestAnimationFrame mark), page opened afresh each time.
- submit to next painted: in the page, from the submit to the frame that paints the next
  problem, while N other learners answer through the API, each `think` seconds after its
  reply (0: a closed loop, as fast as replies come); the bot's CPU per answer beside it.
- CPU per answer, app and chat: the same bot process, N learners in a closed loop through
  the API, then N through the chat (answer_path's learners), alternating; the bot's CPU
  over each phase per answer (set starts included, as answer_path counts them).
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
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from tests.support import browser
from tests.support.learner import solve

from benchmarks.answer_path import TOKEN, Bench
from benchmarks.common import percentile
from dojobot.web.auth import sign
from dojobot.web.server import STATIC_DIR, page_html

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
async def serving(folder: Path) -> AsyncIterator[tuple[Site, Bench]]:
    """The bot (a child process) with its Mini App on a free port, on a SQLite file in
    `folder`; the Bench holds its stand-in and its chat learners."""
    port = free_port()
    bench = Bench(folder, seed=8, verify_every=0, rate=0, postgres_url=None,
                  kinds=("dojo",), web_port=port)
    await bench.start()
    try:
        yield Site(TOKEN, port), bench
    finally:
        await bench.stop()


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


async def background_learners(
    site: Site, n: int, stop: asyncio.Event, think_s: float, tally: list[float] | None = None
) -> int:
    """n learners answering through the API, each `think_s` after its reply came (0: as
    fast as replies come); answers given. `tally` gets each answer's round trip (ms)."""
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
                sent = time.monotonic()
                state = (await http.post("/api/practice/answer", json={
                    "set": problem["id"], "n": problem["n"], "answer": given,
                    "device_ms": 800})).json()
                answered += 1
                if tally is not None:
                    tally.append((time.monotonic() - sent) * 1000)

    tasks = [asyncio.create_task(learner(20_000 + i)) for i in range(n)]
    await stop.wait()
    await asyncio.gather(*tasks, return_exceptions=True)
    return answered


async def submit_to_paint(
    site: Site, bench: Bench, page: browser.Page, others: int, think_s: float
) -> dict[str, Any]:
    """The page's submit-to-next-painted lags with `others` learners answering meanwhile."""
    await page.open("about:blank")
    await page.open(site.link(3000 + others + round(think_s * 10)))
    await page.wait_for("Dojo.readyAt", "the page is ready")
    bot = bench.bots["dojo"]
    stop = asyncio.Event()
    load = asyncio.create_task(background_learners(site, others, stop, think_s))
    cpu0, wall0 = bot.cpu_seconds(), time.monotonic()
    await _answer_in_page(page, 150, 60)
    stop.set()
    answers = await load
    cpu, wall = bot.cpu_seconds() - cpu0, time.monotonic() - wall0
    lags = [float(x) for x in await page.js("return Dojo.lags;")]
    # Where a lag goes: the fetch as the browser saw it, and the server's share of it.
    fetches = await page.js(
        "return performance.getEntriesByType('resource')"
        ".filter(function (e) { return e.name.endsWith('/api/practice/answer'); })"
        ".map(function (e) { return [e.duration, e.serverTiming.length ?"
        " e.serverTiming[0].duration : 0]; });")
    fetch_ms, server_ms = [float(f[0]) for f in fetches], [float(f[1]) for f in fetches]
    return {"others": others, "think_s": think_s, "page_answers": len(lags),
            "p50_ms": round(percentile(lags, 50), 1), "p95_ms": round(percentile(lags, 95), 1),
            "max_ms": round(max(lags), 1),
            "fetch_p50_ms": round(percentile(fetch_ms, 50), 1),
            "fetch_p95_ms": round(percentile(fetch_ms, 95), 1),
            "server_p50_ms": round(percentile(server_ms, 50), 1),
            "server_p95_ms": round(percentile(server_ms, 95), 1), "api_answers": answers,
            "answers_per_s": round((answers + len(lags)) / wall),
            "bot_cpu_ms_per_answer": round(cpu * 1000 / (answers + len(lags)), 2)}


async def app_phase(site: Site, bench: Bench, n: int, seconds: float,
                    warmup: float) -> dict[str, Any]:
    """n learners in a closed loop through the API: the bot's CPU per answer over
    `seconds` (and the drain after it), the answers' round trips."""
    bot = bench.bots["dojo"]
    stop, tally = asyncio.Event(), list[float]()
    load = asyncio.create_task(background_learners(site, n, stop, 0.0, tally))
    await asyncio.sleep(warmup)
    cpu0, done0, wall0 = bot.cpu_seconds(), len(tally), time.monotonic()
    await asyncio.sleep(seconds)
    stop.set()
    wall = time.monotonic() - wall0
    await load
    answers = len(tally) - done0
    window = tally[done0:]
    return {"path": "app", "answers": answers, "answers_per_s": round(answers / wall),
            "cpu_s": bot.cpu_seconds() - cpu0, "p50_ms": percentile(window, 50),
            "p95_ms": percentile(window, 95)}


async def cpu_app_and_chat(
    site: Site, bench: Bench, n: int, seconds: float, rounds: int
) -> dict[str, Any]:
    """The bot's CPU per answer through the app and through the chat, alternating."""
    phases: dict[str, list[dict[str, Any]]] = {"app": [], "chat": []}
    for r in range(rounds):
        for path in ("app", "chat") if r % 2 == 0 else ("chat", "app"):
            if path == "app":
                phases["app"].append(await app_phase(site, bench, n, seconds, 1.0))
                continue
            result = await bench.phase("dojo", n, seconds, 1.0)
            phases["chat"].append({
                "answers": result.processed, "cpu_s": result.bot_cpu_s,
                "answers_per_s": round(result.replies / result.seconds),
                "p50_ms": percentile(result.latencies_ms, 50),
                "p95_ms": percentile(result.latencies_ms, 95)})
    out: dict[str, Any] = {"learners": n, "seconds": seconds, "rounds": rounds}
    for path, runs in phases.items():
        out[path] = {
            "cpu_ms_per_answer": round(1000 * sum(p["cpu_s"] for p in runs)
                                       / max(1, sum(p["answers"] for p in runs)), 2),
            "answers_per_s": [p["answers_per_s"] for p in runs],
            "p50_ms": [round(p["p50_ms"], 1) for p in runs],
            "p95_ms": [round(p["p95_ms"], 1) for p in runs]}
    out["app_over_chat"] = round(out["app"]["cpu_ms_per_answer"]
                                 / out["chat"]["cpu_ms_per_answer"], 2)
    return out


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


async def honesty(site: Site, page: browser.Page, database: str) -> dict[str, Any]:
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
    with contextlib.closing(sqlite3.connect(database)) as db:
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
    """Practice screenshots at 320 px (the narrowest phone), light and dark, English and
    German, mid-set with feedback."""
    made = []
    for dark in (False, True):
        driver = await asyncio.to_thread(browser.start_browser, 390, 760, dark)
        page = browser.Page(driver)
        # Headless Chromium's window is at least 500 px wide: the phone's width is emulated.
        await page.run(driver.execute_cdp_cmd, "Emulation.setDeviceMetricsOverride",
                       {"width": 320, "height": 640, "deviceScaleFactor": 1, "mobile": True})
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
    parser.add_argument("--cpu-seconds", type=float, default=5.0,
                        help="measured seconds of each app and chat phase")
    parser.add_argument("--cpu-rounds", type=int, default=2)
    parser.add_argument("--only", choices=("paint", "cpu"), default=None,
                        help="only submit-to-paint (with 50 learners at a brisk pace) or CPU")
    args = parser.parse_args()
    sizes = weight()
    print(json.dumps({"weight_bytes": sizes, "total": sum(sizes.values())}))
    with tempfile.TemporaryDirectory() as tmp:
        async with serving(Path(tmp)) as (site, bench):
            if args.only != "cpu":
                await measure_in_browser(site, bench, args)
            if args.only != "paint":
                print(json.dumps(await cpu_app_and_chat(
                    site, bench, args.learners, args.cpu_seconds, args.cpu_rounds)))
            if args.screens:
                args.screens.mkdir(parents=True, exist_ok=True)
                for path in await screens(site, args.screens):
                    print(path)


async def measure_in_browser(site: Site, bench: Bench, args: argparse.Namespace) -> None:
    """Open to interactive, submit to paint, honesty: the figures the page itself times."""
    driver = await asyncio.to_thread(browser.start_browser)
    page = browser.Page(driver)
    try:
        if args.only == "paint":
            print(json.dumps(await submit_to_paint(site, bench, page, args.learners, 1.5)))
            return
        tti = await open_to_interactive(site, page, 10)
        print(json.dumps({"open_to_interactive_ms": [round(t) for t in tti],
                          "median": round(percentile(tti, 50)), "max": round(max(tti))}))
        print(json.dumps(await submit_to_paint(site, bench, page, 0, 0)))
        for think_s in (1.5, 0.0):  # learners at a brisk pace; a flood
            print(json.dumps(await submit_to_paint(site, bench, page, args.learners,
                                                   think_s)))
        print(json.dumps(await honesty(site, page, bench.db_path)))
    finally:
        await asyncio.to_thread(driver.quit)


if __name__ == "__main__":
    os.environ.setdefault("DOJOBOT_LOG_LEVEL", "WARNING")
    asyncio.run(main())
