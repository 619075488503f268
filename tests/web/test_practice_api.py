"""The practice API: sets that count like the chat's, answers keyed by the problem, device
time kept only when plausible, and every bad input a clear JSON reply."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram_standin import User
from tests.support.learner import solve
from tests.support.web import WebDojo

START = {"field": "math", "subject": "arithmetic", "topic": "addition", "difficulty": 101}


async def _post(web: WebDojo, path: str, body: dict[str, Any], user_id: int = 4242) -> Any:
    got = await web.http.post(path, json=body, headers=web.auth(web.init_data(user_id)))
    assert "Traceback" not in got.text
    return got


async def _attempts(web: WebDojo) -> Sequence[Any]:
    async with web.dojo.db.read() as tx:
        return await tx.fetchall(
            "SELECT user_id, given, correct, response_ms, timed_by, device_ms FROM attempt"
            " ORDER BY attempt_id", ())


async def test_an_answer_counts_once_and_keeps_a_plausible_device_time(web: WebDojo) -> None:
    state = (await _post(web, "/api/practice/start", {**START, "resume": True})).json()
    problem = state["set"]
    assert problem["n"] == 1
    assert problem["of"] >= 10
    assert state["t"]["accuracy"] == "Accuracy"
    web.dojo.clock.advance(1500)
    answer = {"set": problem["id"], "n": 1, "answer": str(solve(problem["question"])),
              "device_ms": 1000}
    first = (await _post(web, "/api/practice/answer", answer)).json()
    assert first["feedback"]["correct"] is True
    assert first["feedback"]["ms"] == 1000
    assert first["set"]["n"] == 2
    again = (await _post(web, "/api/practice/answer", answer)).json()
    assert again["already"] is True
    assert again["set"]["n"] == 2
    # Implausible device figures: slower than the server saw, and faster than anyone.
    for n, device_ms in ((2, 9000), (3, 20)):
        web.dojo.clock.advance(1500)
        question = (await web.http.get("/api/practice/state", headers=web.auth(
            web.init_data()))).json()["set"]["question"]
        await _post(web, "/api/practice/answer", {
            "set": problem["id"], "n": n, "answer": str(solve(question)), "device_ms": device_ms})
    rows = await _attempts(web)
    assert [(r["response_ms"], r["timed_by"], r["device_ms"]) for r in rows] == [
        (1000, "device", 1000), (1500, "server", 9000), (1500, "server", 20)]
    # A resumed page gets the running set and its answers so far.
    resumed = (await _post(web, "/api/practice/start", {**START, "resume": True})).json()
    assert (resumed["set"]["id"], resumed["set"]["n"]) == (problem["id"], 4)
    assert resumed["done"] == [[1, 1000], [1, 1500], [1, 1500]]


async def test_bad_answers_and_bodies_get_a_clear_reply(web: WebDojo) -> None:
    problem = (await _post(web, "/api/practice/start", START)).json()["set"]
    base = {"set": problem["id"], "n": 1}
    not_number = await _post(web, "/api/practice/answer", {**base, "answer": "twelve"})
    assert not_number.status_code == 422
    assert "number" in not_number.json()["error"]
    too_long = await _post(web, "/api/practice/answer", {**base, "answer": "1" * 65})
    assert too_long.status_code == 422
    shapeless = await _post(web, "/api/practice/answer", {"set": "x", "answer": 3})
    assert shapeless.status_code == 400
    not_object = await web.http.post(
        "/api/practice/answer", content=b"[1]",
        headers={**web.auth(web.init_data()), "Content-Type": "application/json"})
    assert not_object.status_code == 400
    unknown = await _post(web, "/api/practice/start", {**START, "topic": "juggling"})
    assert unknown.status_code == 404
    assert await _attempts(web) == []


async def test_another_learners_set_is_not_theirs_to_answer(web: WebDojo) -> None:
    mine = (await _post(web, "/api/practice/start", START, user_id=1)).json()["set"]
    theirs = await _post(web, "/api/practice/answer", {
        "set": mine["id"], "n": 1, "answer": str(solve(mine["question"]))}, user_id=2)
    assert theirs.status_code == 200
    assert (theirs.json()["stale"], theirs.json()["set"]) == (True, None)
    assert await _attempts(web) == []


async def test_a_set_stopped_in_the_chat_is_not_answered_in_the_app(web: WebDojo) -> None:
    learner = User(4242, "Ada")
    problem = (await _post(web, "/api/practice/start", START)).json()["set"]
    await web.dojo.standin.send_text(learner, "/stop")
    reply = await web.dojo.standin.next_message(learner)
    assert "Set complete" in reply.plain_text
    late = (await _post(web, "/api/practice/answer", {
        "set": problem["id"], "n": 1, "answer": str(solve(problem["question"]))})).json()
    assert (late["stale"], late["set"]) == (True, None)
    assert await _attempts(web) == []


async def test_an_app_set_is_answered_in_the_chat_too(web: WebDojo) -> None:
    """One set, whichever way in: the chat judges the app's set, the app sees it move."""
    learner = User(4242, "Ada")
    problem = (await _post(web, "/api/practice/start", START)).json()["set"]
    await web.dojo.standin.send_text(learner, str(solve(problem["question"])))
    reply = await web.dojo.standin.next_message(learner)
    assert reply.plain_text.startswith("✓")
    state = (await web.http.get("/api/practice/state",
                                headers=web.auth(web.init_data()))).json()
    assert state["set"]["n"] == 2
    [row] = await _attempts(web)
    assert row["timed_by"] is None  # the chat's answer, timed by the bot as always


async def test_the_page_speaks_the_learners_language(web: WebDojo) -> None:
    got = await web.http.post("/api/practice/start", json=START,
                              headers=web.auth(web.init_data(7, language_code="de")))
    state = got.json()
    assert state["t"]["accuracy"] == "Trefferquote"
    assert state["locale"] == {"lang": "de", "decimal": ",", "dir": "ltr"}
    persian = await web.http.get("/api/practice/state",
                                 headers=web.auth(web.init_data(8, language_code="fa")))
    assert persian.json()["locale"]["dir"] == "rtl"


async def test_a_persian_learner_sees_problems_in_persian_digits(web: WebDojo) -> None:
    """Before: "3 + 4" in Latin digits, and "." as the keypad's decimal sign."""
    headers = web.auth(web.init_data(9, language_code="fa"))
    state = (await web.http.post("/api/practice/start", json=START, headers=headers)).json()
    question = state["set"]["question"]
    assert question == question.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert state["locale"]["decimal"] == "٫"  # CLDR's for fa, in its own numbering system
    right = str(solve(question)).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    answered = (await web.http.post("/api/practice/answer", headers=headers, json={
        "set": state["set"]["id"], "n": 1, "answer": right})).json()
    assert answered["feedback"]["correct"] is True
