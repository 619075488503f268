"""Settings of a replica: its share of Telegram's limits, and a webhook secret Telegram takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from dojobot.config import SettingsError, load_settings
from dojobot.transport.ratelimit import PriorityRateLimiter
from tests.support.cli import Cli, one_error_line


@pytest.mark.parametrize(
    ("limit", "replicas", "here"), [(30, 1, 30), (30, 2, 15), (30, 4, 7), (30, 30, 1), (0, 3, 0)]
)
def test_each_replica_takes_its_share_of_the_message_budget(
    limit: int, replicas: int, here: int
) -> None:
    settings = load_settings(max_messages_per_second=limit, replicas=replicas)
    assert settings.messages_per_second_here == here


@pytest.mark.parametrize("replicas", [0, -1, 31])
def test_a_replica_count_out_of_range_is_refused(replicas: int) -> None:
    with pytest.raises(SettingsError, match=r"^DOJOBOT_REPLICAS: "):
        load_settings(replicas=replicas)


def test_a_webhook_secret_telegram_would_refuse_is_refused_without_showing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "no spaces allowed!"
    cli = Cli(monkeypatch, tmp_path / "dojo.sqlite3", webhook_secret_token=secret)
    line = one_error_line(cli("migrate", "status"))
    assert line.startswith("dojobot: DOJOBOT_WEBHOOK_SECRET_TOKEN: must be 1 to 256 characters")
    assert secret not in line


async def _sent(*args: object, **kwargs: object) -> bool:
    return True


@pytest.mark.parametrize(("replicas", "room_after_ten"), [(1, True), (2, False)])
async def test_a_replica_sends_its_share_of_a_groups_minute(
    replicas: int, room_after_ten: bool
) -> None:
    limiter = PriorityRateLimiter(0, replicas=replicas)  # no overall limit: the group's only
    for _ in range(10):
        await limiter.process_request(_sent, (), {}, "sendMessage", {"chat_id": -100}, None)
    # Telegram allows 20 a minute to a group: two replicas take 10 each.
    assert limiter.group_has_room(-100) is room_after_ten
