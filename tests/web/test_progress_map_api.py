"""The progress page's map API: the chat's fluency-map figures for the learner in initData
and nobody else, a tapped fact's last answers, the recent sets, and clear refusals."""

from __future__ import annotations

from typing import Any

from dojobot.engine.facts import fact_of
from tests.support.web import WebDojo, answer_three, play_app_set


async def _get(web: WebDojo, path: str, user_id: int = 4242) -> Any:
    got = await web.http.get(path, headers=web.auth(web.init_data(user_id)))
    assert "Traceback" not in got.text
    return got


async def test_the_map_shows_the_learners_facts_and_a_facts_answers(web: WebDojo) -> None:
    asked = await answer_three(web, 4242)
    body = (await _get(web, "/api/progress/map")).json()
    assert body["topic"] in [t["id"] for t in body["topics"]]
    keys = {f.key for q in asked if (f := fact_of("add", q)) is not None}
    assert keys, asked
    cells = {c["key"]: c for c in body["facts"]}
    assert len(cells) == body["total"] > len(keys)
    for key in keys:
        assert cells[key]["recall"] is not None  # met: shaded
    assert all(c["recall"] is None for k, c in cells.items() if k not in keys)
    key = sorted(keys)[0]
    detail = (await _get(web, f"/api/progress/map?topic={body['topic']}&fact={key}"))
    detail = detail.json()["detail"]
    assert detail["key"] == key
    assert detail["answers"]
    assert all(a["correct"] and a["ms"] == 1500 for a in detail["answers"])
    assert detail["next_due"] > web.dojo.clock()
    assert not any(c["due"] for c in cells.values())  # answered right today: not due
    web.dojo.clock.advance(30 * 86_400_000)
    later = (await _get(web, "/api/progress/map")).json()["facts"]
    assert {c["key"] for c in later if c["due"]} == keys
    # Another learner's map of the same topic shows none of it.
    other = (await _get(web, f"/api/progress/map?topic={body['topic']}&fact={key}",
                        user_id=77)).json()
    assert all(c["recall"] is None for c in other["facts"])
    assert other["detail"]["answers"] == []
    assert other["detail"]["next_due"] is None
    assert other["sets"] == []


async def test_without_init_data_or_with_bad_input_a_clear_refusal(web: WebDojo) -> None:
    bare = await web.http.get("/api/progress/map")
    assert bare.status_code == 401
    assert "initData" in bare.json()["error"]
    for query, status in (("?topic=999999", 404), ("?topic=abc", 404),
                          ("?fact=nonsense", 404), ("?fact=add%20999%20999", 404)):
        got = await _get(web, "/api/progress/map" + query)
        assert got.status_code == status, (query, got.text)
        assert got.json()["error"]


async def test_the_chart_has_the_learners_finished_sets_only(web: WebDojo) -> None:
    await play_app_set(web, 4242, device_ms=1200)
    await play_app_set(web, 4242, device_ms=1800)
    await answer_three(web, 4242)  # a set still running is not on the chart
    sets = (await _get(web, "/api/progress/map")).json()["sets"]
    assert [(s["accuracy"], s["median"]) for s in sets] == [(1.0, 1200), (1.0, 1800)]
    assert (await _get(web, "/api/progress/map", user_id=77)).json()["sets"] == []
