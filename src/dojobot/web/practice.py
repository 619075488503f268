"""The practice page: /practice/<field>/<subject>/<topic>?stage=..&difficulty=.. (the seed's
route), and its JSON API."""

from __future__ import annotations

from typing import Any

from dojobot.transport.context import BotData
from dojobot.web.server import PageHandler


def rules(data: BotData) -> list[tuple[Any, ...]]:
    """This module's routes."""
    return [
        (r"/practice/([a-z0-9-]+)/([a-z0-9-]+)/([a-z0-9-]+)/?", PageHandler,
         {"data": data, "page": "app.html"}),
    ]
