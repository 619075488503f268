"""One Mini App user cannot slow the others: each learner's requests in flight and request
rate are bounded (a 429 in their language with a Retry-After, nothing stored), and so are
the getChatMember lookups their dashboard requests make the bot ask Telegram for."""

from __future__ import annotations

import asyncio

import httpx

from tests.support.classes import toast
from tests.support.learner import reply, solve
from tests.support.waiting import until
from tests.support.web import APP_ADDITION, WebDojo

GERMAN_BUSY = "Zu viele Anfragen auf einmal: Warte kurz und versuch es noch mal."


async def attempts(web: WebDojo, user_id: int) -> int:
    async with web.dojo.db.read() as tx:
        rows = await tx.fetchall("SELECT attempt_id FROM attempt WHERE user_id = ?", (user_id,))
    return len(rows)


async def test_a_burst_from_one_learner_is_refused_while_another_is_served(
    web: WebDojo,
) -> None:
    ada = web.auth(web.init_data(7001, "Ada", "de"))
    ben = web.auth(web.init_data(7002, "Ben"))
    started = await web.http.post("/api/practice/start", headers=ada,
                                  json={**APP_ADDITION, "resume": False})
    problem = started.json()["set"]
    # The bot's clock stands still: Ada's 40 at once are past her burst of 30.
    *hers, his = await asyncio.gather(
        *[web.http.get("/api/me", headers=ada) for _ in range(40)],
        web.http.get("/api/me", headers=ben),
    )
    assert his.status_code == 200
    refused = [r for r in hers if r.status_code != 200]
    assert len(refused) >= 10
    assert {r.status_code for r in refused} == {429}
    assert refused[0].json() == {"error": GERMAN_BUSY}
    assert int(refused[0].headers["Retry-After"]) >= 1
    # The practice page's own requests spend no tokens (the bound in flight holds them):
    # a learner, or a browser driven at machine speed, plays on with her tokens spent.
    answer = {"set": problem["id"], "n": 1, "answer": str(solve(problem["question"])),
              "device_ms": 1500}
    counted = await web.http.post("/api/practice/answer", headers=ada, json=answer)
    assert counted.json()["feedback"]["correct"] is True
    assert (await web.http.get("/api/me", headers=ada)).status_code == 429
    # Idle learners' buckets are dropped once full again: memory is for the active.
    requests = web.dojo.app.bot_data.web.requests
    assert 7001 in requests
    web.dojo.clock.advance(60_000)
    assert (await web.http.get("/api/me", headers=ben)).status_code == 200
    assert 7001 not in requests
    assert len(requests) == 1


async def test_a_fifth_request_in_flight_waits_and_a_dropped_one_frees_its_place(
    web: WebDojo,
) -> None:
    # Four answers whose bodies never come hold four of Ada's places: her fifth request
    # is refused, Ben is served; when they drop, her places are free again.
    ada_data, ada = web.init_data(7011, "Ada"), web.auth(web.init_data(7011, "Ada"))
    ben = web.auth(web.init_data(7012, "Ben"))
    started = await web.http.post("/api/practice/start", headers=ada,
                                  json={**APP_ADDITION, "resume": False})
    problem = started.json()["set"]
    writers = await web.hold_places(ada_data, 4)
    in_flight = web.dojo.app.bot_data.web.in_flight
    await until(lambda: in_flight.running(7011) == 4, "Ada's four slow answers in flight")
    fifth = await web.http.get("/api/me", headers=ada)
    assert (fifth.status_code, fifth.headers["Retry-After"]) == (429, "1")
    # An answer refused is not counted; sent again once there is room, it counts once.
    answer = {"set": problem["id"], "n": 1, "answer": str(solve(problem["question"])),
              "device_ms": 1500}
    busy = await web.http.post("/api/practice/answer", headers=ada, json=answer)
    assert busy.status_code == 429
    assert await attempts(web, 7011) == 0
    assert (await web.http.get("/api/me", headers=ben)).status_code == 200
    for writer in writers:
        writer.close()
    await until(lambda: len(in_flight) == 0, "the dropped answers' places freed")
    counted = await web.http.post("/api/practice/answer", headers=ada, json=answer)
    assert counted.json()["feedback"]["correct"] is True
    again = await web.http.post("/api/practice/answer", headers=ada, json=answer)
    assert again.json()["already"] is True
    assert await attempts(web, 7011) == 1


async def dashboard(web: WebDojo, chat_id: int, user_id: int = 7021) -> httpx.Response:
    auth = web.auth(web.init_data(user_id, "Mallory"))
    return await web.http.get(f"/api/dashboard/{chat_id}", headers=auth)


async def test_forged_class_ids_cost_at_most_ten_lookups_a_minute(web: WebDojo) -> None:
    standin = web.dojo.standin
    standin.reset_calls()
    statuses = []
    for n in range(100):
        statuses.append((await dashboard(web, -1_000_000_000_000 - n)).status_code)
        web.dojo.clock.advance(100)  # 10 requests a second: within the request rate
    # 10 at once, and one more in the 10 s the requests took (10 a minute).
    assert len(standin.calls_of("getChatMember")) == 11
    assert statuses.count(403) == 11
    assert statuses.count(429) == 89
    # A forged id refused by Telegram is remembered for half a minute, then asked again.
    web.dojo.clock.advance(60_000)
    standin.reset_calls()
    assert (await dashboard(web, -1_000_000_000_100)).status_code == 403
    assert (await dashboard(web, -1_000_000_000_100)).status_code == 403
    assert len(standin.calls_of("getChatMember")) == 1
    web.dojo.clock.advance(31_000)
    assert (await dashboard(web, -1_000_000_000_100)).status_code == 403
    assert len(standin.calls_of("getChatMember")) == 2


async def test_the_admin_verdicts_held_stay_bounded(web: WebDojo) -> None:
    verdicts = web.dojo.app.bot_data.classes.admin_checks
    verdicts.limit = 25
    for user_id in range(7030, 7035):  # five people, ten forged ids each
        for n in range(10):
            assert (await dashboard(web, -1_000_000_000_000 - n, user_id)).status_code == 403
    assert len(verdicts) == 25
    now = web.dojo.clock()
    assert verdicts.get(-1_000_000_000_009, 7034, now) is False  # the newest are kept
    assert verdicts.get(-1_000_000_000_000, 7030, now) is None  # the oldest dropped


async def test_forgetme_drops_the_learners_buckets(web: WebDojo) -> None:
    s = web.dojo.standin
    ada = await s.user(7041, "Ada")
    await dashboard(web, -1_000_000_000_000, ada.id)
    bounds = web.dojo.app.bot_data.web
    assert ada.id in bounds.requests
    assert ada.id in bounds.lookups
    ask = await reply(s, ada, "/forgetme")
    qid = await s.press(ada, "🗑 Delete everything", message_id=ask.message_id)
    assert await toast(s, qid) == "Deleted."
    assert ada.id not in bounds.requests
    assert ada.id not in bounds.lookups


async def test_a_benchmark_lifts_the_bounds(unlimited_web: WebDojo) -> None:
    auth = unlimited_web.auth(unlimited_web.init_data(7061, "Ada"))
    answers = await asyncio.gather(
        *[unlimited_web.http.get("/api/me", headers=auth) for _ in range(40)])
    assert {r.status_code for r in answers} == {200}
