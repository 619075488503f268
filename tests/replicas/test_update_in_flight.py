"""A replica killed (`kill -9`) while it handles an update: the update is answered once and
nobody types anything again.

The replica answers Telegram's POST only once the update is handled, so the update comes
again: to the other replica behind the proxy (PostgreSQL) or to the restarted one (SQLite,
one process). Here the replica had judged the answer and was replying when it died (its
reply never reached Telegram): the answer must not be judged a second time."""

from __future__ import annotations

from pathlib import Path

from telegram_standin import BotApiStandIn
from tests.support.learner import current_question, solve
from tests.support.replicas import PAYLOAD, Cluster, attempts_by_learner
from tests.support.waiting import until


async def test_an_answer_held_by_a_killed_replica_counts_once(
    standin: BotApiStandIn, backend_url: str, tmp_path: Path
) -> None:
    postgres = backend_url.startswith("postgresql")
    cluster = Cluster(standin, backend_url, tmp_path, count=2 if postgres else 1)
    learner = await standin.user(4242, "Kim")
    try:
        await cluster.start()
        await standin.send_text(learner, f"/start {PAYLOAD}")
        shown = await standin.next_message(learner, timeout=30)
        given: list[tuple[str, str]] = []
        for _ in range(2):
            question = current_question(shown)[2]
            given.append((question, str(solve(question))))
            if len(given) == 2:  # the second answer's reply waits at Telegram
                released = standin.hold("sendMessage", learner.id)
            sent = await standin.send_text(learner, given[-1][1])
            if len(given) == 1:
                shown = await standin.next_message(learner, timeout=30)
                assert shown.plain_text.startswith("✓")

        await until(lambda: standin.held_calls("sendMessage", learner.id) == 1,
                    "the bot judged the answer and is replying")
        victim = cluster.last_served()
        cluster.kill(victim)
        await until(lambda: standin.held_calls("sendMessage", learner.id) == 0,
                    "the killed replica's reply is dropped")
        released.set()
        if not postgres:
            await cluster.restart(victim)

        # Without typing anything again: the update came back, and was judged already.
        again = await standin.next_message(learner, timeout=30)
        assert again.plain_text.startswith("Already counted.\nProblem 3 of"), again.plain_text
        assert again.reply_to_message_id == sent["message_id"]
        question = current_question(again)[2]
        given.append((question, str(solve(question))))
        await standin.send_text(learner, given[-1][1])
        assert (await standin.next_message(learner, timeout=30)).plain_text.startswith("✓")
    finally:
        await cluster.stop()
    assert (await attempts_by_learner(backend_url))[learner.id] == given
