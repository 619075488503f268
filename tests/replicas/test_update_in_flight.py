"""A replica killed (`kill -9`) while it handles an update: the update is answered once and
nobody types anything again.

The replica answers Telegram's POST only once the update is handled, so the update comes
again: to the other replica behind the proxy (PostgreSQL) or to the restarted one (SQLite,
one process). Here the replica had judged the answer and was replying when it died (its
reply never reached Telegram): the answer must not be judged a second time, and its reply
is the one the dead replica was sending (the verdict, then the next problem or the set's
summary), read from the answer as stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from telegram_standin import BotApiStandIn
from tests.support.learner import current_question, solve
from tests.support.replicas import PAYLOAD, Cluster, attempts_by_learner
from tests.support.waiting import until


@pytest.mark.parametrize("held", ["second answer", "last answer"])
async def test_an_answer_held_by_a_killed_replica_counts_once_and_gets_its_reply(
    standin: BotApiStandIn, migrated_url: str, tmp_path: Path, held: str
) -> None:
    postgres = migrated_url.startswith("postgresql")
    cluster = Cluster(standin, migrated_url, tmp_path, count=2 if postgres else 1)
    learner = await standin.user(4242, "Kim")
    try:
        await cluster.start()
        await standin.send_text(learner, f"/start {PAYLOAD}")
        shown = await standin.next_message(learner, timeout=30)
        given: list[tuple[str, str]] = []
        while True:
            number, total, question = current_question(shown)
            given.append((question, str(solve(question))))
            if number == (2 if held == "second answer" else total):
                break
            await standin.send_text(learner, given[-1][1])
            shown = await standin.next_message(learner, timeout=30)
            assert shown.plain_text.startswith("✓")

        released = standin.hold("sendMessage", learner.id)  # its reply waits at Telegram
        sent = await standin.send_text(learner, given[-1][1])
        await until(lambda: standin.held_calls("sendMessage", learner.id) == 1,
                    "the bot judged the answer and is replying")
        victim = cluster.last_served()
        cluster.kill(victim)
        await until(lambda: standin.held_calls("sendMessage", learner.id) == 0,
                    "the killed replica's reply is dropped")
        released.set()
        dropped = standin.calls_of("sendMessage")[-1]
        assert not dropped.ok
        assert dropped.params["chat_id"] == learner.id
        if not postgres:
            await cluster.restart(victim)

        # Without typing anything again: the update came back, was judged already, and
        # gets the reply the killed replica was sending.
        again = await standin.next_message(learner, timeout=30)
        delivered = standin.calls_of("sendMessage")[-1]
        assert delivered.ok
        assert delivered.params["text"] == dropped.params["text"]
        assert delivered.params.get("reply_markup") == dropped.params.get("reply_markup")
        assert again.reply_to_message_id == sent["message_id"]  # late: it says to which
        if held == "last answer":
            assert again.plain_text.startswith("✓")
            assert "answers" in again.plain_text
            assert again.reply_markup is not None
        else:
            assert again.plain_text.startswith("✓"), again.plain_text
            question = current_question(again)[2]
            given.append((question, str(solve(question))))
            await standin.send_text(learner, given[-1][1])
            assert (await standin.next_message(learner, timeout=30)).plain_text.startswith("✓")
    finally:
        await cluster.stop()
    assert (await attempts_by_learner(migrated_url))[learner.id] == given
