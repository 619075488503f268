"""The human floor of a test-out answer: from the problem's answer, as documented."""

from __future__ import annotations

from dojobot.engine.human_speed import counted_for_test_out, human_floor_ms, too_fast


def test_the_floor_grows_with_the_keys_to_type() -> None:
    assert human_floor_ms("7") == 250 + 2 * 120
    assert human_floor_ms("-12") == 250 + 4 * 120
    assert human_floor_ms("144") > human_floor_ms("12") > human_floor_ms("7")


def test_right_answers_below_the_floor_do_not_count() -> None:
    answers = [("7", True, 270), ("7", True, 490), ("56", False, 2000), ("144", True, 700)]
    counted = counted_for_test_out(answers)
    assert [a.correct for a in counted] == [False, True, False, False]
    assert [a.ms for a in counted] == [270, 490, 2000, 700]
    assert too_fast(answers) == 2
