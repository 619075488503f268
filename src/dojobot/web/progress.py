"""The progress page (/progress, where the menu button lands): each topic's stage and reps
bar, with a link to practise it. GET /api/progress gives the learner's standing."""

from __future__ import annotations

from typing import Any

from dojobot.handlers.app_links import practice_path
from dojobot.handlers.texts import requirement, stage_label
from dojobot.i18n.names import shown
from dojobot.storage import practice as store
from dojobot.transport.context import BotData
from dojobot.web.progress_map import FluencyMap
from dojobot.web.server import ApiError, ApiHandler, PageHandler
from dojobot.web.strings import locale_info, page_strings


class Standing(ApiHandler):
    async def get(self) -> None:
        catalogue = self.data.catalogue
        if catalogue is None:
            raise ApiError(503, "the bot is starting; try again in a moment")
        progress = await store.progress_by_topic(self.db, self.learner.user_id)
        topics = []
        for topic in catalogue.topics:
            mine = progress.get(topic.topic_id)
            stage_id = mine.stage_id if mine else 1
            topics.append({
                "name": shown(topic.display_name),
                "stage": stage_label(catalogue.stage(stage_id)),
                "reps": mine.reps_in_stage if mine else 0,
                "needed": requirement(topic, stage_id),
                "total": mine.total_reps if mine else 0,
                "path": practice_path(catalogue, topic, None),
            })
        self.reply({"topics": topics, "t": page_strings(), "locale": locale_info()})


def rules(data: BotData) -> list[tuple[Any, ...]]:
    """This module's routes."""
    return [
        (r"/progress/?", PageHandler, {"data": data, "page": "progress.html"}),
        (r"/api/progress", Standing, {"data": data}),
        (r"/api/progress/map", FluencyMap, {"data": data}),
    ]
