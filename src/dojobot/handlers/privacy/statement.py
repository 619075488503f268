"""/privacy: what DojoBot stores, why, who sees it, for how long, and how to take it away."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from dojobot.handlers.privacy.common import private_only
from dojobot.i18n import N_, _
from dojobot.transport.context import DojoContext

# One paragraph per kind of record (the tables named in brackets), in plain words.
STATEMENT = N_("""\
🔒 <b>What DojoBot keeps about you</b>
• <b>Profile</b> (user): your Telegram id, first name, username and language, as Telegram \
sends them; your nickname and timezone if you set them; when you first and last wrote. \
So I know who answers, and what name to show on class boards.
• <b>Answers</b> (attempt, fact_memory, fact_card): each problem, your answer, right or \
wrong, and how long you took, and per fact how well you are predicted to remember it. So I \
can judge, time you, tell when a stage is done, and plan your reviews.
• <b>Sets and progress</b> (session, user_progress): totals per set and per topic, and your \
stage. For /progress and your streak.
• <b>Reminder</b> (reminder): the time you chose, and how many reminders went unanswered. \
To nudge you once a day, and to stop when you stop.
• <b>Classes</b> (class_member): the class groups you joined, and when. To put you on \
their boards. If you run a class: the weekly focus you set, and when (class_focus).
• <b>Imported history</b> (legacy_account, legacy_session, legacy_progress_change, \
legacy_claim_token): your sets from the old DojoBot app, if your school brought them over, \
and the stages they raised.
• <b>A pending /forgetme</b> (forget_request): for 10 minutes, until you confirm.

<b>Who sees what</b>
• You: all of it (/progress, /mydata).
• A class you joined: your nickname (or first name), reps, right answers, accuracy and \
median time on its board. Its admins also see your practice on the class dashboard: per \
topic your stage, reps, accuracy, times and last practice, your streak, which facts you \
know fluently and your recent sets; they can export your figures.
• The bot's owners: totals and averages over all learners (/kpi), never one person's answers.

<b>How long</b>
Until you delete it. Leaving a class group (or /leave) takes you off its board and its \
dashboard at once: its admins see nothing of you from then on. A \
class whose group removed the bot is deleted after 90 days. Backups the bot's operator made \
earlier keep what they held then.

<b>Your data, your call</b>
/mydata: one ZIP with all of it (a documented JSON file and a CSV of every answer).
/forgetme: deletes all of it, for good, after one confirmation.""")
# What an erasure keeps (storage/forgotten.py): said after the statement's last line.
AFTER_FORGETME = N_(
    "After /forgetme I keep one thing (forgotten): a one-way fingerprint of your Telegram id, "
    "and of your old-app id if you had one, made with a secret key. It cannot be turned back "
    "into your id; it only makes sure that bringing the old app's data over again leaves "
    "you out."
)


async def show_statement(update: Update, context: DojoContext) -> None:
    """/privacy in the private chat."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(_(STATEMENT) + "\n" + _(AFTER_FORGETME))


async def in_group(update: Update, context: DojoContext) -> None:
    """/privacy in a group."""
    await private_only(update, context, "privacy")


def build_handlers() -> list[BaseHandler]:
    """/privacy."""
    return [
        CommandHandler("privacy", show_statement, filters=filters.ChatType.PRIVATE),
        CommandHandler("privacy", in_group, filters=filters.ChatType.GROUPS),
    ]
