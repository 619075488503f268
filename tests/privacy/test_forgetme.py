"""/forgetme: one confirmation, then no table holds a row that names the learner."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import pytest

from dojobot.storage.privacy import (
    CONFIRM_TTL_MS,
    ERASE_BATCH,
    Erased,
    confirm_erasure,
    request_erasure,
)
from tests.support.classes import add_attempts, add_user, in_group, practise, toast
from tests.support.cli import Cli
from tests.support.db import fetchall, fetchone
from tests.support.dojo import Dojo
from tests.support.learner import reply
from tests.support.privacy import (
    LEARNER_ID,
    NAME,
    NICKNAME,
    USERNAME,
    do_everything,
    rows_naming,
)

NAMES = [NAME, USERNAME, NICKNAME]


async def ask(dojo: Dojo, learner_id: int = LEARNER_ID) -> int:
    """/forgetme; returns the confirmation's message id."""
    s = dojo.standin
    learner = await s.user(learner_id, NAME, username=USERNAME)
    message = await reply(s, learner, "/forgetme")
    assert "Delete everything I keep about you?" in message.plain_text
    assert [b.text for b in message.flat_buttons] == ["🗑 Delete everything", "Keep my data"]
    return message.message_id


async def press(dojo: Dojo, message_id: int, button: str = "🗑 Delete everything") -> str:
    s = dojo.standin
    learner = await s.user(LEARNER_ID, NAME, username=USERNAME)
    qid = await s.press(learner, button, message_id=message_id)
    answer = await toast(s, qid)  # the erasure may outlast settle()'s quiet spell
    await s.settle()
    return answer


