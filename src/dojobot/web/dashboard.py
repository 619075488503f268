"""The class dashboard: /dashboard?class=n<group id> and its JSON API, for a class's admins.

Every API request names its class in the path and is allowed only when the initData's user
is an admin of that group now, by the bot's cached admin check (handlers.classes.common:
asked of Telegram at most every 5 minutes per admin; a chat_member update the bot receives
drops the cache at once). Anyone else, a forged or unknown class id included, gets the same
403 and its one line, so the API says nothing about which classes exist. Member ids are
looked up inside the class only: another class's learner is "not a member of this class".

Routes (class = the group's id, negative for groups):
  GET  /api/dashboard/<class>?period=week|month|all&topic=all|<id>   members, focus, words
  GET  /api/dashboard/<class>/facts?topic=<id>                      the class's fact grid
  GET  /api/dashboard/<class>/trends?topic=all|<id>                 the last 8 weeks
  GET  /api/dashboard/<class>/member/<user>?topic=<id>              one member
  POST /api/dashboard/<class>/focus   {"topic_id", "level_id", "target"} or {"clear": true}
  POST /api/dashboard/<class>/export  {"period", "topic"}: the CSV of /board export, sent
                                      to the admin's private chat
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dojobot.display.formats import percent
from dojobot.display.formats import period as period_label
from dojobot.engine.calendar import Period, period_bounds, weeks_back
from dojobot.engine.facts import map_space
from dojobot.engine.focus import MAX_TARGET
from dojobot.engine.memory import map_summary
from dojobot.handlers.callbacks import MAX_CHAT_ID
from dojobot.handlers.classes.board import send_export
from dojobot.handlers.classes.common import is_admin
from dojobot.handlers.classes.focus import check_focus, target_refusal
from dojobot.handlers.fluency import fact_topic
from dojobot.i18n import N_, _
from dojobot.i18n.names import shown
from dojobot.storage import cards as card_store
from dojobot.storage import classes as class_store
from dojobot.storage import dashboard as store
from dojobot.storage import focus as focus_store
from dojobot.storage import memory as memory_store
from dojobot.storage.catalogue import Catalogue, Topic
from dojobot.storage.classes import ClassGroup
from dojobot.storage.practice import progress_by_topic
from dojobot.transport.context import BotData, DojoContext
from dojobot.web import dashboard_view as view
from dojobot.web.server import ApiError, ApiHandler, PageHandler

REFUSED = N_(
    "This dashboard is for the admins of the class's group. If you run the group, open "
    "/board there and tap 📊 Dashboard."
)
TREND_WEEKS = 8
_CLASS = r"(-?[0-9]{1,20})"


class DashboardApi(ApiHandler):
    """A dashboard route: the class from the path, for its admins only."""

    context: DojoContext

    @property
    def catalogue(self) -> Catalogue:
        assert self.data.catalogue is not None
        return self.data.catalogue

    async def admin_class(self, chat_text: str) -> ClassGroup:
        """The class, if the initData's user is an admin of its group now; else 403."""
        chat_id = int(chat_text)
        if self.data.application is None or not 0 < abs(chat_id) <= MAX_CHAT_ID:
            raise ApiError(403, _(REFUSED))
        self.context = DojoContext(self.data.application)
        cls = await class_store.get_class(self.db, chat_id)
        if cls is None or not await is_admin(self.context, chat_id, self.learner.user_id):
            raise ApiError(403, _(REFUSED))
        return cls

    def period(self, cls: ClassGroup) -> Period:
        value = self.get_query_argument("period", cls.period)
        if value not in {p.value for p in Period}:
            raise ApiError(400, _("Unknown period: use week, month or all."))
        return Period(value)

    def topic(self, cls: ClassGroup, *, allow_all: bool = True) -> Topic | None:
        value = self.get_query_argument("topic", None)
        if value is None:
            return self.catalogue.topic(cls.topic_id) if cls.topic_id is not None else None
        if value == "all" and allow_all:
            return None
        topic = self.catalogue.topic(int(value)) if value.isdigit() and len(value) < 10 else None
        if topic is None:
            raise ApiError(400, _("That topic does not exist. Nothing changed."))
        return topic


