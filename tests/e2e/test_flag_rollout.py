"""The scheduler flag in a running bot: each set records the arm that chose it, a change
reaches the bot within a minute without a restart, and a running set keeps its arm."""

from __future__ import annotations

from prometheus_client import REGISTRY

from dojobot.engine.flags import SCHEDULER, arm_for
from dojobot.storage import flags
from tests.support.db import execute, fetchall
from tests.support.dojo import Dojo
from tests.support.learner import current_question, reply, solve, start_set

ADDITION = "math-arithmetic-addition-d101"
CLASS = -4001


async def arms(dojo: Dojo, user_id: int) -> list[str | None]:
    rows = await fetchall(
        dojo.db, "SELECT scheduler_arm FROM session WHERE user_id = ? ORDER BY session_id",
        (user_id,),
    )
    return [r[0] for r in rows]


def judged(arm: str) -> float:
    return REGISTRY.get_sample_value(
        "dojobot_answers_judged_total", {"result": "correct", "arm": arm}
    ) or 0.0


async def test_a_change_reaches_the_bot_within_a_minute_and_from_the_next_set(
    dojo: Dojo,
) -> None:
    s = dojo.standin
    learner = await s.user(7001, "Ada")
    # A new database starts the scheduler at 100%.
    first = await start_set(s, learner, ADDITION)
    assert await arms(dojo, learner.id) == ["fsrs"]

    await flags.turn_off(dojo.db, SCHEDULER, dojo.clock())
    # Within the bot's 30 s copy the old state holds; the running set keeps its arm.
    dojo.clock.advance(10_000)
    leitner_before = judged("leitner")
    fsrs_before = judged("fsrs")
    _, _, question = current_question(first)
    feedback = await reply(s, learner, str(solve(question)))
    assert feedback.plain_text.startswith("✓")
    assert (judged("fsrs") - fsrs_before, judged("leitner") - leitner_before) == (1, 0)
    await reply(s, learner, "/stop")
    await start_set(s, learner, ADDITION)
    assert await arms(dojo, learner.id) == ["fsrs", "fsrs"]

    # Past the refresh, without a restart: the next set is in the control arm, and its
    # answers are counted under it.
    dojo.clock.advance(flags.REFRESH_MS)
    second = await start_set(s, learner, ADDITION)
    assert await arms(dojo, learner.id) == ["fsrs", "fsrs", "leitner"]
    _, _, question = current_question(second)
    assert (await reply(s, learner, str(solve(question)))).plain_text.startswith("✓")
    assert judged("leitner") - leitner_before == 1


async def test_a_class_override_and_the_stable_split(dojo: Dojo) -> None:
    s = dojo.standin
    now = dojo.clock()
    await flags.set_percent(dojo.db, SCHEDULER, 50, now)
    learners = [await s.user(7100 + n, f"L{n}") for n in range(6)]
    for learner in learners:
        await start_set(s, learner, ADDITION)
        assert await arms(dojo, learner.id) == [arm_for(SCHEDULER, learner.id, 50)]
    # A class held back at 0%: its member is in the control arm from the next set.
    member = next(u for u in learners if arm_for(SCHEDULER, u.id, 50) == "fsrs")
    await execute(dojo.db, "INSERT INTO class_group (chat_id, title, created_at, updated_at) "
                           "VALUES (?, '7A', 0, 0)", (CLASS,))
    await execute(dojo.db, "INSERT INTO class_member (chat_id, user_id, joined_at) "
                           "VALUES (?, ?, 0)", (CLASS, member.id))
    assert await flags.set_class_percent(dojo.db, SCHEDULER, CLASS, 0, now)
    dojo.clock.advance(flags.REFRESH_MS)
    await start_set(s, member, ADDITION)
    assert await arms(dojo, member.id) == ["fsrs", "leitner"]
