"""Class leaderboards: rank members by correct answers, ties sharing a rank."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

TOP = 10


@dataclass(frozen=True)
class Entry:
    """One member's answers in the board's period (reps 0: joined but no answers)."""

    user_id: int
    name: str
    reps: int
    correct: int
    median_ms: float | None

    @property
    def accuracy(self) -> float | None:
        """Share of right answers; None without answers."""
        return self.correct / self.reps if self.reps else None


@dataclass(frozen=True)
class Ranked:
    """An entry with its place on the board."""

    rank: int
    entry: Entry


@dataclass(frozen=True)
class Board:
    """What a leaderboard shows: the top rows and, if outside them, the caller's row."""

    top: tuple[Ranked, ...]
    caller: Ranked | None  # only when the caller practised and is not in `top`
    caller_is_member: bool
    practised: int
    members: int


def _order(entry: Entry) -> tuple[int, float, float, str, int]:
    # Rank is decided by correct answers alone; the rest only orders rows within a tie.
    accuracy = entry.accuracy or 0.0
    median = entry.median_ms if entry.median_ms is not None else math.inf
    return (-entry.correct, -accuracy, median, entry.name.casefold(), entry.user_id)


def rank_entries(entries: Iterable[Entry]) -> list[Ranked]:
    """Members with answers, best first; equal correct counts share a rank (1, 2, 2, 4)."""
    ordered = sorted((e for e in entries if e.reps > 0), key=_order)
    ranked: list[Ranked] = []
    for index, entry in enumerate(ordered):
        if index and entry.correct == ordered[index - 1].correct:
            rank = ranked[-1].rank
        else:
            rank = index + 1
        ranked.append(Ranked(rank, entry))
    return ranked


def build_board(entries: Iterable[Entry], caller_id: int | None, top: int = TOP) -> Board:
    """The top `top` rows, plus the caller's own row when they are below them."""
    items = list(entries)
    ranked = rank_entries(items)
    shown = tuple(ranked[:top])
    caller = None
    if caller_id is not None and all(r.entry.user_id != caller_id for r in shown):
        caller = next((r for r in ranked if r.entry.user_id == caller_id), None)
    return Board(
        top=shown,
        caller=caller,
        caller_is_member=any(e.user_id == caller_id for e in items),
        practised=len(ranked),
        members=len(items),
    )
