"""The daily nudge broadcast: one repeating job reads due reminders from an index and sends.

Delivery is at most once: a batch's new next_due_at is committed before its messages go out
(storage.reminders.claim_due), so a crash or restart can lose a claimed nudge but never
sends it twice; a duplicate nudge annoys, a lost one does not. Batches are small so a
shutdown mid-batch loses little. Nudges are sent as background messages: the bot's rate
limiter (dojobot.transport.ratelimit) paces them into what replies to practising learners leave of
Telegram's 30 messages a second, so those replies never queue behind a broadcast.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass
from html import escape
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError
from telegram.ext import JobQueue

from dojobot.display.formats import number
from dojobot.engine.calendar import day_bounds
from dojobot.engine.cards import review_minutes
from dojobot.engine.nudges import MAX_IGNORED, Action, DueReminder, NudgePlan, plan_nudge
from dojobot.handlers.callbacks import Go, Menu, Nav, Reminder
from dojobot.handlers.classes.focus import focus_to_practise, member_focus_text
from dojobot.handlers.gatekeeper import forget_blocked_user
from dojobot.handlers.texts import streak_text
from dojobot.i18n import _, ngettext, resolve, use_language
from dojobot.i18n.names import shown
from dojobot.storage.cards import due_cards
from dojobot.storage.catalogue import Catalogue
from dojobot.storage.db import Database
from dojobot.storage.focus import member_focuses
from dojobot.storage.languages import user_language
from dojobot.storage.reminders import claim_due, last_set
from dojobot.storage.streaks import current_streak
from dojobot.transport.context import AnyApp, BotData, DojoContext
from dojobot.transport.ratelimit import background

log = logging.getLogger(__name__)

JOB_NAME = "daily-nudges"
BATCH = 100  # claimed per transaction: at most this many are lost if the bot dies mid-send
# Nudges being prepared or sent at once. Each reads the learner's streak and last set
# first: a whole batch reading at once would queue a practising learner's answer behind
# 200 reads on the one connection (p99 1.5 s in the full broadcast benchmark).
IN_FLIGHT = 8

def paused_text() -> str:
    """Why reminders stopped, and how to get them back."""
    return ngettext(
        "🔕 I've paused your daily reminders: the last one didn't lead to any practice, and "
        "reminders that never give up are no fun.\n"
        "Send /remind on to turn them back on, or /remind to pick another time.",
        "🔕 I've paused your daily reminders: the last {n} didn't lead to any practice, and "
        "reminders that never give up are no fun.\n"
        "Send /remind on to turn them back on, or /remind to pick another time.",
        MAX_IGNORED,
    ).format(n=number(MAX_IGNORED))


def practise_button(
    catalogue: Catalogue, topic_id: int | None, level_id: int | None
) -> Go | Nav:
    """The button that opens the learner's last topic (a set at their last level)."""
    topic = catalogue.topic(topic_id) if topic_id is not None else None
    if topic is None:
        return Nav(Menu.FIELDS)
    if level_id is not None and level_id in topic.level_ids:
        return Go(topic.topic_id, level_id)
    return Nav(Menu.TOPICS, topic.topic_id)


def due_text(due: int) -> str:
    """'12 facts are ready for review, about 3 minutes.'"""
    minutes = review_minutes(due)
    return ngettext(
        "🧠 {n} fact is ready for review, about {time}.",
        "🧠 {n} facts are ready for review, about {time}.",
        due,
    ).format(n=number(due), time=ngettext("{m} minute", "{m} minutes", minutes).format(
        m=number(minutes)))


