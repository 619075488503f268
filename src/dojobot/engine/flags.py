"""Feature flags: which flags exist, and which arm a learner is in.

A learner's arm comes from a stable hash of the flag's name and their Telegram id: a bucket
of 0..9999 that never changes. The treatment arm holds the buckets below percent × 100, so
raising the percentage (0 → 5 → 50 → 100) only moves learners from control to treatment,
never back, and a learner keeps their arm as long as the percentage does not pass their
bucket. Hashing the name too gives each flag its own, independent split.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

BUCKETS = 10_000


@dataclass(frozen=True)
class Flag:
    """A flag as declared in code: its arms (control first) and its default percentage."""

    name: str
    control: str
    treatment: str
    default_percent: int
    about: str

    @property
    def arms(self) -> tuple[str, str]:
        """(control, treatment)."""
        return self.control, self.treatment


SCHEDULER = Flag(
    "scheduler", "leitner", "fsrs", 0,
    "which scheduler picks a set's problems: Leitner boxes (control) or FSRS",
)
# Every known flag, declared once. A database's row overrides the default (migration 0013
# starts `scheduler` at 100% on a new database, 0% on one with history).
FLAGS: dict[str, Flag] = {flag.name: flag for flag in (SCHEDULER,)}


class FlagInputError(ValueError):
    """Bad input for a flag command; the message is one line for the maintainer."""


def known_flag(name: str) -> Flag:
    """The declared flag called `name`."""
    flag = FLAGS.get(name)
    if flag is None:
        raise FlagInputError(f"unknown flag {name!r}; known flags: {', '.join(sorted(FLAGS))}")
    return flag


def parse_percent(text: str) -> int:
    """'5', '50', '100' or '25%' -> the percentage; anything else is refused."""
    digits = text.strip().removesuffix("%")
    if not digits.isascii() or not digits.isdigit() or not 0 <= int(digits) <= 100:
        raise FlagInputError(f"{text!r} is not a percentage: use a whole number from 0 to 100")
    return int(digits)


def bucket(flag_name: str, user_id: int) -> int:
    """The learner's fixed place (0..9999) in this flag's split."""
    digest = hashlib.sha256(f"{flag_name}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def arm_for(flag: Flag, user_id: int, percent: int) -> str:
    """The learner's arm when `percent` of learners get the treatment."""
    treated = bucket(flag.name, user_id) < percent * BUCKETS // 100
    return flag.treatment if treated else flag.control


def effective_percent(
    percent: int, off: bool, class_percents: list[int]
) -> int:
    """The percentage that applies to one learner.

    Off wins over everything (the fast way back). A learner in classes with their own
    percentage gets the lowest of those: a class held back (0%) keeps its members out even
    when another of their classes takes part.
    """
    if off:
        return 0
    return min(class_percents) if class_percents else percent
