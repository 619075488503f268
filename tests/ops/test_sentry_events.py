"""What reaches Sentry when an update raises: one event, tagged with the learner's scheduler
arm (an error rate can be split by arm during a rollout), without the learner's name or
message and without the bot's token.

A real sentry_sdk client is started with DOJOBOT_SENTRY_DSN (ops/runtime.init_sentry, as
`dojobot run` does) and a transport of sentry_sdk's own interface that keeps the envelopes
instead of sending them: no network.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from dojobot.engine.flags import SCHEDULER, arm_for
from dojobot.storage import flags
from telegram_standin import BotApiStandIn
from tests.support.db import execute
from tests.support.dojo import run_dojo
from tests.support.learner import reply, start_set
from tests.support.waiting import until

sentry_sdk = pytest.importorskip("sentry_sdk")
from sentry_sdk.envelope import Envelope  # noqa: E402
from sentry_sdk.transport import Transport  # noqa: E402

ADDITION = "math-arithmetic-addition-d101"
DSN = "https://public@sentry.example/1"


class KeptEnvelopes(Transport):
    """Keeps every envelope the client would send."""

    kept: ClassVar[list[Envelope]] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.kept.append(envelope)


def events() -> list[dict[str, Any]]:
    return [item.payload.json for envelope in KeptEnvelopes.kept for item in envelope.items
            if item.type == "event" and item.payload.json is not None]


@pytest.fixture
def kept_by_sentry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """init_sentry's client sends through KeptEnvelopes: the default transport is the only
    part of sentry_sdk replaced."""
    KeptEnvelopes.kept = []
    real_init = sentry_sdk.init
    monkeypatch.setattr(sentry_sdk, "init",
                        lambda **options: real_init(**options, transport=KeptEnvelopes))
    yield
    sentry_sdk.get_client().close()
    real_init()  # no client: the rest of the suite runs without Sentry, as configured


async def test_an_error_in_an_update_is_tagged_with_the_learners_arm(
    kept_by_sentry: None, standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> None:
    async with run_dojo(standin, tmp_path / "dojobot.sqlite3", database_url=migrated_url,
                        sentry_dsn=DSN) as dojo:
        await flags.set_percent(dojo.db, SCHEDULER, 50, dojo.clock())
        dojo.clock.advance(flags.REFRESH_MS)
        # One learner in each arm at 50% (the stable hash), so the tag is each one's own.
        learners: dict[str, int] = {}
        for user_id in range(8100, 8200):
            learners.setdefault(arm_for(SCHEDULER, user_id, 50), user_id)
            if len(learners) == 2:
                break
        for arm, user_id in learners.items():
            learner = await standin.user(user_id, f"Secret{arm}")
            await start_set(standin, learner, ADDITION)
            # A set whose stored state cannot be read: a bug as far as the bot knows.
            await execute(dojo.db, "UPDATE session SET state = '{broken' WHERE user_id = ?",
                          (user_id,))
            told = await reply(standin, learner, "5")
            assert told.plain_text.startswith("Sorry, something went wrong on my side.")
        await until(lambda: len(events()) == 2, "both errors reach Sentry's transport")

    by_user = {}
    for event in events():
        assert event["tags"]["where"].startswith("update ")
        by_user[event["tags"]["where"].split("user ")[1].rstrip(")")] = event
    for arm, user_id in learners.items():
        event = by_user[str(user_id)]
        assert event["tags"]["scheduler_arm"] == arm
        assert event["exception"]["values"], event
        # Nothing personal or secret leaves the bot: the first version sent each frame's
        # local variables, and with them the learner's name, their message and the token.
        assert "Secret" not in str(event)
        assert standin.token not in str(event)
        assert standin.token.split(":")[1] not in str(event)
