"""/help, unknown commands and callbacks nobody else claimed."""

from __future__ import annotations

from html import escape

from telegram import BotCommand, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from dojobot.context import DojoContext
from dojobot.engine.progression import STANDARD
from dojobot.engine.stats import format_accuracy

# The one command list: Telegram's command menu and /help both show it.
COMMANDS = (
    BotCommand("start", "Choose a topic and practise"),
    BotCommand("progress", "Your stages, accuracy and speed"),
    BotCommand("stop", "End the current set"),
    BotCommand("help", "How the dojo works"),
    BotCommand("remind", "A daily practice reminder at your time"),
    BotCommand("timezone", "Your timezone, for reminders and streaks"),
    BotCommand("nickname", "Your name on class leaderboards"),
    BotCommand("privacy", "What I keep about you, and why"),
    BotCommand("mydata", "Download everything I keep about you"),
    BotCommand("forgetme", "Delete everything I keep about you"),
)
# The menu shown in groups: the class commands.
GROUP_COMMANDS = (
    BotCommand("leaderboard", "The class leaderboard"),
    BotCommand("join", "Join the class"),
    BotCommand("leave", "Leave the class"),
    BotCommand("board", "Board settings, chart and export (admins)"),
)


def stage_rule() -> str:
    """How a stage is left on the standard progression, in its own figures."""
    reps = sorted(set(STANDARD.requirements.values()))
    count = str(reps[0]) if len(reps) == 1 else f"{reps[0]}–{reps[-1]}"
    return (
        f"You leave a stage after its reps ({count} by default) with at least "
        f"{format_accuracy(STANDARD.accuracy_floor)} right over your last {STANDARD.window} "
        "answers."
    )


def help_text(context: DojoContext) -> str:
    """A few lines on stages, levels and commands."""
    catalogue = context.catalogue
    stages = " → ".join(f"{s.display_name} {s.kanji}" for s in catalogue.stages)
    levels = ", ".join(lv.display_name for lv in catalogue.levels)
    commands = "\n".join(f"/{c.command} - {c.description}" for c in COMMANDS)
    in_groups = ", ".join(f"/{c.command}" for c in GROUP_COMMANDS)
    return (
        "<b>How the dojo works</b>\n"
        "Pick a topic and a difficulty, then answer each problem by sending a number "
        "(2.5, -3 and 1/2 are fine). Speed counts: I time every answer.\n\n"
        f"<b>Stages</b>: {stages}.\n"
        f"{stage_rule()} A missed problem comes back a few problems later.\n\n"
        f"<b>Difficulty</b>: {levels}; harder levels add digits, negatives and decimals.\n\n"
        f"<b>Commands</b>\n{commands}\nIn a class group: {in_groups}"
    )


async def show_help(update: Update, context: DojoContext) -> None:
    """/help."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(help_text(context))


async def unknown_command(update: Update, context: DojoContext) -> None:
    """A command no handler took."""
    message = update.effective_message
    assert message is not None and message.text is not None
    command = message.text.split()[0][:40]
    await message.reply_text(f"I don't know {escape(command)}. Send /help to see what I can do.")


async def unknown_button(update: Update, context: DojoContext) -> None:
    """Callback data nobody recognises (forged, or from an older version)."""
    assert update.callback_query is not None
    await update.callback_query.answer("That button is no longer valid. Send /start.")


def build_handlers() -> list[BaseHandler]:
    """/help."""
    return [CommandHandler("help", show_help)]


def build_fallbacks() -> list[BaseHandler]:
    """Registered after every feature's handlers."""
    return [
        MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, unknown_command),
        CallbackQueryHandler(unknown_button),
    ]
