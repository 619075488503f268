"""The memory-that-lasts simulation still runs, in the engine and through the bot (no
figure asserted: BENCHMARKS.md#memory-that-lasts has them)."""

from __future__ import annotations

import pytest
from benchmarks.memory_week import ARMS, MODELS, TIMES, practise_week
from benchmarks.memory_week_bot import bot_week

from tests.support.db import fetchall
from tests.support.dojo import Dojo


@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_model_and_arm_runs_a_week(model: str) -> None:
    for arm in ARMS:
        for times in TIMES:
            day, week, answers = practise_week(arm, model, times, seed=11, strength=0.0)
            assert 0 < week < day < 1
            assert answers >= 14 * 25  # two sets of 25 a day at least


async def test_a_simulated_child_practises_a_day_in_the_bot(dojo: Dojo) -> None:
    day, week, answers = await bot_week(dojo, 9000, "act-r", "varied", seed=11, strength=0.0,
                                        days=1)
    assert 0 < week < day < 1
    assert answers >= 2 * 25
    sets = await fetchall(dojo.db, "SELECT scheduler_arm, total_reps FROM session "
                                   "WHERE user_id = 9000")
    assert [r[0] for r in sets] == ["fsrs", "fsrs"]
    assert sum(r[1] for r in sets) == answers
