"""GET /: where the menu button and t.me/<bot>/<app>?startapp=... links land.

Telegram opens the Mini App's main URL with the link's start parameter in the
`tgWebAppStartParam` query (and in initData's start_param). It is today's deep-link payload
(`math-arithmetic-addition-d101`, handlers/menu.parse_deep_link), so one payload works as
/start in the chat and as startapp in the app: a topic's practice page; anything else, the
progress page. A class's dashboard link (`dash-n<group>`, handlers/classes/dashboard_link)
lands on that class's dashboard; a `dash-` payload that names no group on the dashboard's
broken-link page. The redirect keeps the URL's #fragment, where the initData travels."""

from __future__ import annotations

from typing import Any

from dojobot.handlers.app_links import practice_path
from dojobot.handlers.classes.dashboard_link import dashboard_url
from dojobot.handlers.classes.texts import decode_link
from dojobot.handlers.menu import parse_deep_link
from dojobot.transport.context import BotData
from dojobot.web.server import WebHandler


class Entry(WebHandler):
    def get(self) -> None:
        payload = self.get_query_argument("tgWebAppStartParam", "")[:128]
        if payload.startswith("dash-"):
            self.redirect(dashboard_path(payload))
            return
        found = None
        if payload and self.data.catalogue is not None:
            found = parse_deep_link(self.data.catalogue, payload)
        if found is None:
            self.redirect("/progress")
            return
        assert self.data.catalogue is not None
        topic, level_id = found
        self.redirect(practice_path(self.data.catalogue, topic, level_id))


def dashboard_path(payload: str) -> str:
    """/dashboard?class=n4001 for 'dash-n4001'; an empty class (the page says the link is
    broken) for anything else."""
    decoded = decode_link(payload)
    return dashboard_url("", decoded[1]) if decoded else "/dashboard?class="


def rules(data: BotData) -> list[tuple[Any, ...]]:
    """This module's routes."""
    return [(r"/", Entry, {"data": data})]
