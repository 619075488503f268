"""A set started in the Mini App records its scheduler arm, and its answers count in the
answers-judged metric under that arm, as the chat's do."""

from __future__ import annotations

from prometheus_client import REGISTRY

from tests.support.learner import solve
from tests.support.web import WebDojo

START = {"field": "math", "subject": "arithmetic", "topic": "addition", "difficulty": 101}


def judged(arm: str) -> float:
    return REGISTRY.get_sample_value(
        "dojobot_answers_judged_total", {"result": "correct", "arm": arm}
    ) or 0.0


async def test_an_app_answer_counts_under_its_sets_arm(web: WebDojo) -> None:
    headers = web.auth(web.init_data(4343))
    state = (await web.http.post("/api/practice/start", json=START, headers=headers)).json()
    problem = state["set"]
    before = judged("fsrs")
    web.dojo.clock.advance(1500)
    answered = (await web.http.post("/api/practice/answer", headers=headers, json={
        "set": problem["id"], "n": 1, "answer": str(solve(problem["question"]))})).json()
    assert answered["feedback"]["correct"] is True
    assert judged("fsrs") - before == 1  # a new database runs the scheduler at 100%
    async with web.dojo.db.read() as tx:
        row = await tx.fetchone("SELECT scheduler_arm FROM session WHERE user_id = ?", (4343,))
    assert row is not None
    assert row[0] == "fsrs"
