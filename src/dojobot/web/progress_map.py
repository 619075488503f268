"""The progress page's fluency map and sets chart: GET /api/progress/map[?topic=<id>][&fact=<key>].

The same figures as the chat's /progress map (handlers/fluency.py): the facts of the
topic's map space at the learner's stage, each with the recall FSRS predicts now
(engine.cards.card_map), whether it is due on the learner's day and whether it is fluent.
With `fact`, also that fact's last answers and when it is next due, for the tapped cell.
Only the learner from initData is ever read.
"""

from __future__ import annotations

from typing import Any

from dojobot.display.formats import written
from dojobot.engine.cards import CardMap, card_map
from dojobot.engine.facts import Fact, from_key, map_space
from dojobot.engine.memory import Standing
from dojobot.handlers.set_memory import learner_day
from dojobot.i18n.names import shown
from dojobot.storage import cards as card_store
from dojobot.storage.catalogue import Catalogue, Topic
from dojobot.storage.practice import Progress, answers_to, progress_by_topic, recent_sets
from dojobot.storage.practice_times import next_practice
from dojobot.web.server import ApiError, ApiHandler

RECENT_ANSWERS = 5  # what fits under the grid on a 320 px phone


def mapped_topics(catalogue: Catalogue, progress: dict[int, Progress]) -> list[Topic]:
    """The topics whose stage (the learner's, else the first) has a fact map."""
    return [t for t in catalogue.topics
            if map_space(t.code, progress[t.topic_id].stage_id if t.topic_id in progress
                         else 1) is not None]


def _chosen(topics: list[Topic], progress: dict[int, Progress], asked: str | None) -> Topic:
    """The asked topic, else the one practised last, else the first."""
    if asked is not None:
        found = next((t for t in topics if str(t.topic_id) == asked), None)
        if found is None:
            raise ApiError(404, "no fluency map for that topic")
        return found
    practised = [t for t in topics if t.topic_id in progress]
    if practised:
        return max(practised, key=lambda t: progress[t.topic_id].last_practised_at or 0)
    return topics[0]


def _cell(fact: Fact, summary: CardMap) -> dict[str, Any]:
    band = summary.bands[fact.key]
    return {"key": fact.key, "label": written(fact.label), "row": fact.row, "col": fact.col,
            "recall": summary.recall.get(fact.key), "due": fact.key in summary.due,
            "band": str(band), "fluent": band is Standing.FLUENT}


class FluencyMap(ApiHandler):
    async def get(self) -> None:
        catalogue, settings = self.data.catalogue, self.data.settings
        if catalogue is None or settings is None:
            raise ApiError(503, "the bot is starting; try again in a moment")
        user_id = self.learner.user_id
        progress = await progress_by_topic(self.db, user_id)
        topics = mapped_topics(catalogue, progress)
        if not topics:
            raise ApiError(404, "no topic has a fluency map")
        topic = _chosen(topics, progress, self.get_query_argument("topic", None))
        stage_id = progress[topic.topic_id].stage_id if topic.topic_id in progress else 1
        facts = map_space(topic.code, stage_id) or ()
        cards = await card_store.cards(self.db, user_id, topic.topic_id)
        now = self.now_ms()
        zone = settings.default_timezone
        day = await learner_day(self.db, user_id, now, zone)
        summary = card_map([f.key for f in facts], cards, now, day.end_ms,
                           await next_practice(self.db, user_id, now, zone))
        body: dict[str, Any] = {
            "topic": topic.topic_id,
            "topics": [{"id": t.topic_id, "name": shown(t.display_name)} for t in topics],
            "rows": sorted({f.row for f in facts}),
            "cols": sorted({f.col for f in facts}),
            "facts": [_cell(f, summary) for f in facts],
            "fluent": summary.fluent, "total": summary.total, "due": len(summary.due),
            # The chat's progress chart's points: each recent set's median and accuracy.
            "sets": [{"at": s.start_time, "reps": s.reps, "accuracy": s.accuracy,
                      "median": s.median_ms}
                     for s in await recent_sets(self.db, user_id, topic.topic_id)],
        }
        if (key := self.get_query_argument("fact", None)) is not None:
            fact = from_key(key)
            if fact is None or fact not in facts:
                raise ApiError(404, "no such fact on this map")
            card = cards.get(fact.key)
            body["detail"] = {
                "key": fact.key, "label": written(fact.label),
                "next_due": card.due_ms if card else None,
                "answers": [
                    {"correct": a.correct, "ms": a.response_ms, "at": a.answered_at}
                    for a in await answers_to(self.db, user_id, topic.topic_id,
                                              fact.problem.question, RECENT_ANSWERS)
                ],
            }
        self.reply(body)
