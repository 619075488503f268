"""The catalogue (stages, levels, fields, subjects, topics), loaded once: it is static data."""

from __future__ import annotations

from dataclasses import dataclass

from dojobot.engine.progression import Progression
from dojobot.storage.db import Database, Row

STAGE_CODES = ("hatsu", "shu", "kan", "ha", "toi", "ri")  # stages with a requirement


@dataclass(frozen=True)
class Stage:
    """One of the seven stages."""

    stage_id: int
    code: str
    display_name: str
    kanji: str
    meaning: str


@dataclass(frozen=True)
class DifficultyLevel:
    """A difficulty level (101-105)."""

    difficulty_level_id: int
    code: str
    display_name: str
    character: str
    pronunciation: str
    description: str


@dataclass(frozen=True)
class Field:
    """A field of study (Math, Science...)."""

    field_id: int
    code: str
    display_name: str
    is_active: bool


@dataclass(frozen=True)
class Subject:
    """A subject within a field (Arithmetic...)."""

    subject_id: int
    code: str
    field_id: int
    display_name: str


@dataclass(frozen=True)
class Topic:
    """A topic within a subject (Addition...), with its progression and levels."""

    topic_id: int
    code: str
    slug: str
    subject_id: int
    display_name: str
    progression_code: str
    progression: Progression
    level_ids: tuple[int, ...]


@dataclass(frozen=True)
class Catalogue:
    """Everything a learner navigates, in display order."""

    stages: tuple[Stage, ...]
    levels: tuple[DifficultyLevel, ...]
    fields: tuple[Field, ...]
    subjects: tuple[Subject, ...]
    topics: tuple[Topic, ...]

    def stage(self, stage_id: int) -> Stage:
        """The stage with this id."""
        return next(s for s in self.stages if s.stage_id == stage_id)

    def level(self, level_id: int) -> DifficultyLevel | None:
        """The difficulty level with this id, if it exists."""
        return next((lv for lv in self.levels if lv.difficulty_level_id == level_id), None)

    def field(self, field_id: int) -> Field | None:
        """The field with this id, if it exists."""
        return next((f for f in self.fields if f.field_id == field_id), None)

    def subject(self, subject_id: int) -> Subject | None:
        """The subject with this id, if it exists."""
        return next((s for s in self.subjects if s.subject_id == subject_id), None)

    def topic(self, topic_id: int) -> Topic | None:
        """The topic with this id, if it exists."""
        return next((t for t in self.topics if t.topic_id == topic_id), None)

    def subjects_of(self, field_id: int) -> tuple[Subject, ...]:
        """The subjects of a field, in order."""
        return tuple(s for s in self.subjects if s.field_id == field_id)

    def topics_of(self, subject_id: int) -> tuple[Topic, ...]:
        """The topics of a subject, in order."""
        return tuple(t for t in self.topics if t.subject_id == subject_id)


def _progression(row: Row) -> Progression:
    return Progression(
        requirements={i: int(row[code]) for i, code in enumerate(STAGE_CODES, start=1)},
        accuracy_floor=float(row["accuracy_floor"]),
        fluency_ms=row["fluency_ms"],
    )


async def load_catalogue(db: Database) -> Catalogue:
    """Read the whole catalogue in display order."""
    async with db.read() as tx:
        stage_rows = await tx.fetchall("SELECT * FROM stage ORDER BY stage_id")
        level_rows = await tx.fetchall(
            "SELECT * FROM difficulty_level ORDER BY difficulty_level_id"
        )
        field_rows = await tx.fetchall("SELECT * FROM field ORDER BY sort_order, field_id")
        subject_rows = await tx.fetchall(
            "SELECT * FROM subject ORDER BY sort_order, subject_id"
        )
        progression_rows = await tx.fetchall("SELECT * FROM difficulty_progression")
        option_rows = await tx.fetchall(
            "SELECT topic_id, difficulty_level_id FROM topic_difficulty_option"
            " ORDER BY difficulty_level_id"
        )
        topic_rows = await tx.fetchall("SELECT * FROM topic ORDER BY sort_order, topic_id")
    stages = tuple(Stage(**dict(r)) for r in stage_rows)
    levels = tuple(DifficultyLevel(**dict(r)) for r in level_rows)
    fields = tuple(
        Field(r["field_id"], r["code"], r["display_name"], bool(r["is_active"]))
        for r in field_rows
    )
    subjects = tuple(
        Subject(r["subject_id"], r["code"], r["field_id"], r["display_name"])
        for r in subject_rows
    )
    progressions = {
        r["difficulty_progression_id"]: (r["code"], _progression(r)) for r in progression_rows
    }
    options: dict[int, list[int]] = {}
    for r in option_rows:
        options.setdefault(r["topic_id"], []).append(r["difficulty_level_id"])
    topics = tuple(
        Topic(
            topic_id=r["topic_id"],
            code=r["code"],
            slug=r["slug"],
            subject_id=r["subject_id"],
            display_name=r["display_name"],
            progression_code=progressions[r["difficulty_progression_id"]][0],
            progression=progressions[r["difficulty_progression_id"]][1],
            level_ids=tuple(options.get(r["topic_id"], ())),
        )
        for r in topic_rows
    )
    return Catalogue(stages, levels, fields, subjects, topics)
