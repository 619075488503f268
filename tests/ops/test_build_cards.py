"""`dojobot build-cards`: cards from every stored answer, the same as the bot's own, once and
idempotently, on both engines through the real command."""

from __future__ import annotations

import pytest

from telegram_standin import BotApiStandIn
from tests.support.classes import add_attempts, add_user, practise
from tests.support.cli import Cli
from tests.support.db import execute, fetchall
from tests.support.dojo import Dojo

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
