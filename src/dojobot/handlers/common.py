"""/help, unknown commands and callbacks nobody else claimed."""

from __future__ import annotations

import contextlib
from html import escape

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from dojobot.display.formats import listed, percent, test_out_share
from dojobot.engine.progression import STANDARD
from dojobot.i18n import DEFAULT, LANGUAGES, N_, TELEGRAM_CODES, _, resolve, use_language
from dojobot.i18n.names import shown
from dojobot.transport.context import BotData, DojoContext

# The one command list: Telegram's command menu and /help both show it. Descriptions are
# English msgids, translated where shown.
COMMANDS = (
    BotCommand("start", N_("Choose a topic and practise")),
    BotCommand("progress", N_("Your stages, accuracy and speed")),
    BotCommand("stop", N_("End the current set")),
    BotCommand("help", N_("How the dojo works")),
    BotCommand("remind", N_("A daily practice reminder at your time")),
    BotCommand("timezone", N_("Your timezone, for reminders and streaks")),
    BotCommand("nickname", N_("Your name on class leaderboards")),
    BotCommand("language", N_("The language I speak with you")),
    BotCommand("pace", N_("Your fluency threshold: 3, 6 or 12 s")),
    BotCommand("privacy", N_("What I keep about you, and why")),
    BotCommand("mydata", N_("Download everything I keep about you")),
    BotCommand("forgetme", N_("Delete everything I keep about you")),
)
# The menu shown in groups: the class commands.
GROUP_COMMANDS = (
    BotCommand("leaderboard", N_("The class leaderboard")),
    BotCommand("join", N_("Join the class")),
    BotCommand("leave", N_("Leave the class")),
    BotCommand("board", N_("Board settings, chart and export (admins)")),
)


def translated(commands: tuple[BotCommand, ...]) -> list[BotCommand]:
    """The commands with their descriptions in the current language."""
    return [BotCommand(c.command, _(c.description)) for c in commands]


async def publish_commands(bot: Bot) -> None:
    """Telegram's command menus, one per language (English for every other language)."""
    for language in LANGUAGES:
        code = None if language == DEFAULT else TELEGRAM_CODES[language]
        with use_language(language):
            await bot.set_my_commands(translated(COMMANDS), language_code=code)
            await bot.set_my_commands(
                translated(GROUP_COMMANDS), scope=BotCommandScopeAllGroupChats(),
                language_code=code,
            )


def stage_rule() -> str:
    """How a stage is left on the standard progression, in its own figures."""
    reps = sorted(set(STANDARD.requirements.values()))
    count = str(reps[0]) if len(reps) == 1 else f"{reps[0]}–{reps[-1]}"
    return _(
        "You leave a stage after its reps ({count} by default) with at least {accuracy} "
        "right over your last {window} answers."
    ).format(count=count, accuracy=percent(STANDARD.accuracy_floor), window=STANDARD.window)


def help_text(context: DojoContext) -> str:
    """A few lines on stages, levels and commands."""
    catalogue = context.catalogue
    stages = " → ".join(f"{s.display_name} {s.kanji}" for s in catalogue.stages)
    levels = listed(shown(lv.display_name) for lv in catalogue.levels)
    commands = "\n".join(f"/{c.command} - {c.description}" for c in translated(COMMANDS))
    in_groups = ", ".join(f"/{c.command}" for c in GROUP_COMMANDS)
    return _(
        "<b>How the dojo works</b>\n"
        "Pick a topic and a difficulty, then answer each problem by sending a number "
        "(2.5, -3 and 1/2 are fine). Speed counts: I time every answer.\n\n"
        "<b>Stages</b>: {stages}.\n"
        "{stage_rule} Or pass the stage's test-out (in the difficulty menu: 30 "
        "problems, {share} right, median within your pace; once a day).\n\n"
        "<b>Fluency</b>: a fact such as 7 × 8 is <i>fluent</i> when your last answer was "
        "right within your pace (3 s unless you choose 6 or 12 s with /pace) and you are "
        "likely to still know it tomorrow. "
        "At Hatsu to Kan your sets favour the facts you missed, answered slowly or are due "
        "to review; /progress shows them on a map. A missed problem comes back 3-5 problems "
        "later, at most twice in a set.\n\n"
        "<b>Difficulty</b>: {levels}; harder levels add digits, negatives and decimals.\n\n"
        "<b>Commands</b>\n{commands}\nIn a class group: {in_groups}"
    ).format(
        stages=stages, stage_rule=stage_rule(), levels=levels, commands=commands,
        in_groups=in_groups, share=test_out_share(),
    )


async def tell_of_dropped_updates(bot: Bot, data: BotData, update: object) -> None:
    """One note to a chat whose updates were dropped (it had too many waiting already:
    transport/updates.py), in the chat's language; nothing if it cannot be sent."""
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    chat = update.effective_chat
    user = update.effective_user
    code = data.language.by_chat.get(chat.id) or (user.language_code if user else None)
    with use_language(resolve(code)):
        text = _(
            "You're sending messages faster than I can answer, so I skipped the newest "
            "ones. Wait for my replies, then go on."
        )
    with contextlib.suppress(TelegramError):
        await bot.send_message(chat.id, text)


async def show_help(update: Update, context: DojoContext) -> None:
    """/help."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(help_text(context))


async def unknown_command(update: Update, context: DojoContext) -> None:
    """A command no handler took."""
    message = update.effective_message
    assert message is not None and message.text is not None
    command = message.text.split()[0][:40]
    await message.reply_text(
        _("I don't know {command}. Send /help to see what I can do.").format(
            command=escape(command)
        )
    )


async def unknown_button(update: Update, context: DojoContext) -> None:
    """Callback data nobody recognises (forged, or from an older version)."""
    assert update.callback_query is not None
    await update.callback_query.answer(_("That button is no longer valid. Send /start."))


def build_handlers() -> list[BaseHandler]:
    """/help."""
    return [CommandHandler("help", show_help)]


def build_fallbacks() -> list[BaseHandler]:
    """Registered after every feature's handlers."""
    return [
        MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, unknown_command),
        CallbackQueryHandler(unknown_button),
    ]
