"""Nicknames learners choose for class boards."""

from __future__ import annotations

from dojobot.i18n import N_

MAX_NICKNAME = 32


class NicknameRejected(ValueError):
    """The nickname cannot be used: `reason` (English, marked for translation) says why in
    one line, with `details` for its placeholders."""

    def __init__(self, reason: str, **details: int) -> None:
        super().__init__(reason.format(**details))
        self.reason = reason
        self.details = details


class NicknameTooLong(NicknameRejected):
    """Too many characters: the reply counts them, so it is worded (and pluralised) where
    it is shown, in the learner's language."""

    def __init__(self, length: int) -> None:
        super().__init__(
            "That is {n} characters; the limit is {limit}.", n=length, limit=MAX_NICKNAME
        )
        self.length = length


def clean_nickname(raw: str) -> str:
    """Collapse whitespace and check 1-32 printable characters, or raise NicknameRejected."""
    name = " ".join(raw.split())
    if not name:
        raise NicknameRejected(N_("A nickname needs at least one character."))
    if len(name) > MAX_NICKNAME:
        raise NicknameTooLong(len(name))
    if not name.isprintable():
        raise NicknameRejected(N_("Please use visible characters only."))
    return name
