"""The class dashboard: /dashboard?class=n<group id> and its JSON API, for a class's admins.

Every API request names its class in the path and is allowed only when the initData's user
is an admin of that group now, by the bot's cached admin check (handlers.classes.common:
asked of Telegram at most every 5 minutes per admin; a chat_member update the bot receives
drops the cache at once; a refused lookup is kept half a minute). Each learner's requests
may ask Telegram a few times a minute (transport/state.py WebState), then get a 429 till
the next. Anyone else, a forged class id included, gets the same 403 and
its one line, so the API says nothing about which classes exist. Only an admin of the group
learns that it has no class now (deleted, or never started): a 404 that says how to start
one. An id that cannot be a chat (the page sends 0 for a link it cannot read) is a broken
link, 400. Member ids are looked up inside the class only: another class's learner is "not
a member of this class".

Routes (class = the group's id, negative for groups):
  GET  /api/dashboard/<class>?period=week|month|all&topic=all|<id>   members, focus, words
  GET  /api/dashboard/<class>/facts?topic=all|<id>                  the class's fact grid
  GET  /api/dashboard/<class>/trends?topic=all|<id>                 the last 8 weeks
  GET  /api/dashboard/<class>/member/<user>?topic=all|<id>&period=...  one member (with a
                                      topic and a period: their figures in it)
  POST /api/dashboard/<class>/focus   {"topic_id", "level_id", "target"} or {"clear": true}
  POST /api/dashboard/<class>/export  {"period", "topic"}: the CSV of /board export, sent
                                      to the admin's private chat
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from dojobot.engine.calendar import Period, period_bounds
from dojobot.handlers.callbacks import MAX_CHAT_ID
from dojobot.handlers.classes.board import send_export
from dojobot.handlers.classes.common import is_admin
from dojobot.handlers.classes.focus import check_focus, target_refusal
from dojobot.i18n import N_, _, ltr
from dojobot.storage import classes as class_store
from dojobot.storage import focus as focus_store
from dojobot.storage.catalogue import Catalogue, Topic
from dojobot.storage.classes import ClassGroup
from dojobot.transport.context import BotData, DojoContext
from dojobot.web import dashboard_pages as pages
from dojobot.web import dashboard_view as view
from dojobot.web.server import ApiError, ApiHandler, Busy, PageHandler

REFUSED = N_(
    "This dashboard is for the admins of the class's group. If you run the group, open "
    "/board there and tap 📊 Dashboard."
)
BROKEN_LINK = N_(
    "This dashboard link is broken. Open /board in the class's group and tap 📊 Dashboard."
)
NO_CLASS = N_(
    "This group has no class now: it was deleted, or never started. Members start one with "
    "/join in the group."
)
_CLASS = r"(-?[0-9]{1,20})"
_COMMAND = re.compile(r"/[a-z]+")


def page_line(message: str) -> str:
    """A refusal in the admin's language, its /commands isolated left to right: inside a
    Persian line a bare '/board' is laid out as 'board/'."""
    return _COMMAND.sub(lambda found: ltr(found.group()), _(message))


class DashboardApi(ApiHandler):
    """A dashboard route: the class from the path, for its admins only."""

    context: DojoContext

    @property
    def catalogue(self) -> Catalogue:
        assert self.data.catalogue is not None
        return self.data.catalogue

    async def admin_class(self, chat_text: str) -> ClassGroup:
        """The class, if the initData's user is an admin of its group now; else an ApiError
        (400 broken link, 403 refused, 404 no class: for the group's admins only)."""
        chat_id = int(chat_text)
        if not 0 < abs(chat_id) <= MAX_CHAT_ID:
            raise ApiError(400, page_line(BROKEN_LINK))
        assert self.data.application is not None
        self.context = DojoContext(self.data.application)
        user_id = self.learner.user_id
        if self.limited and self.data.classes.admin_checks.get(
                chat_id, user_id, self.now_ms()) is None:
            # Asking Telegram spends the bot's Bot API budget: a few a minute each.
            wait_s = self.data.web.lookups.take(user_id, self.now_ms())
            if wait_s > 0:
                raise Busy(wait_s)
        if not await is_admin(self.context, chat_id, user_id):
            raise ApiError(403, page_line(REFUSED))
        cls = await class_store.get_class(self.db, chat_id)
        if cls is None:
            raise ApiError(404, page_line(NO_CLASS))
        return cls

    def period(self, cls: ClassGroup) -> Period:
        value = self.get_query_argument("period", cls.period)
        if value not in {p.value for p in Period}:
            raise ApiError(400, _("Unknown period: use week, month or all."))
        return Period(value)

    def topic(self, cls: ClassGroup) -> Topic | None:
        value = self.get_query_argument("topic", None)
        if value is None:
            return self.catalogue.topic(cls.topic_id) if cls.topic_id is not None else None
        if value == "all":  # the grid and a member's map then take their default topic
            return None
        topic = self.catalogue.topic(int(value)) if value.isdigit() and len(value) < 10 else None
        if topic is None:
            raise ApiError(400, _("That topic does not exist. Nothing changed."))
        return topic


class Overview(DashboardApi):
    async def get(self, chat_text: str) -> None:
        cls = await self.admin_class(chat_text)
        self.reply(await pages.overview_page(
            self.db, self.catalogue, cls, self.period(cls), self.topic(cls), self.now_ms(),
            self.context.settings.default_timezone,
        ))


class Facts(DashboardApi):
    async def get(self, chat_text: str) -> None:
        cls = await self.admin_class(chat_text)
        self.reply(await pages.facts_page(
            self.db, self.catalogue, cls, self.topic(cls), self.now_ms(),
            self.context.settings.default_timezone,
        ))


class Trends(DashboardApi):
    async def get(self, chat_text: str) -> None:
        cls = await self.admin_class(chat_text)
        self.reply(await pages.trends_page(self.db, cls, self.topic(cls), self.now_ms()))


class Member(DashboardApi):
    async def get(self, chat_text: str, user_text: str) -> None:
        cls = await self.admin_class(chat_text)
        user_id = int(user_text)
        # Only a topic the page asked for; else the member's latest with a map. With a
        # period too (a cell of the grid), the member's figures in that topic.
        topic = self.topic(cls) if self.get_query_argument("topic", None) else None
        period = self.period(cls) if self.get_query_argument("period", None) else None
        page = (await pages.member_page(
            self.db, self.catalogue, cls, user_id, topic, self.now_ms(),
            self.context.settings.default_timezone, period,
        ) if user_id <= MAX_CHAT_ID else None)
        if page is None:
            raise ApiError(404, _("That learner is not a member of this class."))
        self.reply(page)


class SetFocus(DashboardApi):
    async def post(self, chat_text: str) -> None:
        cls = await self.admin_class(chat_text)
        body = self.json_body()
        week = period_bounds(Period.WEEK, self.now_ms(), cls.timezone)
        if body.get("clear") is True:
            await focus_store.clear_focus(self.db, cls.chat_id, week.start_ms)
            self.reply({"focus": None, "message": _("This week's focus is cleared.")})
            return
        topic_id, level_id = _whole(body.get("topic_id")), _whole(body.get("level_id"))
        target = _whole(body.get("target"))
        if topic_id is None or level_id is None:
            raise ApiError(400, _("That topic does not exist. Nothing changed."))
        if target is None and body.get("target") is not None:
            raise ApiError(400, target_refusal())
        choice = check_focus(self.catalogue, topic_id, level_id, target)
        if isinstance(choice, str):
            raise ApiError(400, choice)
        focus = await focus_store.set_focus(
            self.db, cls.chat_id, week, topic_id, level_id, target, self.learner.user_id,
            self.now_ms(),
        )
        progress = await focus_store.focus_progress(self.db, focus)
        self.reply({"focus": view.focus_json(self.catalogue, focus, progress),
                    "message": _("🎯 Focus set: members see it in /start and their reminders.")})


def _whole(value: object) -> int | None:
    """A JSON whole number (not true or false), or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class Export(DashboardApi):
    async def post(self, chat_text: str) -> None:
        cls = await self.admin_class(chat_text)
        body = self.json_body()
        period = body.get("period", cls.period)
        if not isinstance(period, str) or period not in {p.value for p in Period}:
            raise ApiError(400, _("Unknown period: use week, month or all."))
        topic = body.get("topic")
        if topic is not None and (_whole(topic) is None or self.catalogue.topic(topic) is None):
            raise ApiError(400, _("That topic does not exist. Nothing changed."))
        chosen = replace(cls, period=period, topic_id=topic)
        if not await send_export(self.context, chosen, self.learner.user_id):
            raise ApiError(409, _("I can't message you until you open a chat with me: press "
                                  "Start in our private chat, then try again."))
        self.reply({"message": _("📄 Sent to our private chat.")})


def rules(data: BotData) -> list[tuple[Any, ...]]:
    """This module's routes."""
    kwargs = {"data": data}
    return [
        (r"/dashboard/?", PageHandler, {"data": data, "page": "dashboard.html"}),
        (rf"/api/dashboard/{_CLASS}", Overview, kwargs),
        (rf"/api/dashboard/{_CLASS}/facts", Facts, kwargs),
        (rf"/api/dashboard/{_CLASS}/trends", Trends, kwargs),
        (rf"/api/dashboard/{_CLASS}/member/([0-9]{{1,20}})", Member, kwargs),
        (rf"/api/dashboard/{_CLASS}/focus", SetFocus, kwargs),
        (rf"/api/dashboard/{_CLASS}/export", Export, kwargs),
    ]
