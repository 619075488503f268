"""/mydata's file: one ZIP with a versioned, documented JSON and a CSV of every answer.

Written by `ExportWriter` into a file as the answers are read, each step in a worker
thread (a heavy learner has 100,000 answers: compressing them must not hold up other chats,
and holding them all at once grew the bot by 76 MiB; the thread inherits the context, so
README.txt is in the learner's language).
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import IO, Any

from dojobot.i18n import N_, _
from dojobot.storage.privacy import ANSWER_COLUMNS, LearnerData
from dojobot.storage.streaks import Streak

FORMAT = "dojobot-mydata"
VERSION = 1
# Stored as ms since the epoch; written as ISO 8601 UTC so a person can read them.
_TIMESTAMPS = {
    "created_at", "last_seen_at", "blocked_at", "stage_started_at", "last_practised_at",
    "start_time", "end_time", "next_due_at", "last_sent_at", "updated_at", "joined_at",
    "linked_at", "due_at", "week_start", "set_at", "last_review_at",
}
# README.txt: the keys and column names are the file's format and stay as they are; what
# each one means is said in the learner's language.
_JSON_KEYS = (
    ("format, version", N_("\"{format}\" and {version}; a later layout gets a new version "
                           "number")),
    ("generated_at", N_("when this file was made (ISO 8601, UTC)")),
    ("profile", N_("your Telegram user id, first name, username, language, nickname, "
                   "timezone, fluency threshold (pace_ms), when you first and last wrote to "
                   "the bot, and when the bot last found itself blocked by you (null if "
                   "never); every column of your user row")),
    ("progress", N_("per topic: stage, reps in the stage, all reps, right answers, when the "
                    "stage started, when you last practised")),
    ("sets", N_("every set: topic, stage, difficulty, start and end, reps, right answers, "
                "accuracy (0..1), median and mean response time (ms); imported_estimate = 1 "
                "for history imported from the old app, whose accuracy and median it never "
                "recorded; test_out: \"taken\" or \"passed\" for a test-out set; "
                "scheduler_arm: which way of choosing problems the set used, \"leitner\" or "
                "\"fsrs\" (null for sets from before this was recorded)")),
    ("reminder", N_("your daily reminder (minutes after local midnight, on or off, paused, next "
                    "due, reminders ignored in a row, last sent), or null")),
    ("streak", N_("days in a row with a finished set, and whether today counts")),
    ("classes", N_("the class groups you joined: group id, title, when you joined; your "
                   "nickname (shown on their boards) is in profile")),
    ("imported_history", N_("accounts of the old app merged into yours: its user id, when "
                            "it was linked, how many sets and reps it brought")),
    ("fact_memory", N_("per fact you met (topic, fact such as \"mul 7 8\"): answers, right "
                       "answers, the last and previous response time (ms) and whether they "
                       "were right, the spacing box, when last seen, when next due")),
    ("focuses_set", N_("the weekly focuses you set for a class as its admin: group id, "
                       "the week's start, topic, difficulty, target sets per member, when")),
    ("fact_cards", N_("per fact you met, the memory model (FSRS) that plans your reviews: "
                      "stability (days until your recall is predicted to fall to 90%), "
                      "difficulty (1 to 10), state and step, when last reviewed, when due "
                      "again, how many reviews, the last rating (1 missed, 2 right but slow, "
                      "3 right, 4 right and quick) and its response time (ms)")),
    ("answers", N_("the name of the CSV below and how many rows it has")),
)
_CSV_COLUMNS = (
    ("answered_at", N_("ISO 8601, UTC")),
    ("set_id", N_("the set (see sets)")),
    ("topic, stage", N_("codes, as in progress")),
    ("question, expected, given", N_("the problem as shown, the right answer, and what you "
                                     "sent")),
    # Translators: what the export's "correct" column holds: 1 for a right answer, 0 else.
    ("correct", N_("1 or 0")),
    ("response_ms", N_("from when the problem reached Telegram to when your answer arrived")),
    ("since_last_ms", N_("how long (ms) since you last answered the same fact; empty the "
                         "first time, and for answers from before this was recorded")),
    ("timed_by, device_ms", N_("empty for answers in the chat; in the app, \"device\" when "
                               "response_ms is the time your device measured, \"server\" "
                               "when that time could not be right and the bot's own was "
                               "kept; device_ms is what your device measured")),
)


def _described(entries: tuple[tuple[str, str], ...]) -> list[str]:
    """Each key, then what it means (translated), wrapped under it."""
    lines = []
    for key, meaning in entries:
        lines.append(f"  {key}")
        text = _(meaning).format(format=FORMAT, version=VERSION)
        lines.extend(textwrap.wrap(text, width=76, initial_indent=" " * 6,
                                   subsequent_indent=" " * 6))
    return lines


def readme() -> str:
    """README.txt in the current language."""
    return "\n".join([
        _("Your DojoBot data ({format}, version {version})").format(
            format=FORMAT, version=VERSION),
        "",
        textwrap.fill(_("This archive holds everything DojoBot stores about you. The names "
                        "of keys and columns below are the file's format and stay in "
                        "English."), width=76),
        "",
        "mydata.json",
        *_described(_JSON_KEYS),
        "",
        _("answers.csv (UTF-8, one row per answer, oldest first)"),
        *_described(_CSV_COLUMNS),
        "",
    ])


def _iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="milliseconds")


def _readable(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {k: _iso(v) if k in _TIMESTAMPS else v for k, v in row.items()}


def document(data: LearnerData, streak: Streak, now_ms: int) -> dict[str, Any]:
    """The JSON document (README describes every key)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": _iso(now_ms),
        "profile": _readable(data.profile),
        "progress": [_readable(r) for r in data.progress],
        "sets": [_readable(r) for r in data.sets],
        "reminder": _readable(data.reminder),
        "streak": {"days": streak.days, "practised_today": streak.practised_today},
        "classes": [_readable(r) for r in data.classes],
        "imported_history": [_readable(r) for r in data.imported_history],
        "fact_memory": [_readable(r) for r in data.fact_memory],
        "focuses_set": [_readable(r) for r in data.focuses_set],
        "fact_cards": [_readable(r) for r in data.fact_cards],
        "answers": {"file": "answers.csv", "rows": data.answer_count},
    }


class ExportWriter:
    """The archive /mydata sends, written into `file` as the answers come: README.txt and
    mydata.json first, then answers.csv a chunk at a time, so memory holds one chunk of
    answers, never all of them. Every method blocks (it compresses): call each in a worker
    thread (which inherits the context, so README.txt is in the learner's language)."""

    def __init__(self, file: IO[bytes], data: LearnerData, streak: Streak, now_ms: int) -> None:
        self._archive = zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED)
        self._archive.writestr("README.txt", readme())
        self._archive.writestr(
            "mydata.json",
            json.dumps(document(data, streak, now_ms), ensure_ascii=False, indent=2),
        )
        self._csv = io.TextIOWrapper(
            self._archive.open("answers.csv", "w"), encoding="utf-8", newline=""
        )
        self._writer = csv.writer(self._csv, lineterminator="\r\n")
        self._writer.writerow(["answered_at", *ANSWER_COLUMNS[1:]])

    def add(self, answers: Sequence[Iterable[Any]]) -> None:
        """The next answers (ANSWER_COLUMNS), in order."""
        for row in answers:
            at, *rest = row  # sqlite3.Row or asyncpg's Record: both unpack
            self._writer.writerow([_iso(at), *rest])

    def close(self) -> None:
        """Finish answers.csv and the archive."""
        self._csv.close()
        self._archive.close()
