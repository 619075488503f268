"""Adaptive practice's commands and buttons: /pace and testing out of a stage."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from dojobot.display.formats import number
from dojobot.engine.complexity import FINAL_STAGE
from dojobot.engine.facts import STANDARD_LEVEL
from dojobot.engine.memory import PACES_S, check_pace
from dojobot.handlers import practice
from dojobot.handlers.callbacks import STALE, TakeTestOut, on_button
from dojobot.handlers.sets import test_out_refusal
from dojobot.i18n import N_, _
from dojobot.storage import memory as store
from dojobot.storage.practice import stage_for
from dojobot.transport.context import DojoContext

PACE_USAGE = N_("Your pace must be 3, 6 or 12 seconds, for example /pace 6.")


def pace_text(pace_ms: int) -> str:
    """What the learner's pace means."""
    return _(
        "Your pace is {pace} s: a fact counts as fluent when your last answer was right "
        "within {pace} s and you are likely to still know it tomorrow. Choose /pace 3, "
        "/pace 6 or /pace 12."
    ).format(pace=number(pace_ms // 1000))


async def pace(update: Update, context: DojoContext) -> None:
    """/pace [3|6|12]: show or set the fluency threshold."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    args = context.args or []
    if not args:
        await message.reply_text(pace_text(await store.pace_ms(context.db, user.id)))
        return
    raw = args[0].removesuffix("s")
    seconds = int(raw) if len(args) == 1 and raw.isascii() and raw.isdigit() else None
    if seconds is None or seconds not in PACES_S:
        await message.reply_text(_(PACE_USAGE))
        return
    await store.set_pace(context.db, user.id, check_pace(seconds))
    await message.reply_text(_("Pace set.") + " " + pace_text(seconds * 1000))


async def test_out(update: Update, context: DojoContext, data: TakeTestOut) -> None:
    """'🥋 Test out of <stage>': a 30-problem check of the whole stage, once a day."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    topic = context.catalogue.topic(data.topic_id)
    known_stage = any(s.stage_id == data.stage_id for s in context.catalogue.stages)
    if topic is None or not known_stage or STANDARD_LEVEL not in topic.level_ids:
        await query.answer(_(STALE))
        return
    stage_id = await stage_for(context.db, user.id, topic.topic_id)
    if data.stage_id != stage_id and stage_id != FINAL_STAGE:
        stage = context.catalogue.stage(stage_id)
        await query.answer(_(
            "That button is from an earlier stage; you are at {stage} now. "
            "Send /start for a fresh menu."
        ).format(stage=stage.display_name))
        return
    refused = await test_out_refusal(context.db, context.catalogue, user.id, topic,
                                     context.now_ms())
    if refused is not None:
        await query.answer(refused)
        return
    await query.answer()
    if isinstance(query.message, Message) and query.message.reply_markup is not None:
        await query.edit_message_reply_markup(reply_markup=None)
    await practice.begin_set(update, context, topic, STANDARD_LEVEL, test_out=True)


def build_handlers() -> list[BaseHandler]:
    """/pace and the test-out button."""
    return [
        CommandHandler("pace", pace, filters=filters.ChatType.PRIVATE),
        on_button((TakeTestOut,), test_out),
    ]
