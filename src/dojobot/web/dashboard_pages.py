"""Each dashboard page's reads and its JSON, for one class: what the API handlers return
after their checks (web/dashboard.py), and what benchmarks/dashboard_scale.py times."""

from __future__ import annotations

from typing import Any

from dojobot.display.formats import number, percent
from dojobot.display.formats import period as period_label
from dojobot.engine.calendar import Period, day_bounds, period_bounds, weeks_back
from dojobot.engine.cards import card_map
from dojobot.engine.facts import map_space
from dojobot.engine.focus import MAX_TARGET
from dojobot.handlers.classes.texts import fact_topic
from dojobot.i18n import _
from dojobot.i18n.names import shown
from dojobot.storage import cards as card_store
from dojobot.storage import classes as class_store
from dojobot.storage import dashboard as store
from dojobot.storage import focus as focus_store
from dojobot.storage.catalogue import Catalogue, Topic
from dojobot.storage.classes import ClassGroup
from dojobot.storage.db import Database
from dojobot.storage.practice import progress_by_topic
from dojobot.storage.practice_times import next_practice
from dojobot.storage.streaks import zone_of
from dojobot.web import dashboard_view as view
from dojobot.web.strings import locale_info

TREND_WEEKS = 8


async def overview_page(
    db: Database, catalogue: Catalogue, cls: ClassGroup, period: Period,
    topic: Topic | None, now_ms: int, default_zone: str,
) -> dict[str, Any]:
    """The members page: every current member with the board's figures and their practice,
    the focus, and the page's words."""
    topic_id = topic.topic_id if topic else None
    bounds = period_bounds(period, now_ms, cls.timezone)
    week = period_bounds(Period.WEEK, now_ms, cls.timezone)
    entries = await class_store.member_stats(
        db, cls.chat_id, bounds.start_ms, bounds.end_ms, topic_id
    )
    practice = await store.members_practice(db, cls.chat_id, now_ms, default_zone)
    reps = await store.topic_reps(db, cls.chat_id, None if period is Period.ALL else bounds)
    focus = await focus_store.focus_at(db, cls.chat_id, now_ms)
    progress = await focus_store.focus_progress(db, focus) if focus else []
    return {
        "title": cls.title,
        "labels": view.labels(),
        "locale": locale_info(),  # the page's lang and direction (Persian: right to left)
        "period": period.value,
        "topic": topic_id,
        "span": period_label(period, now_ms, cls.timezone),
        "topics": [{"id": t.topic_id, "name": shown(t.display_name),
                    "levels": list(t.level_ids)} for t in catalogue.topics],
        "levels": [{"id": lv.difficulty_level_id, "name": shown(lv.display_name)}
                   for lv in catalogue.levels],
        "max_target": MAX_TARGET,
        "focus": view.focus_json(catalogue, focus, progress),
        "grid_topics": view.grid_topics(catalogue, practice, reps),
        "members": view.member_rows(
            catalogue, entries, practice, reps, focus,
            {m.user_id: m.sets_done for m in progress}, topic_id, week, cls.timezone,
        ),
    }


async def facts_page(
    db: Database, catalogue: Catalogue, cls: ClassGroup, topic: Topic | None, now_ms: int,
    default_zone: str,
) -> dict[str, Any]:
    """The class's fact grid of a topic (the board's, else Multiplication)."""
    topic = topic or fact_topic(catalogue, cls)
    facts = map_space(topic.code, 1) if topic else None
    if topic is None or facts is None:
        return {"topic": None, "cells": []}
    members, counts = await card_store.class_facts(db, cls.chat_id, topic.topic_id, now_ms,
                                                   default_zone)
    return {
        "topic": topic.topic_id, "topic_name": shown(topic.display_name),
        "members": members, "cells": view.fact_grid(facts, members, counts),
        "legend": view.grid_legend(),
    }


