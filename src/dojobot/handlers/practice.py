"""Timed problem sets: start a set, judge each answer, close the set.

Steady state is one Bot API call per answer: the feedback and the next problem travel
in one message. The answer is committed before that message is sent.
"""

from __future__ import annotations

import logging
import time
from decimal import Decimal
from html import escape

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from dojobot.display.formats import exact, number
from dojobot.engine.answering import GivenAnswer, shows_stage_line
from dojobot.engine.answers import (
    AnswerAmbiguous,
    AnswerRejected,
    format_number,
    parse_answer,
)
from dojobot.engine.practice_set import SetState
from dojobot.engine.stats import Stats
from dojobot.handlers.app_links import app_button
from dojobot.handlers.callbacks import STALE, Go, on_button
from dojobot.handlers.editing import not_modified
from dojobot.handlers.sets import start_new_set, test_out_verdict
from dojobot.handlers.texts import (
    after_set_keyboard,
    celebration,
    feedback,
    problem_block,
    set_summary,
    stage_label,
    stage_line,
    streak_text,
    test_out_intro,
)
from dojobot.i18n import N_, _, current, ngettext
from dojobot.i18n.names import shown
from dojobot.ops import metrics
from dojobot.storage import practice as store
from dojobot.storage.catalogue import Topic
from dojobot.storage.streaks import streak_for
from dojobot.transport.context import DojoContext

log = logging.getLogger(__name__)

NO_SET = N_("No set is running. Send /start to pick a topic.")


async def _streak_line(context: DojoContext, user_id: int) -> str:
    streak = await streak_for(
        context.db, user_id, context.settings.default_timezone, context.now_ms()
    )
    return "\n" + streak_text(streak)


def _title(context: DojoContext, topic: Topic, level_id: int | None) -> str:
    level = context.catalogue.level(level_id) if level_id is not None else None
    name = shown(topic.display_name)
    return f"{name} · {shown(level.display_name)}" if level else name


