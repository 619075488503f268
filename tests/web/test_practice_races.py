"""The practice API when the learner is in two places at once: two tabs on one set, the
chat finishing the set the app shows, the same submit sent twice. Each gets the set as it
stands now (or its summary), never an error, and an answer counts once."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram_standin import User
from tests.support.learner import solve
from tests.support.web import APP_ADDITION, WebDojo

USER = 4242


async def _post(web: WebDojo, path: str, body: dict[str, Any]) -> Any:
    got = await web.http.post(path, json=body, headers=web.auth(web.init_data(USER)))
    assert got.status_code == 200, got.text
    return got.json()


def _answer(problem: dict[str, Any], device_ms: int = 1000) -> dict[str, Any]:
    return {"set": problem["id"], "n": problem["n"], "answer": str(solve(problem["question"])),
            "device_ms": device_ms}


async def _counted(web: WebDojo) -> tuple[int, int]:
    """(attempt rows, the set's own count of answers)."""
    async with web.dojo.db.read() as tx:
        attempts = await tx.fetchone("SELECT count(*) FROM attempt", ())
        reps = await tx.fetchone("SELECT max(total_reps) FROM session", ())
    assert attempts is not None
    assert reps is not None
    return attempts[0], reps[0]


async def test_two_tabs_submitting_one_problem_at_once_count_it_once(web: WebDojo) -> None:
    problem = (await _post(web, "/api/practice/start", APP_ADDITION))["set"]
    web.dojo.clock.advance(2000)
    one, two = await asyncio.gather(
        _post(web, "/api/practice/answer", _answer(problem, 900)),
        _post(web, "/api/practice/answer", _answer(problem, 1100)),
    )
    judged, other = (one, two) if "feedback" in one else (two, one)
    assert "feedback" not in other
    assert other["already"] is True
    assert (other["set"]["id"], other["set"]["n"]) == (problem["id"], 2)  # the state now
    assert other["set"] == judged["set"]
    assert await _counted(web) == (1, 1)


async def test_a_tab_left_behind_gets_the_set_as_it_stands(web: WebDojo) -> None:
    first = (await _post(web, "/api/practice/start", APP_ADDITION))["set"]
    second = (await _post(web, "/api/practice/answer", _answer(first)))["set"]
    third = (await _post(web, "/api/practice/answer", _answer(second)))["set"]
    behind = await _post(web, "/api/practice/answer", _answer(first))  # the other tab
    assert behind["already"] is True
    assert behind["set"] == third
    assert len(behind["done"]) == 2  # its stats catch up with the answers given elsewhere
    assert await _counted(web) == (2, 2)


async def test_a_set_finished_in_the_chat_shows_its_summary_in_the_app(web: WebDojo) -> None:
    learner = User(USER, "Ada")
    problem = (await _post(web, "/api/practice/start", APP_ADDITION))["set"]
    question = problem["question"]
    while True:  # the learner plays the rest of the set in the chat
        await web.dojo.standin.send_text(learner, str(solve(question)))
        reply = (await web.dojo.standin.next_message(learner)).plain_text
        if "Set complete" in reply:
            break
        question = reply.splitlines()[-1]
    late = await _post(web, "/api/practice/answer", _answer(problem))
    assert (late["stale"], late["set"]) == (True, None)
    assert "Set complete" in late["summary"]
    assert f"{problem['of']} answers" in late["summary"]
    assert await _counted(web) == (problem["of"], problem["of"])


async def test_a_set_restarted_in_the_chat_is_what_the_app_shows_next(web: WebDojo) -> None:
    learner = User(USER, "Ada")
    problem = (await _post(web, "/api/practice/start", APP_ADDITION))["set"]
    await web.dojo.standin.send_text(learner, "/start math-arithmetic-subtraction-d101")
    await web.dojo.standin.next_message(learner)
    late = await _post(web, "/api/practice/answer", _answer(problem))
    assert late["stale"] is True
    assert late["set"]["id"] != problem["id"]
    assert late["set"]["n"] == 1
    assert late["title"].startswith("Subtraction")
    assert await _counted(web) == (0, 0)


async def test_the_last_answer_sent_twice_counts_once_and_gets_the_summary(
    web: WebDojo
) -> None:
    body = await _post(web, "/api/practice/start", APP_ADDITION)
    while body["set"]["n"] < body["set"]["of"]:
        body = await _post(web, "/api/practice/answer", _answer(body["set"]))
    last = _answer(body["set"])
    ended = await _post(web, "/api/practice/answer", last)
    again = await _post(web, "/api/practice/answer", last)  # its reply was lost: a retry
    assert "Set complete" in ended["summary"]
    assert (again["stale"], again["set"], again["summary"]) == (True, None, ended["summary"])
    total = body["set"]["of"]
    assert await _counted(web) == (total, total)