async def test_forgetme_leaves_no_row_that_names_the_learner(
    dojo: Dojo, cli: Cli, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    s = dojo.standin
    everything = await do_everything(dojo, cli, tmp_path)
    before = await rows_naming(dojo.db, LEARNER_ID, NAMES)
    # The scan sees them everywhere they did something (so an empty scan later means gone).
    assert {"user", "attempt", "session", "user_progress", "reminder", "class_member",
            "legacy_account", "legacy_progress_change", "legacy_claim_token"} <= set(before)

    # Their set's scheduler arm (the one thing flags store per person) goes with the set.
    arms = "SELECT scheduler_arm FROM session WHERE user_id = ? AND scheduler_arm IS NOT NULL"
    assert [r[0] for r in await fetchall(dojo.db, arms, (LEARNER_ID,))] == ["fsrs"]
    message_id = await ask(dojo)
    tables = await rows_naming(dojo.db, LEARNER_ID, NAMES)
    assert "forget_request" in tables
    # /privacy names every table that holds something about them.
    statement = (await reply(s, everything.learner, "/privacy")).plain_text
    assert statement.startswith("🔒 What DojoBot keeps about you")
    for table in tables:
        assert f"{table}" in statement, table
    assert "(forgotten): a one-way fingerprint of your Telegram id" in statement
    with caplog.at_level(logging.INFO, logger="dojobot"):
        assert await press(dojo, message_id) == "Deleted."
    [done] = [m for m in s.messages(everything.learner) if m.message_id == message_id]
    assert done.plain_text.startswith("🗑 Done: everything I kept about you is deleted.")
    assert done.flat_buttons == []

    assert await rows_naming(dojo.db, LEARNER_ID, NAMES) == {}
    assert await fetchall(dojo.db, arms, (LEARNER_ID,)) == []
    legacy = await fetchall(
        dojo.db,
        "SELECT legacy_user_id FROM legacy_account WHERE legacy_user_id IN ('u1', 'u3')"
    )
    assert legacy == []
    # The log says that it happened and how much, never who.
    [line] = [r.getMessage() for r in caplog.records if "erased their data" in r.getMessage()]
    assert "attempt=3 " in line
    assert "class_member=2 " in line
    for secret in (str(LEARNER_ID), NAME, USERNAME, NICKNAME):
        assert secret not in caplog.text

    # Off both boards; the bot meets them as new.
    teacher = await s.user(900, "Ms Tanaka")
    for group in everything.groups:
        board = await in_group(dojo, teacher, "/leaderboard", group)
        assert NICKNAME not in board.plain_text
        assert NAME not in board.plain_text
    menu = await reply(s, everything.learner, "/start math-arithmetic-addition")
    assert menu.plain_text.startswith("Addition · Hatsu"), menu.plain_text  # was Ri

    # The same import again, with the same mapping: their old history stays gone (u1 was
    # mapped to them, u3 claimed by them); only keyed hashes of those ids were kept.
    again = await cli.run_async(
        "import-legacy", str(tmp_path / "ps.csv"), "--users", str(tmp_path / "users.csv")
    )
    assert again.code == 0, again.err
    assert "not imported, their learner erased their data (/forgetme): 7" in again.out
    legacy = await fetchall(
        dojo.db,
        "SELECT legacy_user_id FROM legacy_account WHERE legacy_user_id IN ('u1', 'u3')"
    )
    assert legacy == []
    # Only the new learner they became when they wrote again.
    assert await rows_naming(dojo.db, LEARNER_ID, [*NAMES, "u1", "u3"]) == {"user": 1}
    progress = await reply(s, everything.learner, "/start math-arithmetic-addition")
    assert progress.plain_text.startswith("Addition · Hatsu"), progress.plain_text


async def test_confirm_twice_after_expiry_forged_kept_and_in_a_group(dojo: Dojo) -> None:
    s = dojo.standin
    learner = await s.user(LEARNER_ID, NAME, username=USERNAME)
    await reply(s, learner, "/nickname Keeper")
    # Keep: nothing happens, and the button is gone.
    first = await ask(dojo)
    delete_data = s.messages(learner)[-1].flat_buttons[0].callback_data
    assert delete_data is not None
    assert await press(dojo, first, "Keep my data") == "Nothing was deleted."
    assert s.messages(learner)[-1].plain_text == "Nothing was deleted."
    # Keeping cancels the request: the Delete button of the same message (still in an
    # older client's view) erases nothing.
    qid = await s.press_data(learner, None, first, delete_data)
    await s.settle()
    assert s.callback_answers[qid]["text"].startswith("That button is no longer valid")
    assert await fetchone(dojo.db, """SELECT 1 FROM "user" WHERE nickname = 'Keeper'""")
    # After 10 minutes the button has expired.
    expired = await ask(dojo)
    dojo.clock.advance(CONFIRM_TTL_MS)
    assert (await press(dojo, expired)).startswith("That button has expired: nothing was")
    assert await fetchone(dojo.db, """SELECT 1 FROM "user" WHERE nickname = 'Keeper'""")
    # A newer /forgetme replaces an older one: the older button does nothing.
    older = await ask(dojo)
    newer = await ask(dojo)
    assert (await press(dojo, older)).startswith("That button is no longer valid")
    # Another learner forging the button's data in their own chat deletes nothing of anyone.
    confirm_data = s.messages(learner)[-1].flat_buttons[0].callback_data
    assert confirm_data is not None
    mallory = await s.user(666, "Mallory")
    await reply(s, mallory, "/start")
    qid = await s.press_data(mallory, None, s.messages(mallory)[-1].message_id, confirm_data)
    await s.settle()
    assert s.callback_answers[qid]["text"].startswith("That button is no longer valid")
    assert await fetchone(dojo.db, 'SELECT 1 FROM "user" WHERE user_id = 666') is not None
    assert await fetchone(dojo.db, """SELECT 1 FROM "user" WHERE nickname = 'Keeper'""")
    # Confirmed: erased once; the second tap (a new learner by then) deletes nothing.
    assert await press(dojo, newer) == "Deleted."
    await reply(s, learner, "/nickname Again")
    qid = await s.press_data(learner, None, newer, confirm_data)  # the removed button
    await s.settle()
    assert s.callback_answers[qid]["text"].startswith("That button is no longer valid")
    assert await fetchone(dojo.db, """SELECT 1 FROM "user" WHERE nickname = 'Again'""") is not None

    # In a group: nothing is deleted and nothing about anyone is said there.
    teacher = await s.user(900, "Ms Tanaka")
    group = await s.group(-4001, "7A Maths")
    await s.set_admins(group, teacher, [])
    await s.add_bot_to_group(group, teacher)
    await s.next_message(group)
    await s.settle()
    answer = await in_group(dojo, learner, "/forgetme", group)
    assert answer.plain_text == (
        "I answer /forgetme in our private chat only: open it and send /forgetme there."
    )
    assert await fetchone(dojo.db, """SELECT 1 FROM "user" WHERE nickname = 'Again'""") is not None


async def test_a_heavy_learners_erasure_lets_other_answers_in_between(dojo: Dojo) -> None:
    """Their answers go in short transactions: another learner's answer is recorded while
    the erasure runs, not after it (one statement held the database for half a second)."""
    heavy, other = 4711, 4712
    for user_id in (heavy, other):
        await add_user(dojo.db, user_id, f"L{user_id}")
    many = 20 * ERASE_BATCH
    await add_attempts(dojo.db, heavy, [(1, True, 900, 1_000 + i) for i in range(many)])
    await request_erasure(dojo.db, heavy, "n0nce", 0)
    key = dojo.app.bot_data.erasure_key
    erasing = asyncio.create_task(confirm_erasure(dojo.db, heavy, "n0nce", 1, key))

    async def theirs() -> int:
        row = await fetchone(dojo.db, "SELECT count(*) FROM attempt WHERE user_id = ?", (heavy,))
        assert row is not None
        return int(row[0])

    for _ in range(10_000):  # each turn lets the erasure run (SQLite: until its next batch)
        await asyncio.sleep(0)
        if 0 < await theirs() < many:
            break
    else:
        raise AssertionError("the answers went all at once")
    await add_attempts(dojo.db, other, [(1, True, 800, 5_000)])  # between two batches
    left = await theirs()
    outcome = await erasing
    assert 0 < left < many
    assert isinstance(outcome, Erased)
    assert outcome.counts["attempt"] == many
    assert await theirs() == 0
    assert await fetchone(dojo.db, "SELECT 1 FROM attempt WHERE user_id = ?", (other,))


@pytest.mark.sqlite_only(reason="SQLite's writes run on the event loop's thread")
async def test_a_heavy_learners_erasure_runs_off_the_event_loop(dojo: Dojo) -> None:
    """Each batch (and its COMMIT, which may checkpoint the WAL) runs on a worker thread:
    on the loop's thread one held up every learner's reply, not only those that needed the
    database (the slowest answers while a 100,000-answer learner was erased)."""
    heavy = 4713
    await add_user(dojo.db, heavy, "Heavy")
    await add_attempts(dojo.db, heavy, [(1, True, 900, 1_000 + i) for i in range(3 * ERASE_BATCH)])
    await request_erasure(dojo.db, heavy, "n0nce", 0)
    traced_statements: list[tuple[str, int]] = []  # (statement, the thread it ran on)

    def traced(statement: str) -> None:
        traced_statements.append((statement, threading.get_ident()))

    connection = dojo.db._conn  # type: ignore[attr-defined]  # the writer (SqliteDatabase)
    connection.set_trace_callback(traced)
    try:
        key = dojo.app.bot_data.erasure_key
        assert isinstance(await confirm_erasure(dojo.db, heavy, "n0nce", 1, key), Erased)
    finally:
        connection.set_trace_callback(None)
    batch = "DELETE FROM attempt WHERE attempt_id IN"
    batches = [  # four (the last one short), each with its COMMIT
        thread for i, (statement, thread) in enumerate(traced_statements)
        if statement.startswith(batch)
        or (statement == "COMMIT" and traced_statements[i - 1][0].startswith(batch))
    ]
    assert len(batches) == 8
    assert threading.get_ident() not in batches


async def test_forgetme_erases_the_memory_cards(dojo: Dojo) -> None:
    s = dojo.standin
    learner = await s.user(LEARNER_ID, NAME, username=USERNAME)
    await practise(dojo, learner, [(True, 1200), (False, 2000)])
    other = await s.user(LEARNER_ID + 1, "Other")
    await practise(dojo, other, [(True, 1500)])
    cards = "SELECT user_id, count(*) FROM fact_card GROUP BY user_id ORDER BY user_id"
    assert [r[0] for r in await fetchall(dojo.db, cards)] == [LEARNER_ID, LEARNER_ID + 1]
    assert await press(dojo, await ask(dojo)) == "Deleted."
    assert [tuple(r) for r in await fetchall(dojo.db, cards)] == [(LEARNER_ID + 1, 1)]


# What the confirmation calls each table that can hold something about the learner.
SAID = {
    "user": ("timezone", "pace", "language choice"),
    "attempt": ("your answers", "the app's timings"),
    "session": ("sets",),
    "user_progress": ("progress", "streak"),
    "fact_memory": ("what I remember of each fact",),
    "fact_card": ("what I remember of each fact",),
    "reminder": ("reminder",),
    "class_member": ("your classes", "nickname", "every class board"),
    "class_focus": ("a class focus you set stays without your name",),
    "legacy_account": ("imported history",),
    "legacy_progress_change": ("imported history",),
    "legacy_claim_token": ("imported history",),
    "legacy_session": ("imported history",),
    "forget_request": (),  # the request itself
}


async def test_the_confirmation_names_everything_it_deletes(
    dojo: Dojo, cli: Cli, tmp_path: Path
) -> None:
    """Before: it named neither the memory cards, the language choice, the timezone and
    pace, a class focus, nor the app's timings. A table that comes to hold something about
    a learner fails here until the confirmation says what happens to it."""
    await do_everything(dojo, cli, tmp_path)
    tables = set(await rows_naming(dojo.db, LEARNER_ID, NAMES))
    assert tables - set(SAID) == set(), "name these in forget.ASK and here"
    learner = await dojo.standin.user(LEARNER_ID, NAME, username=USERNAME)
    message = await reply(dojo.standin, learner, "/forgetme")
    text = " ".join(message.plain_text.split())
    for table in tables:
        for phrase in SAID[table]:
            assert phrase in text, (table, phrase, text)
