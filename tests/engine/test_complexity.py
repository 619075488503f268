"""complexity(): the seed's table, and loud errors for unknown ids."""

import pytest

from dojobot.engine.complexity import FINAL_STAGE, LEVEL_IDS, STAGE_IDS, Complexity, complexity


@pytest.mark.parametrize(
    ("stage", "level", "expected"),
    [
        (1, 101, Complexity(1, 1, 25, False, False, gentle=True)),
        (3, 101, Complexity(1, 1, 75, False, False, gentle=True)),
        (4, 101, Complexity(2, 2, 50, False, False)),
        (2, 102, Complexity(1, 1, 50, False, False)),
        (3, 105, Complexity(1, 3, 75, False, False)),
        (4, 102, Complexity(2, 2, 50, False, False)),
        (4, 103, Complexity(2, 3, 50, True, False)),
        (5, 104, Complexity(2, 3, 75, True, False)),
        (6, 103, Complexity(3, 4, 50, True, False)),
        (6, 104, Complexity(3, 4, 50, True, True)),
        (7, 105, Complexity(3, 5, 100, True, True)),
    ],
)
def test_complexity_table(stage: int, level: int, expected: Complexity) -> None:
    assert complexity(stage, level) == expected


def test_every_combination_is_sane() -> None:
    for stage in STAGE_IDS:
        for level in LEVEL_IDS:
            c = complexity(stage, level)
            assert 1 <= c.min_digits <= c.max_digits
            assert c.count >= 25
            assert not c.allow_decimals or c.allow_negatives


def test_constants() -> None:
    assert list(STAGE_IDS) == [1, 2, 3, 4, 5, 6, 7]
    assert max(STAGE_IDS) == FINAL_STAGE


@pytest.mark.parametrize(
    ("stage", "level", "bad"), [(0, 101, "0"), (8, 101, "8"), (-1, 101, "-1")]
)
def test_unknown_stage_is_named(stage: int, level: int, bad: str) -> None:
    with pytest.raises(ValueError, match=rf"stage id {bad}\b"):
        complexity(stage, level)


@pytest.mark.parametrize("level", [100, 106, 1, 0])
def test_unknown_level_is_named(level: int) -> None:
    with pytest.raises(ValueError, match=rf"level id {level}\b"):
        complexity(1, level)


def test_bool_is_not_a_stage() -> None:
    with pytest.raises(ValueError, match="True"):
        complexity(True, 101)
