"""/forgetme empties what the bot keeps in memory too: the join notice that named the
learner, their language choice, who they were (the other replicas: tests/replicas/)."""

from __future__ import annotations

from functools import partial

from dojobot.storage import classes as store
from tests.support.classes import GROUP_ID, in_group, make_class, toast
from tests.support.dojo import Dojo
from tests.support.learner import reply
from tests.support.waiting import until


async def test_an_erased_learner_leaves_join_notices_and_their_language_behind(
    dojo: Dojo,
) -> None:
    s = dojo.standin
    k = await make_class(dojo)
    notice = await in_group(dojo, k.aiko, "/join", k.group)
    assert notice.plain_text.startswith("✋ Joined the class: Aiko.")
    chosen = await reply(s, k.aiko, "/language Deutsch")
    assert chosen.plain_text.startswith("Ich spreche Deutsch mit dir")
    asked = await reply(s, k.aiko, "/forgetme")
    delete = asked.flat_buttons[0].callback_data
    assert delete is not None
    qid = await s.press_data(k.aiko, None, asked.message_id, delete)
    assert await toast(s, qid) == "Gelöscht."
    await s.settle()

    # The notice named only them: it is gone from the group (once its edit gap is over).
    await until(
        lambda: notice.message_id not in [m.message_id for m in s.messages(k.group)],
        "the notice that named only the erased learner is deleted",
    )
    # Another member joins within the notice's ten minutes: a new notice, without them.
    dojo.clock.advance(60_000)
    await s.send_text(k.ben, "/join", chat=k.group)
    await until(partial(store.is_member, dojo.db, GROUP_ID, k.ben.id), "Ben joined")
    # The notice goes out from a task of its own (it waits for the group's room), which
    # settle() does not see: wait for it.
    await until(
        lambda: any(m.plain_text.startswith("✋ Joined the class: Ben.")
                    for m in s.messages(k.group)),
        "Ben's join notice is shown",
    )
    await s.settle()
    shown = [m.plain_text for m in s.messages(k.group)]
    assert not any("Aiko" in text for text in shown), shown
    # Met as new: Telegram's language (English), not the erased choice.
    menu = await reply(s, k.aiko, "/start")
    assert "Math" in [b.text.split(" ")[-1] for b in menu.flat_buttons], menu.plain_text
    assert "Mathe" not in menu.plain_text