class Overview(DashboardApi):
    async def get(self, chat_text: str) -> None:
        cls = await self.admin_class(chat_text)
        period, topic = self.period(cls), self.topic(cls)
        now = self.now_ms()
        topic_id = topic.topic_id if topic else None
        bounds = period_bounds(period, now, cls.timezone)
        week = period_bounds(Period.WEEK, now, cls.timezone)
        entries = await class_store.member_stats(
            self.db, cls.chat_id, bounds.start_ms, bounds.end_ms, topic_id
        )
        settings = self.context.settings
        practice = await store.members_practice(
            self.db, cls.chat_id, now, settings.default_timezone
        )
        focus = await focus_store.focus_at(self.db, cls.chat_id, now)
        progress = await focus_store.focus_progress(self.db, focus) if focus else []
        catalogue = self.catalogue
        self.reply({
            "title": cls.title,
            "labels": view.labels(),
            "period": period.value,
            "topic": topic_id,
            "span": period_label(period, now, cls.timezone),
            "topics": [{"id": t.topic_id, "name": shown(t.display_name),
                        "levels": list(t.level_ids)} for t in catalogue.topics],
            "levels": [{"id": lv.difficulty_level_id, "name": shown(lv.display_name)}
                       for lv in catalogue.levels],
            "max_target": MAX_TARGET,
            "focus": view.focus_json(catalogue, focus, progress),
            "members": view.member_rows(
                catalogue, entries, practice, focus,
                {m.user_id: m.sets_done for m in progress}, topic_id, week, cls.timezone,
            ),
        })


class Facts(DashboardApi):
    async def get(self, chat_text: str) -> None:
        cls = await self.admin_class(chat_text)
        chosen = self.topic(cls, allow_all=False)
        topic = chosen or fact_topic(self.context, cls)
        facts = map_space(topic.code, 1) if topic else None
        if topic is None or facts is None:
            self.reply({"topic": None, "cells": []})
            return
        members, counts = await card_store.class_facts(self.db, cls.chat_id, topic.topic_id,
                                                       self.now_ms())
        self.reply({
            "topic": topic.topic_id, "topic_name": shown(topic.display_name),
            "members": members, "cells": view.fact_grid(facts, members, counts),
        })


class Trends(DashboardApi):
    async def get(self, chat_text: str) -> None:
        cls = await self.admin_class(chat_text)
        topic = self.topic(cls)
        weeks = weeks_back(self.now_ms(), cls.timezone, TREND_WEEKS)
        points = await store.weekly_trends(
            self.db, cls.chat_id, weeks, topic.topic_id if topic else None
        )
        self.reply(view.trends_json(points, cls.timezone))


class Member(DashboardApi):
    async def get(self, chat_text: str, user_text: str) -> None:
        cls = await self.admin_class(chat_text)
        user_id = int(user_text)
        found = (await store.recent_member_sets(self.db, cls.chat_id, user_id)
                 if user_id <= MAX_CHAT_ID else None)
        if found is None:
            raise ApiError(404, _("That learner is not a member of this class."))
        name, sets = found
        progress = await progress_by_topic(self.db, user_id)
        practised = sorted(progress.values(), key=lambda p: -(p.last_practised_at or 0))
        catalogue = self.catalogue
        chosen = self.topic(cls, allow_all=False) if self.get_query_argument(
            "topic", None) else None
        topic = chosen or next(
            (t for p in practised if (t := catalogue.topic(p.topic_id))
             and map_space(t.code, p.stage_id) is not None), None)
        fluency: dict[str, Any] | None = None
        if topic is not None:
            stage_id = progress[topic.topic_id].stage_id if topic.topic_id in progress else 1
            facts = map_space(topic.code, stage_id)
            if facts is not None:
                memories = await memory_store.memories(self.db, user_id, topic.topic_id)
                pace = await memory_store.pace_ms(self.db, user_id)
                summary = map_summary([f.key for f in facts], memories, pace)
                fluency = {"topic": topic.topic_id, "topic_name": shown(topic.display_name),
                           "fluent": summary.fluent, "total": summary.total,
                           "caption": _("{fluent} of {total} facts fluent").format(
                               fluent=summary.fluent, total=summary.total),
                           "cells": view.member_map(facts, summary)}
        self.reply({
            "name": name,
            "topics": [
                {"id": p.topic_id, "name": shown(t.display_name),
                 "stage": catalogue.stage(p.stage_id).display_name, "reps": p.total_reps,
                 "accuracy": percent(p.correct_reps / p.total_reps)}
                for p in practised if (t := catalogue.topic(p.topic_id)) and p.total_reps
            ],
            "fluency": fluency,
            "sets": view.recent_sets_json(catalogue, sets, cls.timezone),
        })


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
        if period not in {p.value for p in Period}:
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
