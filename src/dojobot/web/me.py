"""GET /api/me: who the initData says is asking, and the language the pages speak."""

from __future__ import annotations

from typing import Any

from dojobot.i18n import current
from dojobot.transport.context import BotData
from dojobot.web.server import ApiHandler


class Me(ApiHandler):
    async def get(self) -> None:
        self.reply({
            "user_id": self.learner.user_id,
            "first_name": self.learner.first_name,
            "language": current().code,
        })


def rules(data: BotData) -> list[tuple[Any, ...]]:
    """This module's routes."""
    return [(r"/api/me", Me, {"data": data})]
