"""`dojobot build-cards`: cards from every stored answer, the same as the bot's own, once and
idempotently, on both engines through the real command, and beside a bot that is answering
(PostgreSQL: an answer committed between the build's read and its write)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from dojobot.engine.facts import fact_of
from telegram_standin import BotApiStandIn
from tests.support.classes import add_attempts, add_user, practise
from tests.support.cli import Cli
from tests.support.db import execute, fetchall
from tests.support.dojo import Dojo, run_dojo
from tests.support.learner import current_question, reply, solve, start_set
from tests.support.postgres import fresh_database
from tests.support.waiting import until

CARDS = """SELECT user_id, topic_id, fact, stability, difficulty, state, last_review_at, due_at,
                  reviews, last_rating, last_ms FROM fact_card ORDER BY user_id, topic_id, fact"""


@pytest.fixture
def cli(dojo: Dojo, standin: BotApiStandIn, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`dojobot ...` against the running bot's database."""
    return Cli(monkeypatch, dojo.database_path, database_url=dojo.database_url,
               bot_token=standin.token, api_base_url=standin.base_url)


async def test_cards_are_built_from_every_answer_once(dojo: Dojo, cli: Cli) -> None:
    learner = await dojo.standin.user(701, "Aoi")
    await practise(dojo, learner, [(True, 1200), (False, 2000), (True, 2500)])
    live = [tuple(r) for r in await fetchall(dojo.db, CARDS)]
    assert sum(r[8] for r in live) == 3  # the bot's own cards: three reviews
    # An answer history from before the cards existed: 1 + 1 three times, no card.
    await add_user(dojo.db, 702, "Old")
    await add_attempts(dojo.db, 702, [(1, True, 900, 1_000), (1, False, 3_000, 90_000),
                                      (1, True, 2_000, 86_400_000)])
    await execute(dojo.db, "DELETE FROM fact_card WHERE user_id = 701")  # and one lost

    run = await cli.run_async("build-cards")
    assert run.code == 0, run.err
    assert run.out.strip().startswith("built ")
    assert "for 2 learners" in run.out
    built = [tuple(r) for r in await fetchall(dojo.db, CARDS)]
    assert [r for r in built if r[0] == 701] == live  # the same cards as answering made
    [old] = [r for r in built if r[0] == 702]
    assert (old[2], old[8], old[9]) == ("add 1 1", 3, 3)  # three reviews, the last Good

    again = await cli.run_async("build-cards")
    assert again.code == 0, again.err
    assert "for 2 learners" in again.out
    assert [tuple(r) for r in await fetchall(dojo.db, CARDS)] == built


async def test_one_learner_is_one_learner(dojo: Dojo, cli: Cli) -> None:
    learner = await dojo.standin.user(703, "Aoi")
    await practise(dojo, learner, [(True, 1200)])
    run = await cli.run_async("build-cards")
    assert run.out.startswith("built 1 card for 1 learner "), run.out


async def test_a_build_beside_an_answering_bot_loses_no_answer(
    standin: BotApiStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: the build reads a learner's answers, then writes their cards; an answer
    committed in between was lost from its card (the build's older card replaced it). Here
    the build is held at its write by a lock on another of the learner's cards while the
    learner answers; afterwards every card is what the stored answers give (a second build
    changes nothing)."""
    import asyncpg

    learner = await standin.user(704, "Ren")
    async with fresh_database(migrated=True) as url, run_dojo(
        standin, tmp_path / "unused.sqlite3", database_url=url
    ) as dojo:
        cli = Cli(monkeypatch, tmp_path / "unused.sqlite3", database_url=url,
                  bot_token=standin.token, api_base_url=standin.base_url)
        message = await start_set(standin, learner, "math-arithmetic-addition-d101")
        # Until the problem shown is a fact with a card (a missed one, asked again) and a
        # card sorting before it exists. Misses come back within the set.
        while True:
            _, _, question = current_question(message)
            message = await reply(standin, learner, str(solve(question) + 1))
            _, _, shown = current_question(message)
            fact = fact_of("add", shown)
            carded = [r[0] for r in await fetchall(
                dojo.db, "SELECT fact FROM fact_card WHERE user_id = ? ORDER BY fact",
                (learner.id,))]
            if fact is not None and fact.key in carded and min(carded) < fact.key:
                break

        blocker = await asyncpg.connect(url)
        watcher = await asyncpg.connect(url)  # outside a transaction: a fresh view each time
        try:
            hold = blocker.transaction()
            await hold.start()
            # The learner's other cards are held, so the build waits at the first of them it
            # writes; its first version deleted all of the learner's cards first, so the
            # shown one is put last in both orders that delete could take (by key, as
            # chosen above, and in the table, by a write that changes nothing).
            await execute(dojo.db, "UPDATE fact_card SET reviews = reviews"
                          " WHERE user_id = ? AND fact = ?", (learner.id, fact.key))
            await blocker.execute(
                "SELECT 1 FROM fact_card WHERE user_id = $1 AND fact <> $2 FOR UPDATE",
                learner.id, fact.key)
            build = asyncio.create_task(cli.run_async("build-cards"))

            async def waiting(statement: str = "") -> int:
                return int(await watcher.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE $1", f"%{statement}%"))

            async def build_waits() -> bool:
                return await waiting("fact_card") > 0

            await until(build_waits, "the build waits to write")
            before = len(standin.messages(learner))
            await standin.send_text(learner, str(solve(shown)))
            # Either the answer is judged (the race: it commits while the build waits), or
            # it waits for the build to finish with this learner (the fix).
            async def judged_or_waiting() -> bool:
                return len(standin.messages(learner)) > before or await waiting() >= 2

            await until(judged_or_waiting, "the answer is judged or waits for the build")
            await hold.rollback()
            assert (await build).code == 0
            assert (await standin.next_message(learner)).plain_text.startswith("✓")
            await standin.settle()
        finally:
            await blocker.close()
            await watcher.close()
        after_race = [tuple(r) for r in await fetchall(dojo.db, CARDS)]
        # One review on the card for each stored answer to the fact (the race lost one).
        [answers] = await fetchall(
            dojo.db, "SELECT count(*) FROM attempt WHERE user_id = ? AND question = ?",
            (learner.id, shown))
        [card] = [r for r in after_race if r[2] == fact.key]
        assert (card[8], answers[0]) == (2, 2)
        assert (await cli.run_async("build-cards")).code == 0
        assert [tuple(r) for r in await fetchall(dojo.db, CARDS)] == after_race
