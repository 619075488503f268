"""Nicknames learners choose for class boards."""

from __future__ import annotations

MAX_NICKNAME = 32


class NicknameRejected(ValueError):
    """The nickname cannot be used; the message says why in one line."""


def clean_nickname(raw: str) -> str:
    """Collapse whitespace and check 1-32 printable characters, or raise NicknameRejected."""
    name = " ".join(raw.split())
    if not name:
        raise NicknameRejected("A nickname needs at least one character.")
    if len(name) > MAX_NICKNAME:
        raise NicknameRejected(f"That is {len(name)} characters; the limit is {MAX_NICKNAME}.")
    if not name.isprintable():
        raise NicknameRejected("Please use visible characters only.")
    return name
