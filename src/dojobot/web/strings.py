"""The pages' own words, marked for the catalogues (so pybabel extracts them and CI's
untranslated check covers them) and sent to the page in the learner's language."""

from __future__ import annotations

from babel.numbers import get_decimal_symbol

from dojobot.i18n import N_, RIGHT_TO_LEFT, TELEGRAM_CODES, _, current

PAGE_STRINGS = {
    "problem": N_("Problem {number} of {total}"),
    "answers": N_("Answers"),
    "accuracy": N_("Accuracy"),
    "median": N_("Median"),
    "erase": N_("Erase"),
    "enter": N_("Enter"),
    "answer": N_("Your answer"),
    "again": N_("🔁 Another set"),
    "progress": N_("📈 My progress"),
    "test_out": N_("🥋 Test out"),
    "offline": N_("The dojo can't be reached. Check your connection; your answer is kept."),
    "retry": N_("Try again"),
    "counted": N_("Already counted."),
    "no_answers": N_("no answers yet"),
    "seconds": N_("{seconds} s"),
    "next_due": N_("Next due"),
    "recent": N_("Recent answers"),
    "sets": N_("Recent sets"),
    "stages": N_("Stages"),
    "fluency": N_("Fluency map"),
    "none": N_("Nothing here yet: play a set first."),
    # The fluency map and the sets chart: the chat's map and chart use the same words.
    "topic": N_("Topic"),
    "fluent_of": N_("{fluent} of {total} facts fluent"),
    "fluent": N_("fluent"),
    "learning": N_("not fluent yet"),
    "forgotten": N_("likely forgotten"),
    "unseen": N_("not seen yet"),
    "due_today": N_("• due for review today"),
    "accuracy_axis": N_("accuracy (%)"),
    "median_axis": N_("median time (s)"),
    # Translators: the sets chart's text alternative, one line per set.
    "set_line": N_("Set {number}: accuracy {accuracy}, median {median}"),
}


def page_strings() -> dict[str, str]:
    """Every page string in the current language."""
    return {key: _(text) for key, text in PAGE_STRINGS.items()}


def locale_info() -> dict[str, str]:
    """What the page needs to write numbers as the language does."""
    language = current()
    tag = language.code.replace("_", "-")
    return {
        "lang": tag if language.code in TELEGRAM_CODES else "en",
        # The locale's own numbering system: Persian writes ۲٫۵, not 2.5 (Babel's default).
        "decimal": get_decimal_symbol(language.locale, numbering_system="default"),
        "dir": "rtl" if language.code in RIGHT_TO_LEFT else "ltr",
    }
