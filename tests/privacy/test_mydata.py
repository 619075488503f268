"""/mydata: one ZIP with everything stored about the learner; it disturbs nothing."""

from __future__ import annotations

from pathlib import Path

from dojobot.storage.privacy import ANSWER_CHUNK
from tests.support.classes import add_attempts, add_user, practise
from tests.support.cli import Cli
from tests.support.dojo import Dojo
from tests.support.learner import current_question, reply, solve, start_set
from tests.support.privacy import LEARNER_ID, NAME, NICKNAME, USERNAME, do_everything, unpack


async def test_mydata_holds_everything(dojo: Dojo, cli: Cli, tmp_path: Path) -> None:
    s = dojo.standin
    everything = await do_everything(dojo, cli, tmp_path)
    sent = await reply(s, everything.learner, "/mydata")
    assert sent.file_name is not None
    assert sent.file_name.endswith(".zip")
    assert sent.plain_text.startswith("🔒 Everything I keep about you: 3 answers, 8 sets, ")
    document, answers, readme = unpack(sent.file_bytes)
    assert (document["format"], document["version"]) == ("dojobot-mydata", 1)
    for key in document:
        if key not in ("format", "version"):
            assert f"  {key}" in readme, f"README.txt documents {key}"
    profile = document["profile"]
    assert (profile["user_id"], profile["first_name"], profile["username"]) == (
        LEARNER_ID, NAME, USERNAME
    )
    assert (profile["nickname"], profile["timezone"]) == (NICKNAME, "Europe/Berlin")
    assert {p["topic"]: p["stage"] for p in document["progress"]}["add"] == "ri"  # imported
    assert sum(x["imported_estimate"] for x in document["sets"]) == 7  # u1's 4 and u3's 3
    assert [x["total_reps"] for x in document["sets"] if not x["imported_estimate"]] == [3]
    # The scheduler arm of each set (a new database runs the flag at 100%); imported sets
    # had none.
    assert [x["scheduler_arm"] for x in document["sets"] if not x["imported_estimate"]] == [
        "fsrs"
    ]
    assert {x["scheduler_arm"] for x in document["sets"] if x["imported_estimate"]} == {None}
    assert "  since_last_ms" in readme
    assert all("since_last_ms" in a for a in answers)
    assert document["reminder"]["local_minutes"] == 18 * 60 + 30
    assert document["streak"] == {"days": 1, "practised_today": True}
    assert sorted(c["title"] for c in document["classes"]) == ["7A Maths", "Chess Club"]
    assert sorted(h["legacy_user_id"] for h in document["imported_history"]) == ["u1", "u3"]
    assert document["answers"] == {"file": "answers.csv", "rows": 3}
    assert [a["correct"] for a in answers] == ["1", "0", "1"]
    assert [a["response_ms"] for a in answers] == ["1200", "2000", "900"]
    assert answers[0]["answered_at"].endswith("+00:00")


async def test_mydata_during_a_set_and_twice_quickly(dojo: Dojo) -> None:
    s = dojo.standin
    learner = await s.user(LEARNER_ID, NAME)
    problem = await start_set(s, learner, "math-arithmetic-addition-d101")
    number, _, question = current_question(problem)
    await s.send_text(learner, "/mydata")
    await s.send_text(learner, "/mydata")
    sent = await s.next_message(learner)
    assert sent.file_name is not None
    busy = await s.next_message(learner)
    assert busy.plain_text.startswith("Your data file is on its way or was just sent")
    await s.settle()
    assert len([m for m in s.messages(learner) if m.file_name]) == 1
    # The set goes on where it was.
    feedback = await reply(s, learner, str(solve(question)))
    assert feedback.plain_text.startswith("✓")
    assert current_question(feedback)[0] == number + 1
    # A minute later, a fresh file.
    dojo.clock.advance(60_000)
    again = await reply(s, learner, "/mydata")
    assert again.file_name is not None
    document, answers, _ = unpack(again.file_bytes)
    assert len(answers) == 1
    assert document["sets"][0]["end_time"] is None  # still running


async def test_the_archive_explains_itself_in_the_learners_language(dojo: Dojo) -> None:
    s = dojo.standin
    learner = await s.user(LEARNER_ID, NAME, language_code="es")
    await start_set(s, learner, "math-arithmetic-addition-d101")
    await s.send_text(learner, "/stop")
    await s.next_message(learner)
    sent = await reply(s, learner, "/mydata")
    assert sent.plain_text.startswith("🔒 Todo lo que guardo sobre ti: 0 respuestas, 1 serie,")
    document, _, readme = unpack(sent.file_bytes)
    assert readme.startswith("Tus datos de DojoBot (dojobot-mydata, versión 1)")
    assert "cuándo se creó este archivo" in readme
    for key in document:  # the keys are the format: the same in every language
        if key not in ("format", "version"):
            assert f"\n  {key}\n" in readme, f"README.txt documents {key}"


async def test_a_heavy_learners_answers_are_all_there_in_order(dojo: Dojo) -> None:
    """The answers are read and compressed a chunk at a time: every one arrives, in order,
    across the chunks' seams."""
    s = dojo.standin
    many = 2 * ANSWER_CHUNK + 7
    await add_user(dojo.db, LEARNER_ID, NAME)
    await add_attempts(
        dojo.db, LEARNER_ID, [(1, i % 3 > 0, 500 + i, 1_000 + i) for i in range(many)]
    )
    learner = await s.user(LEARNER_ID, NAME)
    sent = await reply(s, learner, "/mydata")
    assert f"{many:,} answers" in sent.plain_text or f"{many} answers" in sent.plain_text
    document, answers, _ = unpack(sent.file_bytes)
    assert document["answers"] == {"file": "answers.csv", "rows": many}
    assert [int(a["response_ms"]) for a in answers] == [500 + i for i in range(many)]
    assert [a["correct"] for a in answers[:3]] == ["0", "1", "1"]


async def test_mydata_holds_the_memory_cards(dojo: Dojo) -> None:
    s = dojo.standin
    learner = await s.user(LEARNER_ID, NAME)
    await practise(dojo, learner, [(True, 1200), (False, 2000), (True, 2500)])
    sent = await reply(s, learner, "/mydata")
    document, _, readme = unpack(sent.file_bytes)
    cards = document["fact_cards"]
    # Three reviews over the facts met: a quick right answer is Easy (4), a miss Again (1),
    # a right answer within the 3 s pace Good (3).
    assert sum(c["reviews"] for c in cards) == 3
    assert {c["topic"] for c in cards} == {"add"}
    assert 1 in {c["last_rating"] for c in cards}
    assert all(c["last_review_at"].endswith("+00:00") for c in cards)
    assert all(c["stability"] > 0 and 1 <= c["difficulty"] <= 10 for c in cards)
    assert "\n  fact_cards\n" in readme
