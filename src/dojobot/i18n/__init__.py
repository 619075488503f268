"""The learner's language: gettext catalogues (managed with Babel) and locale formatting.

Handlers write `_("…")` and `ngettext("…", "…", n)`; which language those return is the
one `activate()` chose for the update being handled (the gatekeeper does it per update,
jobs do it per recipient with `use_language()`). A ContextVar carries it, so concurrent
updates never see each other's language. Catalogues are loaded once per language and kept:
a message costs one dict lookup, never a file read.

CLI output and logs stay English: they never call these functions.
"""

from __future__ import annotations

import gettext
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale

DOMAIN = "dojobot"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT = "en"
# English is the source language (the msgids); the others have a catalogue each.
LANGUAGES = ("en", "es", "pt_BR", "ru", "de", "fa")
# Each language's own name, as its speakers write it: the /language buttons.
NATIVE_NAMES = {
    "en": "English",
    "es": "Español",
    "pt_BR": "Português (Brasil)",
    "ru": "Русский",
    "de": "Deutsch",
    "fa": "فارسی",
}
# Telegram's language_code is an IETF tag ("pt-br", "es-419", "zh-hans"); its primary
# subtag picks the nearest language we have. Two-letter codes are also what
# setMyCommands takes.
_BY_PRIMARY = {"en": "en", "es": "es", "pt": "pt_BR", "ru": "ru", "de": "de", "fa": "fa"}
TELEGRAM_CODES = {language: primary for primary, language in _BY_PRIMARY.items()}

# Languages written right to left. Problems, numbers and stage names inside their text stay
# left to right: ltr() isolates them, so "7 × 8" is never reordered as "8 × 7".
RIGHT_TO_LEFT = frozenset({"fa"})
LRI, PDI = "\u2066", "\u2069"  # LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE
FSI = "\u2068"  # FIRST STRONG ISOLATE: the isolated text takes its own direction
# Unicode bidirectional classes: letters written right to left (Hebrew; Arabic, Persian),
# and the invisible controls that open or close a direction.
_RIGHT_TO_LEFT_LETTERS = frozenset({"R", "AL"})
_DIRECTION_CONTROLS = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})
RLM = "\u200f"  # RIGHT-TO-LEFT MARK
LRM = "\u200e"  # LEFT-TO-RIGHT MARK

# A pseudo-locale for tests only: every translated string comes back wrapped in markers,
# so a test can find text that escaped translation. Telegram never sends this code, and
# resolve() ignores it unless a test enabled it.
PSEUDO = "qps"
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"
_pseudo_enabled = False
_pseudo_rtl = False


def mark(message: str) -> str:
    """Mark a string for extraction without translating it here (translated where shown)."""
    return message


N_ = mark  # the conventional name, which pybabel extracts by default


class _PseudoTranslations(gettext.NullTranslations):
    """Wraps every message in ⟦…⟧ (English plural rule)."""

    def gettext(self, message: str) -> str:
        if _pseudo_rtl:  # a right-to-left language's messages start with a strong RTL mark
            return f"{RLM}{PSEUDO_OPEN}{message}{PSEUDO_CLOSE}"
        return f"{PSEUDO_OPEN}{message}{PSEUDO_CLOSE}"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)


@dataclass(frozen=True)
class Language:
    """A language ready to use: its catalogue and Babel locale, loaded once."""

    code: str
    translations: gettext.NullTranslations
    locale: Locale


@cache
def language(code: str) -> Language:
    """The loaded language for a code from LANGUAGES (or the pseudo-locale)."""
    if code == PSEUDO:
        return Language(code, _PseudoTranslations(), Locale.parse(DEFAULT))
    if code == DEFAULT:
        return Language(code, gettext.NullTranslations(), Locale.parse(code))
    # fallback=False: a missing .mo is a packaging bug and must fail loudly, not speak English.
    found = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[code])
    return Language(code, found, Locale.parse(code))


