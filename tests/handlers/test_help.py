"""/help shows the one command list and the progression's own figures."""

from __future__ import annotations

from dojobot.engine.progression import STANDARD
from dojobot.handlers.common import COMMANDS, GROUP_COMMANDS
from tests.support.dojo import Dojo


async def test_help_lists_every_command_and_the_stage_rule(dojo: Dojo) -> None:
    s = dojo.standin
    learner = await s.user(701, "Hana")
    await s.send_text(learner, "/help")
    shown = (await s.next_message(learner)).plain_text
    for command in COMMANDS:
        assert f"/{command.command} - {command.description}" in shown
    assert "In a class group: " + ", ".join(f"/{c.command}" for c in GROUP_COMMANDS) in shown
    assert set(STANDARD.requirements.values()) == {1000}
    assert "its reps (1000 by default) with at least 90% right over your last 100 answers" in (
        shown
    )
    # The menu Telegram shows is the same list.
    assert [c["command"] for c in s.my_commands()] == [c.command for c in COMMANDS]
