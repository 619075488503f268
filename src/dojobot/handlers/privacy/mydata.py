"""/mydata: everything stored about the learner, as one ZIP document in the private chat.

A running set is untouched: the export only reads. A second /mydata within a minute (a
double tap, or an impatient one while the first is being built) gets one line, not a second
file.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from typing import IO

from telegram import InputFile, Message, Update
from telegram.constants import ChatAction
from telegram.ext import BaseHandler, CommandHandler, filters

from dojobot.display.formats import number
from dojobot.handlers.privacy.common import private_only
from dojobot.handlers.privacy.export import ExportWriter
from dojobot.i18n import N_, _, ngettext
from dojobot.storage.privacy import LearnerData, reading_learner
from dojobot.storage.streaks import Streak, streak_for
from dojobot.transport.context import DojoContext

COOLDOWN_MS = 60_000
ALREADY = N_("Your data file is on its way or was just sent: see above. Try again in a minute.")


async def send_my_data(update: Update, context: DojoContext) -> None:
    """/mydata in the private chat."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    now = context.now_ms()
    exports = context.bot_data.privacy.data_exports
    last = exports.get(user.id)
    if last is not None and now - last < COOLDOWN_MS:
        await message.reply_text(_(ALREADY))
        return
    exports[user.id] = now  # before the first await: a second /mydata sees it at once
    try:
        await _send(update, context, now)
    except BaseException:
        exports.pop(user.id, None)  # nothing was sent: the learner may try again at once
        raise


async def _send(update: Update, context: DojoContext, now: int) -> None:
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    await context.bot.send_chat_action(user.id, ChatAction.UPLOAD_DOCUMENT)
    streak = await streak_for(context.db, user.id, context.settings.default_timezone, now)
    with tempfile.TemporaryFile(prefix="dojobot-mydata-") as archive:
        data = await _write_export(context, user.id, streak, now, archive)
        archive.seek(0)
        day = datetime.fromtimestamp(now // 1000, tz=UTC).strftime("%Y-%m-%d")
        await _reply(message, archive, day, data)


async def _write_export(
    context: DojoContext, user_id: int, streak: Streak, now: int, archive: IO[bytes]
) -> LearnerData:
    """The ZIP, written into `archive` as the answers are read (memory: one chunk)."""
    async with reading_learner(context.db, user_id) as (data, answers):
        writer = await asyncio.to_thread(ExportWriter, archive, data, streak, now)
        async for rows in answers:
            await asyncio.to_thread(writer.add, rows)
        await asyncio.to_thread(writer.close)
    return data


async def _reply(message: Message, archive: IO[bytes], day: str, data: LearnerData) -> None:
    await message.reply_document(
        InputFile(archive, filename=f"dojobot-mydata-{day}.zip"),
        caption=_(
            "🔒 Everything I keep about you: {answers}, {sets}, your progress, reminder and "
            "classes. README.txt inside explains each field."
        ).format(
            answers=ngettext("{n} answer", "{n} answers", data.answer_count).format(
                n=number(data.answer_count)),
            sets=ngettext("{n} set", "{n} sets", len(data.sets)).format(
                n=number(len(data.sets))),
        ),
    )


async def in_group(update: Update, context: DojoContext) -> None:
    """/mydata in a group."""
    await private_only(update, context, "mydata")


def build_handlers() -> list[BaseHandler]:
    """/mydata."""
    return [
        CommandHandler("mydata", send_my_data, filters=filters.ChatType.PRIVATE),
        CommandHandler("mydata", in_group, filters=filters.ChatType.GROUPS),
    ]
