"""The test-out's share of right answers: one constant, written as each language writes it."""

from __future__ import annotations

import pytest

from dojobot.display.formats import test_out_share as written_share  # not a test
from dojobot.engine.progression import TEST_OUT_ACCURACY
from dojobot.i18n import resolve, use_language


@pytest.mark.parametrize(("language", "written"), [("en", "95%"), ("de", "95\xa0%")])
def test_the_share_is_the_constant_in_the_languages_percent(language: str, written: str) -> None:
    assert TEST_OUT_ACCURACY * 100 == 95
    with use_language(resolve(language)):
        assert written_share() == written
