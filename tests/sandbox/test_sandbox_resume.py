"""`dojobot sandbox --database FILE`: a second run goes on where the first left off."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.learner import DOJOBOT, QUESTION, solve


def sandbox(database: Path, *lines: str) -> str:
    """One run of `dojobot sandbox` on `database`, typing `lines`; its transcript."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOJOBOT_")}
    run = subprocess.run(
        [DOJOBOT, "sandbox", "--database", str(database)], input="\n".join(lines) + "\n",
        capture_output=True, text=True, env=env, timeout=180, check=True,
    )
    return run.stdout


def last_question(transcript: str) -> str:
    """The last problem the transcript shows, as the learner answers it."""
    question = list(QUESTION.finditer(transcript.replace("\n     ", "\n")))[-1].group(3)
    return str(solve(question))


def test_a_set_left_open_is_answered_in_the_next_run(tmp_path: Path) -> None:
    # The new run's stand-in numbered the chat's messages from 1 again, and the bot took the
    # learner's next messages for ones it had handled: "Already counted.", and a deep link
    # that started nothing.
    database = tmp_path / "sandbox.sqlite3"
    first = sandbox(database, "/start math-arithmetic-addition-d101", "1", "2", "3", "/quit")
    assert "Problem 1 of 25" in first
    second = sandbox(database, last_question(first), "/quit")
    assert "Already counted" not in second
    assert "bot: ✓" in second
