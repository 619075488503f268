"""The practice page: /practice/<field>/<subject>/<topic>?stage=..&difficulty=.. (the seed's
route), and its JSON API. A set played here is a set like any other: the same engine, set
rules, storage, reps and memory as the chat (handlers/sets.py), timed on the device.

- POST /api/practice/start {field, subject, topic, difficulty, test_out?, resume?}: the
  learner's running set of that topic and level when `resume` (the page's first call), else
  a new set (closing a running one, as the chat does).
- POST /api/practice/answer {set, n, answer, device_ms}: keyed by the problem (set and
  number n): the same problem answered twice counts once, the second gets the set as it
  stands now (`already`).
- GET /api/practice/state: the running set, if any.

The `stage` query parameter is the seed's; here the learner's stage is the one they earned,
whatever the URL says.
"""

from __future__ import annotations

from typing import Any

from dojobot.engine.answers import TOO_LONG, AnswerRejected, parse_answer
from dojobot.engine.facts import STANDARD_LEVEL
from dojobot.handlers.practice import learner_locale, why
from dojobot.handlers.sets import judge, start_new_set, test_out_refusal
from dojobot.i18n import _
from dojobot.storage import practice as store
from dojobot.storage.catalogue import Catalogue, Topic
from dojobot.transport.context import BotData
from dojobot.web import practice_view as view
from dojobot.web.server import ApiError, ApiHandler, PageHandler
from dojobot.web.timing import kept_time

MAX_ANSWER_CHARS = 64


def find_topic(catalogue: Catalogue, field: str, subject: str, slug: str) -> Topic | None:
    """The topic a URL's /practice/<field>/<subject>/<topic> names."""
    for topic in catalogue.topics:
        s = catalogue.subject(topic.subject_id)
        f = catalogue.field(s.field_id) if s else None
        if s and f and (f.code, s.code, topic.slug) == (field, subject, slug):
            return topic
    return None


class PracticeApi(ApiHandler):
    metered = False  # bounded by the requests in flight (server.ApiHandler.metered)

    @property
    def catalogue(self) -> Catalogue:
        if self.data.catalogue is None:
            raise ApiError(503, "the bot is starting; try again in a moment")
        return self.data.catalogue


class Start(PracticeApi):
    async def post(self) -> None:
        body = self.json_body()
        names = [body.get(k) for k in ("field", "subject", "topic")]
        if not all(isinstance(n, str) and len(n) < 64 for n in names):
            raise ApiError(400, "name the field, subject and topic")
        topic = find_topic(self.catalogue, *names)  # type: ignore[arg-type]
        if topic is None:
            raise ApiError(404, _("I didn't recognise that link, so here is the full menu."))
        test_out = body.get("test_out") is True
        level_id = STANDARD_LEVEL if test_out else body.get("difficulty")
        if not isinstance(level_id, int) or level_id not in topic.level_ids:
            level_id = STANDARD_LEVEL if STANDARD_LEVEL in topic.level_ids else topic.level_ids[0]
        user_id = self.learner.user_id
        if body.get("resume") is True:
            running = await store.open_set(self.db, user_id)
            if running is not None and running.state.current is not None and (
                running.topic_id, running.level_id) == (topic.topic_id, level_id):
                self.reply(await view.state_of(self.db, self.catalogue, running))
                return
        if test_out and (refused := await test_out_refusal(
                self.db, self.catalogue, user_id, topic, self.now_ms())):
            raise ApiError(409, refused)
        settings = self.data.settings
        assert settings is not None
        await start_new_set(self.db, user_id, topic, level_id, self.now_ms(), test_out=test_out,
                            default_zone=settings.default_timezone)
        running = await store.open_set(self.db, user_id)
        assert running is not None
        self.reply(await view.state_of(self.db, self.catalogue, running, first=True))


class Answer(PracticeApi):
    async def post(self) -> None:
        body = self.json_body()
        set_id, number, text = body.get("set"), body.get("n"), body.get("answer")
        if not isinstance(set_id, int) or not isinstance(number, int):
            raise ApiError(400, "name the set and the problem's number")
        if not isinstance(text, str) or len(text) > MAX_ANSWER_CHARS:
            raise ApiError(422, _(TOO_LONG))
        now = self.now_ms()
        running = await store.open_set(self.db, self.learner.user_id)
        if running is None or running.session_id != set_id:
            # Finished (in the chat, another tab, the idle job) or never this learner's.
            self.reply(await view.stale(self.db, self.catalogue, self.learner.user_id,
                                        set_id, running))
            return
        if number != running.state.answered + 1:
            self.reply({"already": True, **await view.state_of(
                self.db, self.catalogue, running)})
            return
        try:
            given = parse_answer(text, learner_locale())  # the chat's reading, in its locale
        except AnswerRejected as rejected:
            raise ApiError(422, why(rejected)) from None
        topic = self.catalogue.topic(running.topic_id)
        assert topic is not None
        response_ms, timed_by, device_ms = kept_time(
            body.get("device_ms"), now - running.problem_sent_at
        )
        settings = self.data.settings
        assert settings is not None
        judged = await judge(self.db, topic, running, given, response_ms=response_ms,
                             now_ms=now, message_id=None, timed_by=timed_by,
                             device_ms=device_ms, retention=settings.target_retention)
        if judged is None:  # another request took this problem first
            now_open = await store.open_set(self.db, self.learner.user_id)
            self.reply({"already": True, **await view.current_or_none(
                self.db, self.catalogue, now_open)})
            return
        self.reply(await view.judged(self.db, self.catalogue, topic, running, judged,
                                     response_ms, timed_by))


class State(PracticeApi):
    async def get(self) -> None:
        running = await store.open_set(self.db, self.learner.user_id)
        self.reply(await view.current_or_none(self.db, self.catalogue, running))


def rules(data: BotData) -> list[tuple[Any, ...]]:
    """This module's routes."""
    return [
        (r"/practice/([a-z0-9_-]+)/([a-z0-9_-]+)/([a-z0-9_-]+)/?", PageHandler,
         {"data": data, "page": "practice.html"}),
        (r"/api/practice/start", Start, {"data": data}),
        (r"/api/practice/answer", Answer, {"data": data}),
        (r"/api/practice/state", State, {"data": data}),
    ]
