"""Telegram's 20 messages a minute per group: no reply vanishes, joins share one message.

The stand-in enforces Telegram's limits here (429 past 30 a second or 20 a minute in a
group), so a reply sent past them would show as a refused call.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import pytest

from dojobot.storage import classes as store
from telegram_standin import BotApiStandIn
from tests.support.classes import GROUP_ID, make_class
from tests.support.dojo import Dojo, run_dojo
from tests.support.waiting import until


@asynccontextmanager
async def limited_dojo(tmp_path: Path, url: str) -> AsyncIterator[Dojo]:
    async with (
        BotApiStandIn(enforce_rate_limits=True) as standin,
        run_dojo(standin, tmp_path / "dojobot.sqlite3", database_url=url) as dojo,
    ):
        yield dojo
        assert standin.stats.rate_limited == 0
        assert standin.unanswered_callback_queries() == []


async def test_twenty_joins_at_once_share_one_notice_and_the_admin_is_answered(
    tmp_path: Path, migrated_url: str
) -> None:
    async with limited_dojo(tmp_path, migrated_url) as dojo:
        s = dojo.standin
        k = await make_class(dojo)
        learners = [await s.user(600 + i, f"Learner{i:02}") for i in range(20)]
        for learner in learners:
            await s.send_text(learner, "/join", chat=k.group)
        await s.send_text(k.teacher, "/board", chat=k.group)
        for learner in learners:
            await until(partial(store.is_member, dojo.db, GROUP_ID, learner.id), "joined")
        await until(lambda: any("Period: this week" in m.plain_text
                                for m in s.messages(k.group)), "the admin's panel")

        def notices() -> list[str]:
            return [m.plain_text for m in s.messages(k.group)
                    if m.plain_text.startswith("✋ Joined the class:")]

        await until(lambda: all(lr.first_name in "".join(notices()) for lr in learners),
                    "every joiner is on the notice")
        await s.settle()
        assert len(notices()) == 1
        posted = s.messages(k.group)[1:]  # after the welcome
        assert len(posted) == 2  # the notice (sent, then edited once) and the panel


async def test_a_burst_past_the_group_limit_is_queued_not_dropped(
    tmp_path: Path, migrated_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="dojobot")
    async with limited_dojo(tmp_path, migrated_url) as dojo:
        s = dojo.standin
        k = await make_class(dojo)  # the welcome is the minute's first message
        for _ in range(25):
            await s.send_text(k.aiko, "/leaderboard", chat=k.group)

        def queued() -> int:
            return sum("reply queued" in r.getMessage() for r in caplog.records)

        await until(lambda: queued() == 6, "the replies past the limit are queued")
        await s.settle()
        assert len(s.messages(k.group)) == 20  # all Telegram allows this minute
    stopped = [r for r in caplog.records if "queued group replies not sent" in r.getMessage()]
    assert [r.getMessage() for r in stopped] == ["shutdown: 6 queued group replies not sent"]


async def test_after_eighteen_joins_an_admins_commands_go_first_and_in_order(
    tmp_path: Path, migrated_url: str
) -> None:
    """Eighteen join-notice edits spent the group's 20 messages a minute: the admin's /board
    came 31 s later, and /leave, sent after it, was answered first. The notice now leaves
    part of the minute to commands, and a group's replies keep their order."""
    async with limited_dojo(tmp_path, migrated_url) as dojo:
        s = dojo.standin
        k = await make_class(dojo)
        learners = [await s.user(700 + i, f"Joiner{i:02}") for i in range(18)]

        def notice() -> str:
            return next((m.plain_text for m in s.messages(k.group)
                         if m.plain_text.startswith("✋ Joined the class:")), "")

        def on_notice(name: str) -> bool:
            return name in notice()

        # Thirteen join one by one, each on the notice before the next: with the welcome,
        # 14 of the group's 20 messages this minute are spent.
        for learner in learners[:13]:
            await s.send_text(learner, "/join", chat=k.group)
            await until(partial(on_notice, learner.first_name), "on the notice")
        for learner in learners[13:]:  # five more at once, then the admin and a member
            await s.send_text(learner, "/join", chat=k.group)
        before = len(s.messages(k.group))
        await s.send_text(k.teacher, "/board", chat=k.group)
        await s.send_text(learners[0], "/leave", chat=k.group)

        def replies() -> list[str]:
            return [m.plain_text for m in s.messages(k.group)[before:]
                    if not m.plain_text.startswith("✋ Joined the class:")]

        # Within the stand-in's wait (30 s): with the notice's edits taking the minute, one
        # of the two waited for the next minute.
        await until(lambda: len(replies()) == 2, "both commands are answered")
        board, leave = replies()  # in the order they were sent
        assert "Period: this week" in board
        assert leave.startswith("You left the class")
