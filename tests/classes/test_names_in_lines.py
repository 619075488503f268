"""Names people chose, inside the bot's lines: a right-to-left name or a direction control
in one cannot reorder the line's figures or the rest of the line."""

from __future__ import annotations

from dojobot.i18n import FSI, PDI, person, use_language
from tests.support.classes import make_class, practise
from tests.support.dojo import Dojo
from tests.support.waiting import until


async def test_a_persian_name_keeps_the_board_line_in_order(dojo: Dojo) -> None:
    # "سارا · 3 right of 3": Persian letters pulled the figures after them to their side,
    # and a name with an unclosed override (U+202E) reversed the rest of its line.
    s = dojo.standin
    k = await make_class(dojo)
    sara = await s.user(601, "سارا")
    spoof = await s.user(602, "\u202eBen")
    for learner in (sara, spoof):
        await s.join_group(k.group, learner)
        await s.send_text(learner, "/join", chat=k.group)  # one join notice, edited
        await s.settle()
        await practise(dojo, learner, [(True, 1500)] * 3)
    await s.send_text(k.teacher, "/leaderboard", chat=k.group)
    await until(lambda: any(m.plain_text.startswith("🏆") for m in s.messages(k.group)),
                "the board is posted")
    board = next(m.plain_text for m in s.messages(k.group) if m.plain_text.startswith("🏆"))
    assert f"{FSI}سارا{PDI} · 3 right of 3" in board
    assert f"{FSI}\u202eBen{PDI} · 3 right of 3" in board
    assert FSI not in board.split("\n")[0]  # a Latin title stays as it is

    def joined() -> str:  # the join notice is edited in the background as names come
        return " ".join(m.plain_text for m in s.messages(k.group) if "Joined" in m.plain_text)

    await until(lambda: f"{FSI}\u202eBen{PDI}." in joined(), "the notice names Ben")
    assert f"✋ Joined the class: {FSI}سارا{PDI}" in joined()


def test_only_a_name_against_the_line_is_isolated() -> None:
    with use_language("en"):
        assert person("Aiko") == "Aiko"
        assert person("سارا") == f"{FSI}سارا{PDI}"
    with use_language("fa"):
        assert person("سارا") == "سارا"
        assert person("Aiko") == f"{FSI}Aiko{PDI}"
        assert person("\u202eAiko") == f"{FSI}\u202eAiko{PDI}"