async def nudge_message(
    db: Database, catalogue: Catalogue, plan: NudgePlan, now_ms: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The nudge: streak, last topic, 'Practise now' and a way to stop."""
    streak = await current_streak(db, plan.user_id, plan.timezone, now_ms)
    last = await last_set(db, plan.user_id)
    focuses = await member_focuses(db, plan.user_id, now_ms)
    lines = [member_focus_text(catalogue, m) for m in focuses]
    lines += [_("🥋 Time for today's practice!"), streak_text(streak)]
    due = await due_cards(db, plan.user_id, day_bounds(now_ms, plan.timezone).end_ms)
    if due:
        lines.append(due_text(due))
    topic = catalogue.topic(last.topic_id) if last else None
    if last is not None and topic is not None:
        level = catalogue.level(last.level_id) if last.level_id is not None else None
        name = shown(topic.display_name)
        if level is not None:
            name = f"{name} · {shown(level.display_name)}"
        lines.append(_("Last time: {topic}.").format(topic=escape(name)))
    todo = focus_to_practise(focuses)
    data = (
        Go(todo.focus.topic_id, todo.focus.level_id) if todo is not None
        else practise_button(catalogue, last.topic_id if last else None,
                             last.level_id if last else None)
    )
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("▶️ Practise now"), callback_data=data.encode())],
            [InlineKeyboardButton(_("🔕 Stop reminders"), callback_data=Reminder(None).encode())],
        ]
    )
    return "\n".join(lines), keyboard


async def _deliver(app: AnyApp, plan: NudgePlan,
                   now_ms: int) -> str:
    data: BotData = app.bot_data
    assert data.db is not None and data.catalogue is not None
    language = (data.language.by_chat.get(plan.user_id)
                or await user_language(data.db, plan.user_id))
    try:
        with use_language(resolve(language)):  # each nudge in its learner's language
            if plan.action is Action.PAUSE:
                await app.bot.send_message(plan.user_id, paused_text())
            else:
                text, keyboard = await nudge_message(data.db, data.catalogue, plan, now_ms)
                await app.bot.send_message(plan.user_id, text, reply_markup=keyboard)
    except Forbidden:
        await forget_blocked_user(data, plan.user_id, now_ms)
        return "blocked"
    except TelegramError as exc:
        # Not retried: a timed-out send may have arrived, and a second copy is worse than none.
        log.warning("nudge to user %s failed: %s", plan.user_id, exc)
        return "failed"
    return "sent" if plan.action is Action.SEND else "paused"


async def _gated(gate: asyncio.Semaphore, app: AnyApp,
                 plan: NudgePlan, now_ms: int) -> str:
    async with gate:
        return await _deliver(app, plan, now_ms)


async def send_due_nudges(
    app: AnyApp,
    *,
    per_second: float | None = None,
    batch: int = BATCH,
) -> Counter[str]:
    """Claim due reminders batch by batch and send them, until none is due; returns counts
    by outcome. Reminders that fall due meanwhile (the next minutes') go in the same run.

    The rate limiter paces the sends; `per_second` caps them further (evenly spaced)."""
    data: BotData = app.bot_data
    assert data.db is not None and data.settings is not None
    db = data.db
    default_zone = data.settings.default_timezone
    limiter = AsyncLimiter(1, 1 / per_second) if per_second else None
    counts: Counter[str] = Counter()
    gate = asyncio.Semaphore(IN_FLIGHT)
    # Stopping (SIGTERM, a deploy): claim no more, so shutdown waits for one batch at most
    # and the unclaimed rows stay due for the next start.
    while app.running:
        now = data.clock()

        def decide(due: DueReminder, now: int = now) -> NudgePlan:
            return plan_nudge(due, now)

        plans = await claim_due(db, now, batch, default_zone, decide)
        tasks = []
        with background():  # the tasks inherit it: every nudge yields to replies
            for plan in plans:
                if plan.action in (Action.SEND, Action.PAUSE):
                    if limiter is not None:
                        await limiter.acquire()
                    tasks.append(asyncio.create_task(_gated(gate, app, plan, now)))
                else:
                    counts[plan.action.value] += 1
        counts.update(await asyncio.gather(*tasks))
        if len(plans) < batch:
            break
    if counts:
        log.info("nudges: %s", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return counts


@dataclass
class Runs:
    """The nudge job's state between its runs."""

    sending: bool = False  # a run is under way
    again: bool = False  # a job started meanwhile: the run claims once more when done


async def nudge_job(context: DojoContext) -> None:
    """Job: send the nudges that are due now. While a run is still sending (a broadcast
    longer than a minute) this minute's job leaves its reminders to that run."""
    assert context.job is not None and isinstance(context.job.data, Runs)
    runs = context.job.data
    if runs.sending:
        runs.again = True
        return
    runs.sending = True
    try:
        while True:
            runs.again = False
            await send_due_nudges(context.application)
            if not runs.again:
                break
    finally:
        runs.sending = False


def schedule_jobs(job_queue: JobQueue[Any]) -> None:
    """One repeating job for all learners, a second into each minute; nothing per learner.

    A run goes on until nothing is due, so a big broadcast sends without a pause at each
    minute (a run that stopped to let the next one start left 4 s of every minute idle).
    The next minute's job may then start beside it (two instances; APScheduler would skip
    it with a warning) and returns at once."""
    first = 61.0 - time.time() % 60  # wall-clock alignment only; due times come from the DB
    job_queue.run_repeating(
        nudge_job, interval=60, first=first, name=JOB_NAME, data=Runs(),
        job_kwargs={"misfire_grace_time": 30, "coalesce": True, "max_instances": 2},
    )
