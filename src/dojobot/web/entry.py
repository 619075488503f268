"""GET /: where the menu button and t.me/<bot>/<app>?startapp=... links land.

Telegram opens the Mini App's main URL with the link's start parameter in the
`tgWebAppStartParam` query (and in initData's start_param). It is today's deep-link payload
(`math-arithmetic-addition-d101`, handlers/menu.parse_deep_link), so one payload works as
/start in the chat and as startapp in the app: a topic's practice page; anything else, the
progress page. The redirect keeps the URL's #fragment, where the initData travels."""

from __future__ import annotations

from typing import Any

from dojobot.handlers.app_links import practice_path
from dojobot.handlers.menu import parse_deep_link
from dojobot.transport.context import BotData
from dojobot.web.server import WebHandler


class Entry(WebHandler):
    def get(self) -> None:
        payload = self.get_query_argument("tgWebAppStartParam", "")[:128]
        found = None
        if payload and self.data.catalogue is not None:
            found = parse_deep_link(self.data.catalogue, payload)
        if found is None:
            self.redirect("/progress")
            return
        assert self.data.catalogue is not None
        topic, level_id = found
        self.redirect(practice_path(self.data.catalogue, topic, level_id))


def rules(data: BotData) -> list[tuple[Any, ...]]:
    """This module's routes."""
    return [(r"/", Entry, {"data": data})]
