"""build_application(settings): the one place where DojoBot is wired together."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging

from telegram import Bot, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ChatMemberHandler, Defaults, TypeHandler

from dojobot.config import Mode, Settings
from dojobot.handlers import (
    adaptive,
    app_links,
    classes,
    common,
    gatekeeper,
    kpi,
    language,
    menu,
    practice,
    privacy,
    progress,
    reminders,
)
from dojobot.i18n import _
from dojobot.jobs import class_boards, idle_sets, nudges
from dojobot.jobs.leadership import BackgroundWork
from dojobot.ops import metrics
from dojobot.ops.database import open_for_the_bot
from dojobot.ops.erasure_key import load_erasure_key
from dojobot.ops.outages import outage_kind
from dojobot.ops.runtime import sentry_on, sentry_tags, start_runtime, stop_runtime
from dojobot.storage.catalogue import load_catalogue
from dojobot.storage.db import Database
from dojobot.storage.flags import scheduler_arm
from dojobot.storage.migrator import migrate_up
from dojobot.transport.context import (
    CONTEXT_TYPES,
    AnyApp,
    BotData,
    Clock,
    DojoContext,
    wall_clock_ms,
)
from dojobot.transport.ratelimit import PriorityRateLimiter
from dojobot.transport.request import GatedRequest, ScreenedUpdatesRequest
from dojobot.transport.updates import AdmittingQueue, ChatOrderedProcessor
from dojobot.web.routes import build_rules

log = logging.getLogger(__name__)

def file_url_for(api_base_url: str) -> str:
    """The file download base that belongs to a Bot API base URL."""
    root = api_base_url.rstrip("/").rpartition("/bot")[0]
    return f"{root}/file/bot"


async def _post_init(app: AnyApp, *, migrate: bool) -> None:
    data: BotData = app.bot_data
    assert data.settings is not None
    data.db = await open_for_the_bot(data.settings)
    applied = await migrate_up(data.db) if migrate else []
    if applied:
        log.info("applied migrations %s", ", ".join(f"{m.version:04d}" for m in applied))
    data.catalogue = await load_catalogue(data.db)
    data.erasure_key = await load_erasure_key(data.settings, data.db)
    data.ops = await start_runtime(app, data.settings, web_rules=build_rules(data))
    data.erasures = await privacy.follow_erasures(app)
    await common.publish_commands(app.bot)
    await app_links.publish_menu_button(app.bot, data.settings)
    # PTB keeps no jobs across restarts: each is rebuilt here, its state in the database.
    # They run on the elected replica only (a sole process is always elected).
    assert app.job_queue is not None
    work = BackgroundWork(
        data.ops.election,
        [idle_sets.schedule_jobs, nudges.schedule_jobs, class_boards.schedule_jobs],
    )
    await work.start(app.job_queue)


async def _post_shutdown(app: AnyApp) -> None:
    data: BotData = app.bot_data
    if data.classes.queued_replies:  # Telegram's group limit would hold shutdown up to a minute
        log.warning("shutdown: %d queued group replies not sent", len(data.classes.queued_replies))
        for task in list(data.classes.queued_replies):
            task.cancel()
        await asyncio.gather(*data.classes.queued_replies, return_exceptions=True)
    await data.outages.close()
    await stop_runtime(data.ops)
    data.ops = None
    if data.erasures is not None:
        await data.erasures.close()
        data.erasures = None
    if data.db is not None:
        await data.db.close()
        data.db = None


async def _flag_tags(update: object, context: DojoContext) -> dict[str, str]:
    """The learner's arm of each flag, for Sentry: an error rate can be split by arm."""
    user = update.effective_user if isinstance(update, Update) else None
    db = context.bot_data.db
    if user is None or db is None:
        return {}
    try:
        return {"scheduler_arm": await scheduler_arm(db, user.id, context.now_ms())}
    except Exception:  # the error may be the database's own: the report goes out anyway
        return {"scheduler_arm": "unknown"}


async def _database_back(db: Database) -> bool:
    return await db.probe() is None


async def _bot_api_back(bot: Bot) -> bool:
    await bot.get_me()  # raises while Telegram is out of reach
    return True


