"""Every Mini App route, for app.py to hand to the ops runtime's server."""

from __future__ import annotations

from typing import Any

from dojobot.transport.context import BotData
from dojobot.web import dashboard, entry, me, practice, progress
from dojobot.web.server import STATIC_DIR, NotFound, StaticHandler

# Each page module's rules(data); a new page adds its module here.
PAGES = (entry, me, practice, progress, dashboard)


def build_rules(data: BotData) -> list[tuple[Any, ...]]:
    """The pages' and APIs' routes, the static files, and a JSON 404 for the rest."""
    rules: list[tuple[Any, ...]] = [
        (r"/static/(.*)", StaticHandler, {"path": str(STATIC_DIR)}),
    ]
    for page in PAGES:
        rules.extend(page.rules(data))
    rules.append((r"/(?:api|static)/.*", NotFound, {"data": data}))
    return rules
