"""`dojobot build-cards`: the FSRS cards of every learner, built from every stored answer
(answers from before the cards existed included), one learner per transaction, with
progress. Idempotent: the same answers give the same cards, so a second run (or a run after
an interrupted one) changes nothing that the first one finished."""

from __future__ import annotations

import argparse
import asyncio

from dojobot.cli.common import open_current
from dojobot.cli.progress import progress
from dojobot.config import Settings
from dojobot.storage import cards as store


async def _build(settings: Settings) -> None:
    async with open_current(settings) as db:
        learners = await store.learners_with_answers(db)
        total = 0
        with progress("build-cards", len(learners), "learners") as shown:
            for done, user_id in enumerate(learners, start=1):
                total += await store.rebuild_cards(db, user_id, settings.target_retention)
                shown.update(done)
    print(f"built {_count(total, 'card')} for {_count(len(learners), 'learner')} "
          f"(target retention {settings.target_retention})")


def _count(n: int, noun: str) -> str:
    """'1 learner', '2 learners': the maintainer reads this line after every upgrade."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def cmd_build_cards(settings: Settings, args: argparse.Namespace) -> None:
    """Build every learner's FSRS cards from their stored answers."""
    del args
    asyncio.run(_build(settings))


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `dojobot build-cards` on the `dojobot` parser."""
    build = sub.add_parser(
        "build-cards", help="build the FSRS memory cards from every stored answer",
        description="Replays each learner's answers, oldest first, through FSRS (as the bot "
        "does with each new answer) and replaces their cards with the result: run once after "
        "upgrading to the version with memory cards, so answers from before count. Safe to "
        "run again: the same answers give the same cards.",
    )
    build.set_defaults(func=cmd_build_cards)