async def _on_error(update: object, context: DojoContext) -> None:
    """Log every unhandled exception once, with the update's kind and ids, never the token;
    an outage of the database or the Bot API is counted toward its one pair of lines."""
    if isinstance(update, Update):
        kind = next((k for k in update.to_dict() if k != "update_id"), "unknown")
        chat = update.effective_chat.id if update.effective_chat else None
        user = update.effective_user.id if update.effective_user else None
        where = f"update {update.update_id} ({kind}, chat {chat}, user {user})"
    else:
        where = f"job or internal call ({type(update).__name__})"
    outage = outage_kind(context.error)
    if isinstance(context.error, Forbidden):
        log.info("%s: %s", where, context.error)  # the learner blocked us; not a bug
    elif outage is not None and context.error is not None:  # expected while it lasts
        context.bot_data.outages.failed(
            outage, context.error,
            functools.partial(_database_back, context.db) if outage == "database"
            else functools.partial(_bot_api_back, context.bot),
            job=context.job is not None,
        )
    else:
        tags = await _flag_tags(update, context) if sentry_on() else {}
        with sentry_tags(where=where, **tags):
            log.error("unhandled error in %s", where, exc_info=context.error)
    metrics.HANDLER_EXCEPTIONS.labels(metrics.update_kind(update)).inc()
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    private = update.effective_chat.type == ChatType.PRIVATE
    if isinstance(context.error, Forbidden):
        if private:
            await gatekeeper.forget_blocked_user(
                context.bot_data, update.effective_chat.id, context.now_ms()
            )
        return
    if not private or update.effective_message is None or outage == "Bot API":
        return  # Telegram is out of reach: an apology would not arrive either
    with contextlib.suppress(TelegramError):  # the apology must not fail in turn
        if outage == "database":
            # Nothing of it was saved, and nothing before it is lost: the same message
            # again, once the database is back, is judged as usual.
            await update.effective_message.reply_text(_(
                "Sorry, I couldn't save that just now. Please send it again in a moment."
            ))
        else:
            await update.effective_message.reply_text(_(
                "Sorry, something went wrong on my side. Your answers so far are saved; "
                "send /start to go on."
            ))


def register_handlers(app: AnyApp) -> None:
    """Register every handler; groups make the order explicit."""
    # Groups -2 and -1 see every update first: count it, record who wrote.
    app.add_handler(TypeHandler(Update, metrics.count_update), group=-2)
    app.add_handler(TypeHandler(Update, gatekeeper.remember_user), group=-1)
    # Group 1, apart from group 0's first-match-wins: a learner blocking the bot.
    app.add_handler(
        ChatMemberHandler(gatekeeper.private_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        group=1,
    )
    # Group 0: the first matching handler wins, so the catch-alls come last.
    for feature in (
        menu, practice, adaptive, progress, reminders, language, classes, privacy, common
    ):
        app.add_handlers(feature.build_handlers())
    app.add_handlers(kpi.build_handlers())  # owners only; deliberately not in COMMANDS
    app.add_handlers(practice.build_fallbacks())
    app.add_handlers(common.build_fallbacks())
    app.add_error_handler(_on_error)


def build_application(
    settings: Settings, *, clock: Clock = wall_clock_ms, migrate: bool = True
) -> AnyApp:
    """Build the configured Application; nothing touches the network or disk until it runs.

    migrate=False when the caller has migrated the database already (`dojobot run` does,
    to fail with one line before talking to Telegram), so it happens once per start.
    """
    builder = Application.builder()
    processor = ChatOrderedProcessor(clock)
    if settings.mode is Mode.WEBHOOK:
        builder.updater(None)  # webhook.py takes the updates, answering once each is handled
    else:
        builder.get_updates_request(ScreenedUpdatesRequest(processor.screen))
    app = (
        builder
        .token(settings.require_token())
        .base_url(settings.api_base_url)
        .base_file_url(file_url_for(settings.api_base_url))
        .defaults(Defaults(parse_mode=ParseMode.HTML, disable_notification=False))
        .request(GatedRequest(settings.bot_api_connections))
        .rate_limiter(PriorityRateLimiter(
            settings.messages_per_second_here, max_retries=3, replicas=settings.replicas
        ))
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(processor)
        .update_queue(AdmittingQueue(processor))
        .post_init(functools.partial(_post_init, migrate=migrate))
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data.settings = settings
    app.bot_data.application = app
    app.bot_data.clock = clock
    processor.on_overflow = functools.partial(
        common.tell_of_dropped_updates, app.bot, app.bot_data
    )
    register_handlers(app)
    return app

