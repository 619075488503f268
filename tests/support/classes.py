"""Class tests: a group with a teacher and learners practising for real, or rows written
straight into a database for the storage-level tests."""

from __future__ import annotations

from dataclasses import dataclass

from dojobot.jobs.class_boards import WEEKLY_JOB, post_weekly_boards
from dojobot.storage.db import Database
from dojobot.transport.context import DojoContext
from telegram_standin import BotApiStandIn, BotMessage, Chat, User
from telegram_standin.observe import WAIT_TIMEOUT_S
from tests.support.db import execute, executemany
from tests.support.dojo import Dojo
from tests.support.learner import current_question, solve

GROUP_ID = -4001
CHAT = GROUP_ID  # the class of the storage-level tests
# Sunday 30 Nov 2025 18:30 UTC; the fixture's clock starts on Monday 24 Nov 2025 16:00 UTC.
SUNDAY_EVENING_MS = 1_764_527_400_000


@dataclass
class Klass:
    """A group run as a class, its admin and two learners."""

    group: Chat
    teacher: User
    aiko: User
    ben: User
    welcome: BotMessage


async def make_class(dojo: Dojo, *, group_id: int = GROUP_ID, title: str = "7A Maths") -> Klass:
    """A group whose creator adds the bot; returns the welcome post."""
    s = dojo.standin
    teacher = await s.user(900, "Ms Tanaka")
    aiko = await s.user(501, "Aiko")
    ben = await s.user(502, "Ben")
    group = await s.group(group_id, title)
    await s.set_admins(group, teacher, [])
    for learner in (aiko, ben):
        await s.join_group(group, learner)  # before the bot: no service messages for it
    await s.add_bot_to_group(group, teacher)
    welcome = await s.next_message(group)
    await s.settle()
    return Klass(group, teacher, aiko, ben, welcome)


async def toast(s: BotApiStandIn, query_id: str) -> str:
    """The text a tap was answered with, waiting for the answer itself: a bot busy with the
    database makes no API call for a while, so a quiet spell does not mean it is done."""
    while query_id not in s.callback_answers:
        answered = await s.wait_for_change(timeout=WAIT_TIMEOUT_S)
        assert answered, f"tap {query_id} was never answered"
    return str(s.callback_answers[query_id].get("text", ""))


async def in_group(dojo: Dojo, user: User, text: str, group: Chat) -> BotMessage:
    """The user writes in the group; returns the bot's next message there."""
    await dojo.standin.send_text(user, text, chat=group)
    message = await dojo.standin.next_message(group)
    await dojo.standin.settle()
    return message


async def practise(dojo: Dojo, learner: User, answers: list[tuple[bool, int]]) -> None:
    """Answer Addition problems in the private chat: (right?, response ms) each, then /stop."""
    s = dojo.standin
    await s.send_text(learner, "/start math-arithmetic-addition-d101")
    message = await s.next_message(learner)
    await s.settle()
    for right, ms in answers:
        _, _, question = current_question(message)
        value = solve(question)
        dojo.clock.advance(ms)
        await s.send_text(learner, str(value if right else value + 1))
        message = await s.next_message(learner)
        await s.settle()  # the bot notes when the next problem went out after sending it
    await s.send_text(learner, "/stop")
    await s.next_message(learner)
    await s.settle()


async def add_user(db: Database, user_id: int, name: str, nickname: str | None = None) -> None:
    """A user row, as the gatekeeper would write it."""
    await execute(
        db,
        'INSERT INTO "user" (user_id, first_name, nickname, created_at, last_seen_at)'
        " VALUES (?, ?, ?, 0, 0)",
        (user_id, name, nickname),
    )


async def add_attempts(
    db: Database, user_id: int, rows: list[tuple[int, bool, int, int]]
) -> None:
    """rows: (topic id, correct, response ms, answered at ms)."""
    async with db.transaction() as tx:
        created = await tx.fetchone(
            "INSERT INTO session (user_id, topic_id, stage_id, start_time)"
            " VALUES (?, 1, 1, 0) RETURNING session_id",
            (user_id,),
        )
    assert created is not None
    session_id = created[0]
    await executemany(
        db,
        """INSERT INTO attempt (session_id, user_id, topic_id, stage_id, question, expected,
                                given, correct, response_ms, answered_at)
           VALUES (?, ?, ?, 1, '1 + 1', '2', '2', ?, ?, ?)""",
        [(session_id, user_id, t, int(c), r, at) for t, c, r, at in rows],
    )
    # As the answer path does, in the same spirit: one rep (and one correct) per attempt.
    await executemany(
        db,
        """INSERT INTO user_progress (user_id, topic_id, total_reps, correct_reps,
                                      stage_started_at)
           VALUES (?, ?, 1, ?, 0)
           ON CONFLICT (user_id, topic_id) DO UPDATE SET
               total_reps = user_progress.total_reps + 1,
               correct_reps = user_progress.correct_reps + excluded.correct_reps""",
        [(user_id, t, int(c)) for t, c, _r, _at in rows],
    )


async def join_both(dojo: Dojo, k: Klass) -> None:
    """Aiko joins by the welcome's button, Ben by /join."""
    s = dojo.standin
    qid = await s.press(k.aiko, "✋ Join the class", message_id=k.welcome.message_id, chat=k.group)
    assert (await toast(s, qid)).startswith("✋ You joined 7A Maths!")
    await s.settle()
    reply = await in_group(dojo, k.ben, "/join", k.group)
    assert reply.plain_text.startswith("✋ Joined the class: Ben.")


async def delete_from_board(dojo: Dojo, k: Klass, panel: BotMessage) -> None:
    """The teacher deletes the class from the board's panel, confirming."""
    s = dojo.standin
    await s.press(k.teacher, "🗑 Delete the class", message_id=panel.message_id, chat=k.group)
    await s.settle()
    qid = await s.press(k.teacher, "🗑 Delete for good", message_id=panel.message_id,
                        chat=k.group)
    assert await toast(s, qid) == "Class deleted."
    await s.settle()


async def run_weekly_job(dojo: Dojo) -> None:
    """The weekly-board job's body, once, at the fake clock's time."""
    [job] = dojo.app.job_queue.get_jobs_by_name(WEEKLY_JOB)  # type: ignore[union-attr]
    await post_weekly_boards(DojoContext.from_job(job, dojo.app))
    await dojo.standin.settle()
