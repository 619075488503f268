"""The catalogue's names as the database holds them (English, migrations 0002 and 0008), marked
for translation: the menus show them through shown(). tests/i18n checks that every name in a
migrated database is listed here, so a new topic cannot slip past the translators.

Stage names (Hatsu, Shu, ...) and their kanji are the same in every language; only their
meanings are translated."""

from __future__ import annotations

from dojobot.i18n import N_, _

CATALOGUE_NAMES = (
    # fields and subjects
    N_("Math"), N_("Science"), N_("Arithmetic"), N_("Algebra"), N_("Geometry"),
    # topics
    N_("Addition"), N_("Subtraction"), N_("Multiplication"), N_("Division"), N_("Modulus"),
    N_("Exponents"), N_("Roots"), N_("Adding negatives"), N_("Subtracting negatives"),
    # difficulty levels and their descriptions
    N_("Seedling"), N_("Sapling"), N_("Bamboo"), N_("Cedar"), N_("Ancient Oak"),
    # (migration 0008's wording; tests/i18n/test_catalogue_names.py checks the database's)
    N_("Gentle numbers: facts up to 5 at Hatsu to Kan."),
    N_("The stage's standard numbers."),
    N_("One more digit; negatives in + − × ÷ from Ha on."),
    N_("One more digit; negatives from Ha; decimals in × ÷ √ from Ri, + − at Ku."),
    N_("Two more digits; negatives and decimals as in Cedar."),
    # what each stage means
    # Translators: what each stage's Japanese name means, shown after it ("Shu 守: follow
    # the form"): the steps of mastering a martial art, from copying the form to going
    # beyond it. Lower case, a few words.
    N_("first steps"), N_("follow the form"), N_("make it habit"), N_("break the form"),
    N_("question it"), N_("leave the form"), N_("emptiness: pure fluency"),
)


def shown(name: str) -> str:
    """A catalogue name or description in the current language."""
    return _(name)