async def begin_set(
    update: Update, context: DojoContext, topic: Topic, level_id: int, *,
    test_out: bool = False, message_id: int = 0,
) -> None:
    """Start a set (or a test-out) at the learner's stage and send its first problem.

    `message_id`: the learner's message that asked for it (a deep link); sent again, it
    shows the set it started instead of starting another."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    new = await start_new_set(context.db, user.id, topic, level_id, context.now_ms(),
                              default_zone=context.settings.default_timezone,
                              test_out=test_out, message_id=message_id)
    if new is None:
        await _show_current(update, context)
        return
    state, pace, stage_id = new.state, new.pace_ms, new.state.stage_id
    stage = context.catalogue.stage(stage_id)
    heading = f"<b>{escape(_title(context, topic, level_id))}</b> · {stage_label(stage)}"
    if test_out:
        intro = f"{heading}\n{test_out_intro(context.catalogue, stage_id, state.size, pace)}\n\n"
    else:
        how = ngettext(
            "{n} problem. Send each answer as a number; /stop ends the set.",
            "{n} problems. Send each answer as a number; /stop ends the set.",
            state.size,
        ).format(n=number(state.size))
        intro = f"{heading}\n{how}\n\n"
    await context.bot.send_message(chat.id, intro + problem_block(state))
    context.bot_data.practice.problem_sent_at[user.id] = context.now_ms()


async def choose_level(update: Update, context: DojoContext, data: Go) -> None:
    """A difficulty button: start a set."""
    query = update.callback_query
    assert query is not None
    topic = context.catalogue.topic(data.topic_id)
    level_id = data.level_id
    if topic is None or level_id not in topic.level_ids:
        await query.answer(_(STALE))
        return
    message = query.message
    await query.answer()
    if isinstance(message, Message):
        # A second tap on the same menu (made before the first was handled, so Telegram
        # still showed the buttons) must not start a second set: its answer is all it gets.
        if not context.bot_data.practice.frozen_menus.add((message.chat_id, message.message_id)):
            return
        if message.reply_markup is not None and not await _freeze(query):
            return
    await begin_set(update, context, topic, level_id)


async def _freeze(query: CallbackQuery) -> bool:
    """Remove the menu's buttons so an old one cannot restart the set by accident.

    False when they were already gone: a tap from before a restart, which forgot the menus
    frozen by earlier taps."""
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as exc:
        if not not_modified(exc):
            raise
        return False
    return True


async def answer(update: Update, context: DojoContext) -> None:
    """A text message in a private chat: judge it against the current problem."""
    started = time.perf_counter()
    message = update.effective_message
    user = update.effective_user
    assert message is not None and message.text is not None and user is not None
    db = context.db
    current = await store.open_set(db, user.id)
    if current is None or current.state.current is None:
        if not await _answer_again(update, context):
            await message.reply_text(_(NO_SET))
        return
    problem = current.state.current
    try:
        given = parse_answer(message.text, learner_locale())
    except AnswerRejected as rejected:
        await message.reply_text(f"{escape(why(rejected))}\n\n{problem_block(current.state)}")
        return
    # Timed to the answer's arrival: a wait for other updates is not the learner's time.
    now = context.arrived_ms()
    # In memory: when Telegram accepted the problem. After a restart only the stored
    # time is left, taken just before that send (a few ms earlier).
    sent_at = max(context.bot_data.practice.problem_sent_at.get(user.id, 0),
                  current.problem_sent_at)
    response_ms = max(0, now - sent_at)
    topic = context.catalogue.topic(current.topic_id)
    assert topic is not None
    given_answer = GivenAnswer(current.state, given, response_ms, now, current.pace_ms,
                               topic.progression,
                               retention=context.settings.target_retention)
    judged = await store.record_answer(db, current, given_answer, message.message_id)
    if judged is None:
        if not await _answer_again(update, context):
            # Another message took this problem first (e.g. two answers to two replicas at
            # once): this one was not judged; show where the set stands.
            log.info("answer (message %s) came after its problem was answered",
                     message.message_id)
            await _show_current(update, context, _("Already counted.") + "\n")
        return
    outcome = judged.outcome
    metrics.ANSWERS.labels(
        "correct" if outcome.correct else "wrong", current.arm or "none"
    ).inc()
    parts = [feedback(outcome.correct, problem.question, exact(problem.answer), response_ms)]
    if outcome.set_stats is not None:
        summary = store.SetSummary(current.session_id, current.topic_id, current.level_id,
                                   outcome.set_stats)
        parts += await _ended(context, user.id, topic, current.level_id, summary,
                              outcome.test_out, current.pace_ms)
    if judged.stage_window is not None:
        parts.append(stage_line(context.catalogue, topic, outcome.stage.stage_id,
                                outcome.stage.reps, judged.stage_window))
    await _reply(context, message, topic, current.level_id, parts, outcome.next_state)
    if outcome.advanced_to is not None:
        await message.reply_text(celebration(context.catalogue, topic, outcome.advanced_to))
    metrics.ANSWER_SECONDS.observe(time.perf_counter() - started)


async def _ended(
    context: DojoContext, user_id: int, topic: Topic, level_id: int | None,
    summary: store.SetSummary, passed_test_out: bool | None, pace_ms: int,
) -> list[str]:
    """A finished set's summary, then a test-out's result."""
    parts = [set_summary(_title(context, topic, level_id), summary.stats,
                         await _streak_line(context, user_id))]
    if passed_test_out is not None:
        parts.append(await test_out_verdict(context.db, summary.session_id, passed_test_out,
                                            pace_ms))
    return parts


async def _reply(
    context: DojoContext, message: Message, topic: Topic, level_id: int | None,
    parts: list[str], state: SetState | None, *, quote: bool = False,
) -> None:
    """An answer's one message: its parts, then the next problem or, when the set is over
    (`state` is None once the set's row is closed), the buttons for what comes next.
    `quote`: quote the answer, for a reply that comes late (its first may have arrived)."""
    assert message.from_user is not None
    user_id = message.from_user.id
    do_quote = quote or None  # None: the chat's usual (no quote in a private chat)
    if state is None or state.current is None:
        await message.reply_text(
            "\n\n".join(parts), reply_markup=after_set_keyboard(
                topic, level_id, app_button(context.settings, context.catalogue, topic, level_id)
            ),
            do_quote=do_quote,
        )
        context.bot_data.practice.problem_sent_at.pop(user_id, None)
    else:
        await message.reply_text("\n\n".join([*parts, problem_block(state)]),
                                 do_quote=do_quote)
        context.bot_data.practice.problem_sent_at[user_id] = context.now_ms()


async def _answer_again(update: Update, context: DojoContext) -> bool:
    """Telegram sent an answer again that was judged already (a replica died after
    committing it and before replying): reply what its first handling replied, from the
    answer as stored, without judging it again. False when the message is not the last
    answer its set took, with the same text (an edit comes as an edited message).

    The reply quotes the answer: if the first reply did arrive (the replica died after
    sending it, before answering Telegram's POST) the learner sees which one this is."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and message.text is not None and user is not None
    stored = await store.judged_answer(context.db, user.id, message.message_id)
    if stored is None or stored.given != _typed(message.text):
        return False
    log.info("redelivered answer (message %s) was already judged", message.message_id)
    topic = context.catalogue.topic(stored.topic_id)
    assert topic is not None
    parts = [feedback(stored.correct, stored.question,
                      exact(Decimal(stored.expected)), stored.response_ms)]
    if stored.state is None:
        summary = store.SetSummary(stored.session_id, stored.topic_id, stored.level_id,
                                   await store.set_stats(context.db, stored.session_id))
        parts += await _ended(context, user.id, topic, stored.level_id, summary,
                              stored.passed_test_out, stored.pace_ms)
    if stored.state is None or shows_stage_line(stored.state):
        parts.append(await _stage_line(context, user.id, topic))
    await _reply(context, message, topic, stored.level_id, parts, stored.state, quote=True)
    return True


def _typed(text: str) -> str | None:
    """An answer's text as stored (None: not an answer)."""
    try:
        return format_number(parse_answer(text, learner_locale()))
    except AnswerRejected:
        return None


def learner_locale() -> str:
    """The Babel locale the learner's numbers are read in ('de', 'pt_BR')."""
    return str(current().locale)


def why(rejected: AnswerRejected) -> str:
    """An unreadable answer's reason in the learner's language; an ambiguous one asks which
    number was meant, each written so that it reads back as one number ('1000', '1')."""
    if isinstance(rejected, AnswerAmbiguous):
        one, other = rejected.readings
        return _(rejected.reason).format(
            one=exact(one, grouping=False), other=exact(other, grouping=False)
        )
    return _(rejected.reason)


async def _show_current(update: Update, context: DojoContext, note: str = "") -> None:
    """The running set's current problem (if one runs), quoting the learner's message this
    answers: one Telegram sent again, or an edited one."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    now_open = await store.open_set(context.db, user.id)
    if now_open is not None and now_open.state.current is not None:
        await message.reply_text(note + problem_block(now_open.state), do_quote=True)


async def _stage_line(context: DojoContext, user_id: int, topic: Topic) -> str:
    """Where the learner stands in the topic's current stage, from the database."""
    progress = (await store.progress_by_topic(context.db, user_id))[topic.topic_id]
    recent = await store.recent_in_stage(context.db, user_id, topic.topic_id, progress.stage_id,
                                         topic.progression.window)
    return stage_line(
        context.catalogue, topic, progress.stage_id, progress.reps_in_stage, recent
    )


async def _closing(
    context: DojoContext, user_id: int, topic: Topic, level_id: int | None, stats: Stats
) -> str:
    """The end-of-set summary followed by the stage line."""
    summary = set_summary(
        _title(context, topic, level_id), stats, await _streak_line(context, user_id)
    )
    return f"{summary}\n\n{await _stage_line(context, user_id, topic)}"


async def stop(update: Update, context: DojoContext) -> None:
    """/stop: end the running set and show its summary."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    summary = await store.stop_set(context.db, user.id)
    context.bot_data.practice.problem_sent_at.pop(user.id, None)
    if summary is None:
        await message.reply_text(_(NO_SET))
        return
    topic = context.catalogue.topic(summary.topic_id)
    assert topic is not None
    await message.reply_text(
        await _closing(context, user.id, topic, summary.level_id, summary.stats),
        reply_markup=after_set_keyboard(topic, summary.level_id, app_button(
            context.settings, context.catalogue, topic, summary.level_id)),
    )


async def not_text(update: Update, context: DojoContext) -> None:
    """A sticker, photo, voice note... in a private chat."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    current = await store.open_set(context.db, user.id)
    if current is None or current.state.current is None:
        await message.reply_text(_(NO_SET))
        return
    await message.reply_text(
        _("Please send your answer as a number.") + f"\n\n{problem_block(current.state)}"
    )


async def edited(update: Update, context: DojoContext) -> None:
    """An edited message: answers are judged once, so say so while a set runs."""
    # Without a running set an edit needs no reply: it would only be noise.
    await _show_current(update, context, _(
        "Edited answers are not judged again. Send a new message with your answer."
    ) + "\n\n")


def build_handlers() -> list[BaseHandler]:
    """The practice loop's handlers."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("stop", stop, filters=private),
        on_button((Go,), choose_level),
        MessageHandler(private & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND,
                       answer),
        MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, edited),
    ]


def build_fallbacks() -> list[BaseHandler]:
    """Registered after every feature: non-text messages in private chats."""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.TEXT, not_text),
    ]
