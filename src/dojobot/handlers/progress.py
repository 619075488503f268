"""/progress: where the learner stands in each topic, with its fluency map (or, beyond the
one-digit stages, a chart of recent sets) and a button for each other topic."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from dojobot.display.formats import day, number, percent, seconds
from dojobot.display.rendering import render
from dojobot.engine.calendar import local_datetime, zone
from dojobot.handlers.callbacks import Chart, ShowProgress, on_button
from dojobot.handlers.fluency import send_learner_map
from dojobot.handlers.texts import bar, requirement, stage_label, streak_text
from dojobot.i18n import _, ngettext
from dojobot.i18n.names import shown
from dojobot.storage.catalogue import Topic
from dojobot.storage.practice import (
    imported_by_topic,
    progress_by_topic,
    recent_in_stage,
    recent_sets,
)
from dojobot.storage.streaks import streak_for
from dojobot.transport.context import DojoContext


def ago(then_ms: int | None, now_ms: int) -> str:
    """'just now', '5 min ago', '3 h ago', '2 days ago'."""
    if then_ms is None:
        return _("never")
    minutes = max(0, now_ms - then_ms) // 60_000
    if minutes < 1:
        return _("just now")
    if minutes < 60:
        return _("{n} min ago").format(n=number(minutes))
    if minutes < 48 * 60:
        return _("{n} h ago").format(n=number(minutes // 60))
    days = minutes // (24 * 60)
    return ngettext("{n} day ago", "{n} days ago", days).format(n=number(days))


async def progress_text(context: DojoContext, user_id: int) -> tuple[str, list[Topic]]:
    """The progress report and the topics practised, most recent first."""
    catalogue = context.catalogue
    progress = await progress_by_topic(context.db, user_id)
    imported = await imported_by_topic(context.db, user_id)
    practised = sorted(
        (p for p in progress.values() if p.total_reps > 0 or p.topic_id in imported),
        key=lambda p: (p.last_practised_at or 0, imported.get(p.topic_id, (0, 0, 0))[2]),
        reverse=True,
    )
    if not practised:
        return _("No answers yet. Send /start to pick a topic and practise."), []
    now = context.now_ms()
    streak = await streak_for(context.db, user_id, context.settings.default_timezone, now)
    lines = [_("<b>Your progress</b>"), streak_text(streak)]
    topics = []
    for p in practised:
        topic = catalogue.topic(p.topic_id)
        assert topic is not None
        topics.append(topic)
        lines.append(
            f"\n<b>{escape(shown(topic.display_name))}</b> · "
            f"{stage_label(catalogue.stage(p.stage_id))} "
            f"{bar(p.reps_in_stage, requirement(topic, p.stage_id))}"
        )
        if p.total_reps:
            recent = await recent_in_stage(context.db, user_id, p.topic_id, p.stage_id,
                                           topic.progression.window)
            answers = ngettext("{n} answer", "{n} answers", p.total_reps).format(
                n=number(p.total_reps)
            )
            figures = _(
                "{accuracy} right · median {median} (recent) · last practised {ago}"
            ).format(
                accuracy=percent(p.correct_reps / p.total_reps),
                median=seconds(recent.median_ms), ago=ago(p.last_practised_at, now),
            )
            lines.append(f"{answers} · {figures}")
        if p.topic_id in imported:
            sessions, reps, _last = imported[p.topic_id]
            lines.append(ngettext(
                "Imported from the old app: {n} session · {reps} reps",
                "Imported from the old app: {n} sessions · {reps} reps", sessions,
            ).format(n=number(sessions), reps=number(reps)))
    return "\n".join(lines), topics


async def send_chart(context: DojoContext, chat_id: int, user_id: int, topic: Topic) -> None:
    """Render and send the chart of the learner's recent sets of a topic."""
    name = shown(topic.display_name)
    points = await recent_sets(context.db, user_id, topic.topic_id)
    if not points:
        await context.bot.send_message(
            chat_id, _("No finished sets of {topic} yet.").format(topic=escape(name))
        )
        return
    from dojobot.display.charts import (
        progress_chart,  # matplotlib is slow to import: only when used
    )

    # The worker draws in the learner's language too (render passes it along).
    title = _("{topic}: recent sets").format(topic=name)
    png = await render(progress_chart, title, points)
    since = day(local_datetime(points[0].start_time, zone("UTC")).date())
    # One set gets its own sentence: "your last 1 set" reads oddly in every language, and
    # Russian's singular form also serves 21, 31, ... so it must keep the number.
    caption = (
        _("{topic}: median time and accuracy over your last set (since {date}).")
        if len(points) == 1
        else ngettext(
            "{topic}: median time and accuracy over your last {n} set (since {date}).",
            "{topic}: median time and accuracy over your last {n} sets (since {date}).",
            len(points),
        )
    ).format(topic=escape(name), n=number(len(points)), date=since)
    await context.bot.send_photo(
        chat_id, InputFile(png, filename=f"progress-{topic.slug}.png"), caption=caption
    )


async def send_topic_picture(
    context: DojoContext, chat_id: int, user_id: int, topic: Topic
) -> None:
    """The fluency map where the learner's stage has facts, else the recent-sets chart."""
    if not await send_learner_map(context, chat_id, user_id, topic):
        await send_chart(context, chat_id, user_id, topic)


async def show_progress(update: Update, context: DojoContext) -> None:
    """/progress."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    text, topics = await progress_text(context, user.id)
    keyboard = None
    if len(topics) > 1:
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(
                    f"📈 {shown(t.display_name)}", callback_data=Chart(t.topic_id).encode()
                )]
                for t in topics[1:]
            ]
        )
    await context.bot.send_message(chat.id, text, reply_markup=keyboard)
    if topics:
        await send_topic_picture(context, chat.id, user.id, topics[0])


async def progress_button(update: Update, context: DojoContext, _data: ShowProgress) -> None:
    """The 'My progress' button under a set summary."""
    assert update.callback_query is not None
    await update.callback_query.answer()
    await show_progress(update, context)


async def chart_button(update: Update, context: DojoContext, data: Chart) -> None:
    """'📈 <topic>': the chart of another topic."""
    query = update.callback_query
    user = update.effective_user
    chat = update.effective_chat
    assert query is not None and user is not None and chat is not None
    topic = context.catalogue.topic(data.topic_id)
    if topic is None:
        await query.answer(_("That button is no longer valid."))
        return
    await query.answer()
    await send_topic_picture(context, chat.id, user.id, topic)


def build_handlers() -> list[BaseHandler]:
    """The progress report's handlers."""
    return [
        CommandHandler("progress", show_progress, filters=filters.ChatType.PRIVATE),
        on_button((ShowProgress,), progress_button),
        on_button((Chart,), chart_button),
    ]