async def trends_page(
    db: Database, cls: ClassGroup, topic: Topic | None, now_ms: int
) -> dict[str, Any]:
    """The last TREND_WEEKS weeks of the class."""
    weeks = weeks_back(now_ms, cls.timezone, TREND_WEEKS)
    points = await store.weekly_trends(
        db, cls.chat_id, weeks, topic.topic_id if topic else None
    )
    return view.trends_json(points, cls.timezone)


async def member_page(
    db: Database, catalogue: Catalogue, cls: ClassGroup, user_id: int, topic: Topic | None,
    now_ms: int, default_zone: str, period: Period | None = None,
) -> dict[str, Any] | None:
    """One member: topics, a fluency map (the topic asked for, else the latest practised
    that has one) and recent sets, and with a topic and a period (a cell of the members ×
    topics grid) every figure of theirs in it; None if they are not a member of the class
    now."""
    found = await store.recent_member_sets(db, cls.chat_id, user_id)
    if found is None:
        return None
    name, sets = found
    progress = await progress_by_topic(db, user_id)
    cell = None
    if topic is not None and period is not None:
        cell = await _figures(db, catalogue, cls, user_id, topic, period, now_ms,
                              default_zone)
    practised = sorted(progress.values(), key=lambda p: -(p.last_practised_at or 0))
    topic = topic or next(
        (t for p in practised if (t := catalogue.topic(p.topic_id))
         and map_space(t.code, p.stage_id) is not None), None)
    return {
        "name": name,
        "topics": [
            {"id": p.topic_id, "name": shown(t.display_name),
             "stage": catalogue.stage(p.stage_id).display_name, "reps": number(p.total_reps),
             "accuracy": percent(p.correct_reps / p.total_reps)}
            for p in practised if (t := catalogue.topic(p.topic_id)) and p.total_reps
        ],
        "fluency": await _fluency(
            db, user_id, topic,
            progress[topic.topic_id].stage_id if topic and topic.topic_id in progress else 1,
            now_ms, default_zone,
        ),
        "sets": view.recent_sets_json(catalogue, sets, cls.timezone),
        "figures": cell,
    }


async def _figures(
    db: Database, catalogue: Catalogue, cls: ClassGroup, user_id: int, topic: Topic,
    period: Period, now_ms: int, default_zone: str,
) -> dict[str, str]:
    """The member's row of the members table for one topic (the board's figures for the
    period, stage, last practice, streak), each as the page writes it."""
    bounds = period_bounds(period, now_ms, cls.timezone)
    entries = await class_store.member_stats(
        db, cls.chat_id, bounds.start_ms, bounds.end_ms, topic.topic_id, only=user_id
    )
    practice = await store.members_practice(db, cls.chat_id, now_ms, default_zone)
    [row] = view.member_rows(catalogue, entries, practice, {}, None, {}, topic.topic_id,
                             bounds, cls.timezone)
    return {"title": shown(topic.display_name) + " · " + period_label(period, now_ms,
                                                                     cls.timezone),
            "stage": row["stage_text"], "reps": row["reps_text"],
            "accuracy": row["accuracy_text"], "median": row["median_text"],
            "last": row["last_text"], "streak": row["streak_text"]}


async def _fluency(
    db: Database, user_id: int, topic: Topic | None, stage_id: int, now_ms: int,
    default_zone: str,
) -> dict[str, Any] | None:
    """The member's map as their /progress draws it: each fact's recall as FSRS predicts
    it, in the map's bands, and which are due on their day."""
    facts = map_space(topic.code, stage_id) if topic else None
    if topic is None or facts is None:
        return None
    cards = await card_store.cards(db, user_id, topic.topic_id)
    day = day_bounds(now_ms, await zone_of(db, user_id, default_zone))
    summary = card_map([f.key for f in facts], cards, now_ms, day.end_ms,
                       await next_practice(db, user_id, now_ms, default_zone))
    return {"topic": topic.topic_id, "topic_name": shown(topic.display_name),
            "fluent": summary.fluent, "total": summary.total,
            "caption": _("{fluent} of {total} facts fluent").format(
                fluent=number(summary.fluent), total=number(summary.total)),
            "cells": view.member_map(facts, summary)}