def enable_pseudo_locale(*, right_to_left: bool = False) -> None:
    """Let resolve() accept the pseudo-locale: the tests' check that nothing escapes. With
    `right_to_left`, it also plays a right-to-left language: every string is wrapped in
    RIGHT-TO-LEFT MARKs and ltr() isolates, as for Persian."""
    global _pseudo_enabled, _pseudo_rtl
    _pseudo_enabled = True
    _pseudo_rtl = right_to_left


def resolve(code: str | None) -> str:
    """The language we have nearest to a Telegram language_code or a stored choice.

    'pt' and 'pt-BR' give pt_BR, 'es-419' gives es; empty, unknown or absurd codes give
    English. Never raises.
    """
    if not code:
        return DEFAULT
    tag = code.strip().replace("_", "-").lower()[:40]
    if tag == PSEUDO and _pseudo_enabled:
        return PSEUDO
    return _BY_PRIMARY.get(tag.split("-", 1)[0], DEFAULT)


def choice(text: str) -> str | None:
    """The language a learner typed after /language ('de', 'pt-BR', 'Deutsch'), if any."""
    wanted = " ".join(text.split()).casefold()
    if not wanted or len(wanted) > 40:
        return None
    for code, name in NATIVE_NAMES.items():
        if wanted in (code.casefold(), name.casefold()):
            return code
    tag = wanted.replace("_", "-")
    if tag == PSEUDO and _pseudo_enabled:
        return PSEUDO
    return _BY_PRIMARY.get(tag.split("-", 1)[0])


_current: ContextVar[Language] = ContextVar("dojobot_language")


def activate(code: str) -> None:
    """Speak `code` for the rest of the update being handled."""
    _current.set(language(code))


@contextmanager
def use_language(code: str) -> Iterator[None]:
    """Speak `code` inside the block (jobs, and messages to another chat), then go back."""
    token = _current.set(language(code))
    try:
        yield
    finally:
        _current.reset(token)


def current() -> Language:
    """The language in use (English outside any update)."""
    return _current.get(None) or language(DEFAULT)


def right_to_left() -> bool:
    """The language in use is written right to left (Persian)."""
    code = current().code
    return code in RIGHT_TO_LEFT or (_pseudo_rtl and code == PSEUDO)


def ltr(text: str) -> str:
    """Text that must read left to right (a problem, an answer) inside a right-to-left
    message; unchanged in a left-to-right language."""
    return f"{LRI}{text}{PDI}" if right_to_left() else text


def person(name: str) -> str:
    """A name someone chose (a Telegram first name, a nickname, a group's title) inside a
    line of ours, isolated when it would otherwise pull the line's figures its way: "سارا ·
    3 right of 3" showed the 3 before the name, and a name with an unclosed override (U+202E)
    reversed the rest of its line. A name written in the line's own direction stays as it is.
    """
    opposite = {"L"} if right_to_left() else _RIGHT_TO_LEFT_LETTERS
    kinds = {unicodedata.bidirectional(c) for c in name}
    if kinds & opposite or kinds & _DIRECTION_CONTROLS:
        return f"{FSI}{name}{PDI}"
    return name


def paragraph(text: str) -> str:
    """A label drawn on a chart, starting with a RIGHT-TO-LEFT MARK in a right-to-left
    language: Pillow (libraqm) and matplotlib take a line's direction from its first strong
    character, and "mul: دورهای اخیر" would otherwise be laid out left to right."""
    return f"{RLM}{text}" if right_to_left() and text else text


def line(text: str) -> str:
    """A chart label that must read in the language's direction whatever it holds: a
    learner's name in Persian script inside an English board, or a Latin one inside a
    Persian board. It starts with the language's direction mark (matplotlib draws no
    isolates, and takes a line's direction from its first strong character)."""
    return f"{RLM if right_to_left() else LRM}{text}" if text else text


def _(message: str) -> str:
    """The message in the current language."""
    return current().translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The message in the current language, in the plural form its rules give for n."""
    return current().translations.ngettext(singular, plural, n)
