"""Fluency maps as photos: a learner's own (in /progress) and a class's weakest facts.

A class's map shows, per fact, the share of members fluent in it and nothing per member.
Drawn in the chart worker process, like every chart: in a thread, Pillow's Python-level
drawing held the GIL and one learner's burst of /progress slowed everyone's answers.
"""

from __future__ import annotations

from html import escape

from telegram import InputFile, Message

from dojobot.display.formats import listed, number, percent, seconds
from dojobot.display.rendering import render
from dojobot.engine.cards import card_map
from dojobot.engine.facts import from_key, map_space
from dojobot.handlers.classes.common import send_to_group
from dojobot.handlers.classes.texts import fact_topic
from dojobot.handlers.set_memory import learner_day
from dojobot.handlers.texts import shown_problem
from dojobot.i18n import _, ngettext
from dojobot.i18n.names import shown
from dojobot.storage import cards as card_store
from dojobot.storage import memory as store
from dojobot.storage.catalogue import Topic
from dojobot.storage.classes import ClassGroup
from dojobot.storage.practice import stage_for
from dojobot.storage.practice_times import next_practice
from dojobot.transport.context import DojoContext


def _label(key: str) -> str:
    """A fact as the learner reads it: their digits, left to right even inside Persian."""
    fact = from_key(key)
    return shown_problem(fact.label if fact else key)


async def send_learner_map(
    context: DojoContext, chat_id: int, user_id: int, topic: Topic
) -> bool:
    """Send the learner's map of a topic at their stage; False where the stage has none."""
    stage_id = await stage_for(context.db, user_id, topic.topic_id)
    facts = map_space(topic.code, stage_id)
    if facts is None:
        return False
    cards = await card_store.cards(context.db, user_id, topic.topic_id)
    pace = await store.pace_ms(context.db, user_id)
    now = context.now_ms()
    zone = context.settings.default_timezone
    day = await learner_day(context.db, user_id, now, zone)
    summary = card_map([f.key for f in facts], cards, now, day.end_ms,
                       await next_practice(context.db, user_id, now, zone))
    stage = context.catalogue.stage(stage_id)
    title = _("{topic} · {stage} · pace {pace} s").format(
        topic=shown(topic.display_name), stage=stage.display_name, pace=number(pace // 1000)
    )
    from dojobot.display.fluency_map import learner_map  # Pillow and matplotlib: only when used

    png = await render(learner_map, title, facts, summary.bands, summary.due)
    caption = _("{fluent} of {total} facts fluent").format(
        fluent=number(summary.fluent), total=number(summary.total)
    ) + " · " + ngettext("{n} due for review today", "{n} due for review today",
                         len(summary.due)).format(n=number(len(summary.due)))
    if summary.slowest:
        caption += " · " + _("slowest: {facts}").format(facts=listed(
            f"{_label(key)} ({seconds(ms)})" for key, ms in summary.slowest
        ))
    await context.bot.send_photo(
        chat_id, InputFile(png, filename=f"fluency-{topic.slug}.png"), caption=caption
    )
    return True


async def send_class_map(
    context: DojoContext, cls: ClassGroup, reply_to: Message | None = None
) -> None:
    """Post the class's weakest facts: the share of members fluent in each fact."""
    topic = fact_topic(context.catalogue, cls)
    facts = map_space(topic.code, 1) if topic else None
    if topic is None or facts is None:
        await send_to_group(
            context, cls.chat_id, _("That topic has no fact map."), reply_to=reply_to
        )
        return
    members, counts = await card_store.class_facts(context.db, cls.chat_id, topic.topic_id,
                                                   context.now_ms(),
                                                   context.settings.default_timezone)
    known = {f.key for f in facts}
    counted = [c for c in counts if c.fact in known]
    if members == 0 or not counted:
        await send_to_group(
            context, cls.chat_id,
            _("No member has practised {topic} facts yet.").format(
                topic=escape(shown(topic.display_name))
            ),
            reply_to=reply_to,
        )
        return
    shares = {c.fact: c.fluent / members for c in counted}
    title = _("{group} · {topic}: share of members fluent").format(
        group=cls.title, topic=shown(topic.display_name)
    )
    from dojobot.display.fluency_map import class_map  # Pillow and matplotlib: only when used

    png = await render(class_map, title, facts, shares)
    weakest = sorted(counted, key=lambda c: (c.fluent / members, -c.seen))[:3]
    strong = sum(1 for f in facts if shares.get(f.key, 0) >= 0.5)
    caption = _(
        "<b>{topic}</b> · {strong} of {total} facts fluent for at least half of the "
        "{members} members · weakest: {facts}"
    ).format(
        topic=escape(shown(topic.display_name)), strong=number(strong), total=number(len(facts)),
        members=number(members),
        facts=listed(f"{_label(c.fact)} ({percent(c.fluent / members)})" for c in weakest),
    )
    await send_to_group(context, cls.chat_id, caption, photo=png, reply_to=reply_to)
