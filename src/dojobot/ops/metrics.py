"""Prometheus metrics for operators; the names are the dashboard's contract."""

from __future__ import annotations

from prometheus_client import Counter, Histogram
from telegram import Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

UPDATES = Counter("dojobot_updates_total", "Updates handled, by kind", ["kind"])
# arm: the scheduler arm of the answer's set (feature flag `scheduler`); "none" for a set
# started before flags existed.
ANSWERS = Counter(
    "dojobot_answers_judged_total", "Answers judged, by result and scheduler arm",
    ["result", "arm"],
)
ANSWER_SECONDS = Histogram(
    "dojobot_answer_handling_seconds", "Time to judge an answer and send the reply",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
UPDATES_DROPPED = Counter(
    "dojobot_updates_dropped_total",
    "Updates dropped unhandled: their chat already had its most updates waiting (a flood)",
)
API_ERRORS = Counter("dojobot_telegram_api_errors_total", "Bot API errors, by code", ["code"])
HANDLER_EXCEPTIONS = Counter(
    "dojobot_handler_exceptions_total", "Unhandled exceptions in handlers and jobs", ["kind"]
)
NUDGES_SENT = Counter("dojobot_nudges_sent_total", "Practice reminders delivered")
NUDGES_FAILED = Counter("dojobot_nudges_failed_total", "Practice reminders that failed")

_KINDS = tuple(sorted(Update.ALL_TYPES))


def update_kind(update: object) -> str:
    """The update's kind ('message', 'callback_query', ...), or the object's type."""
    if not isinstance(update, Update):
        return type(update).__name__
    return next((k for k in _KINDS if getattr(update, k, None) is not None), "unknown")


async def count_update(update: Update, context: object) -> None:
    """A group -2 TypeHandler: count every update by kind."""
    UPDATES.labels(update_kind(update)).inc()


def error_code(error: BaseException) -> str:
    """The HTTP-like code of a Bot API error (python-telegram-bot maps codes to classes)."""
    for cls, code in (
        (RetryAfter, "429"), (ChatMigrated, "400"), (BadRequest, "400"),
        (Forbidden, "403"), (InvalidToken, "401"), (EndPointNotFound, "404"),
        (Conflict, "409"), (TimedOut, "timeout"), (NetworkError, "network"),
    ):
        if isinstance(error, cls):
            return code
    return "other"
