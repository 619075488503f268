"""Fixtures of the privacy tests."""

from __future__ import annotations

import pytest

from telegram_standin import BotApiStandIn
from tests.support.cli import Cli
from tests.support.dojo import Dojo


@pytest.fixture
def cli(dojo: Dojo, standin: BotApiStandIn, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`dojobot ...` against the running bot's database."""
    return Cli(monkeypatch, dojo.database_path, database_url=dojo.database_url,
               bot_token=standin.token, api_base_url=standin.base_url)
