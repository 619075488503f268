"""Every catalogue keeps to its glossary (src/dojobot/locale/glossary.toml): a forbidden
variant anywhere fails, and so does a glossary term translated some other way."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from dojobot.i18n import DEFAULT, LANGUAGES

LOCALE_DIR = Path(__file__).resolve().parents[2] / "src" / "dojobot" / "locale"
GLOSSARY = tomllib.loads((LOCALE_DIR / "glossary.toml").read_text(encoding="utf-8"))
TRANSLATED = [code for code in LANGUAGES if code != DEFAULT]


def entries(language: str) -> list[tuple[str, list[str]]]:
    """(English msgid, its translations: one, or one per plural form) of a catalogue."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "dojobot.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    found = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[-1]
        string = message.string
        strings = [string] if isinstance(string, str) else list(string or ())
        found.append((msgid, strings))
    return found


# What a glossary term inside a placeholder or a command name is not: "{stage}" is a stage
# name, "/board" the command, "test_out" a column of the data export.
_NOT_PROSE = re.compile(r"\{[^}]*\}|/\w+|\w+_\w+")


def test_every_language_has_a_glossary() -> None:
    assert sorted(GLOSSARY) == sorted(TRANSLATED)


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_forbidden_variant(language: str) -> None:
    rules = {re.compile(p, re.IGNORECASE | re.MULTILINE): why
             for p, why in GLOSSARY[language]["forbidden"].items()}
    found = [
        f"{match.group(0)!r} ({why}) in: {text[:100]!r}"
        for _msgid, strings in entries(language)
        for text in strings
        for rule, why in rules.items()
        if (match := rule.search(text))
    ]
    assert not found, f"{language}: " + "\n".join(found)


@pytest.mark.parametrize("language", TRANSLATED)
def test_glossary_terms_are_translated_as_the_glossary_says(language: str) -> None:
    exempt = tuple(GLOSSARY[language].get("exempt", {}))
    rules = {re.compile(p, re.IGNORECASE): stem
             for p, stem in GLOSSARY[language]["required"].items()}
    missing = [
        f"{stem!r} for {rule.pattern!r} in: {text[:100]!r} (from {msgid[:60]!r})"
        for msgid, strings in entries(language)
        if not msgid.startswith(exempt)
        for rule, stem in rules.items()
        if rule.search(_NOT_PROSE.sub(" ", msgid))
        for text in strings
        if stem.casefold() not in text.casefold()
    ]
    assert not missing, f"{language}:\n" + "\n".join(missing)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_check_can_fail(language: str) -> None:
    """Each forbidden pattern matches the example it names: a typo cannot disarm a rule."""
    for pattern in GLOSSARY[language]["forbidden"]:
        re.compile(pattern)
    assert GLOSSARY[language]["forbidden"], f"{language} forbids nothing"
