"""The catalogues stay whole: every string in the code is in the template, every language
translates every entry (nothing fuzzy), placeholders and markup survive translation, and the
compiled .mo files say what their .po files say."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from dojobot.i18n import DEFAULT, LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
# The sources in the repository, not the installed package (a wheel carries only the .mo).
LOCALE_DIR = ROOT / "src" / "dojobot" / "locale"
TEMPLATE = LOCALE_DIR / "dojobot.pot"
TRANSLATED = [code for code in LANGUAGES if code != DEFAULT]
PYBABEL = str(Path(sys.executable).parent / "pybabel")
EXTRACT = (
    "pybabel extract -F babel.cfg --no-location --sort-output --omit-header "
    "--add-comments=Translators: -o src/dojobot/locale/dojobot.pot src/dojobot"
)
UPDATE = (
    "pybabel update -D dojobot -i src/dojobot/locale/dojobot.pot -d src/dojobot/locale "
    "--ignore-obsolete"
)
COMPILE = "pybabel compile -D dojobot -d src/dojobot/locale --statistics"
HOW_TO_FIX = (
    "\nEvery text a learner or teacher reads goes through dojobot.i18n: _('...') for a "
    "sentence, ngettext('{n} answer', '{n} answers', n) for a count, N_('...') for a constant "
    "translated where it is shown. Then, from the repository root:\n"
    f"  {EXTRACT}\n  {UPDATE}\n"
    "  (translate the new or fuzzy entries in every src/dojobot/locale/*/LC_MESSAGES/dojobot.po)\n"
    f"  {COMPILE}\n"
    "See 'Translating' in docs/development.md."
)


def key(message: Message) -> str | tuple[str, ...]:
    return message.id if isinstance(message.id, str) else tuple(message.id)


def ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def load_po(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def test_the_template_holds_exactly_the_strings_in_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [PYBABEL, "extract", "-F", "babel.cfg", "--no-location", "--sort-output",
         "--omit-header", "--add-comments=Translators:", "-o", str(fresh), "src/dojobot"],
        cwd=ROOT, check=True, capture_output=True,
    )
    in_code, in_template = ids(load_po(fresh)), ids(load_po(TEMPLATE))
    # A "# Translators:" comment in the code reaches the translators only through the template.
    said = {key(m): m.auto_comments for m in load_po(fresh) if m.id}
    lost = sorted(str(m.id) for m in load_po(TEMPLATE) if m.id and m.auto_comments != said[key(m)])
    assert not lost, f"translator comments missing from the template: {lost}{HOW_TO_FIX}"
    missing = sorted(map(str, in_code - in_template))
    stale = sorted(map(str, in_template - in_code))
    assert not missing, f"strings missing from the template: {missing}{HOW_TO_FIX}"
    assert not stale, f"template strings no longer in the code: {stale}{HOW_TO_FIX}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_entry_is_translated_and_none_is_fuzzy(language: str) -> None:
    po = load_po(LOCALE_DIR / language / "LC_MESSAGES" / "dojobot.po", language)
    assert ids(po) == ids(load_po(TEMPLATE)), f"{language} is not up to date{HOW_TO_FIX}"
    fuzzy = [m.id for m in po if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries in {language}: {fuzzy}{HOW_TO_FIX}"
    empty = [
        m.id for m in po
        if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    assert not empty, f"untranslated entries in {language}: {empty}{HOW_TO_FIX}"
    assert not list(po.obsolete), f"obsolete entries in {language}{HOW_TO_FIX}"


PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TAG = re.compile(r"</?[a-z]+>|/[a-z_]+")  # HTML tags and /commands stay as they are


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_tags_and_commands(language: str) -> None:
    """A lost or invented {placeholder} would break .format(); a lost tag or /command would
    break the HTML or the instructions. A plural form may leave out the count ('one set')."""
    po = load_po(LOCALE_DIR / language / "LC_MESSAGES" / "dojobot.po", language)
    for message in po:
        if not message.id:
            continue
        plural = not isinstance(message.id, str)
        source = str(message.id[-1] if plural else message.id)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in map(str, strings):
            for pattern in (PLACEHOLDER, TAG):
                found, expected = set(pattern.findall(text)), set(pattern.findall(source))
                ok = found <= expected if plural and pattern is PLACEHOLDER else found == expected
                assert ok, f"{language}: {source!r} -> {text!r}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_matches_its_source(language: str) -> None:
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po = load_po(folder / "dojobot.po", language)
    with (folder / "dojobot.mo").open("rb") as fh:
        mo = read_mo(fh)
    def entries(catalog: Catalog) -> dict[object, object]:
        return {
            tuple(m.id) if isinstance(m.id, list | tuple) else m.id:
            tuple(m.string) if isinstance(m.string, list | tuple) else m.string
            for m in catalog if m.id
        }

    assert entries(mo) == entries(po), (
        f"{folder / 'dojobot.mo'} is stale: run {COMPILE}"
    )
