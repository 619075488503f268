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


# The clause /pace uses for "still known tomorrow", as each language writes it.
TOMORROW = {
    "en": "you are likely to still know it tomorrow",
    "de": "du sie morgen wahrscheinlich noch weißt",
    "es": "es probable que mañana aún la recuerdes",
    "pt-br": "é provável que amanhã você ainda lembre dela",
    "ru": "завтра ты, скорее всего, его ещё помнишь",  # noqa: RUF001
    "fa": "احتمالاً فردا هم یادت بماند",
}
# The rule before the memory model, which /help kept after /pace was updated.
OLD_RULE = ("last two times", "letzten zwei Male", "dos últimas veces", "duas últimas vezes",
            "два последних ответа", "دو بار آخر")


async def test_help_states_the_fluency_rule_pace_states(dojo: Dojo) -> None:
    """Fluent is the last answer within pace and recall likely tomorrow, in /help as in
    /pace, in every language."""
    s = dojo.standin
    for n, (code, clause) in enumerate(TOMORROW.items()):
        learner = await s.user(710 + n, "Hana", language_code=code)
        await s.send_text(learner, "/pace")
        assert clause in (await s.next_message(learner)).plain_text, code
        await s.send_text(learner, "/help")
        shown = (await s.next_message(learner)).plain_text
        assert clause in shown, code
        assert not any(old in shown for old in OLD_RULE), code
