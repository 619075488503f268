"""`dojobot sandbox` where the stand-in is not installed: one line saying how to get it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Runs the real `dojobot` entry point in a fresh interpreter in which importing the stand-in
# fails exactly as it does when the package is not installed (None in sys.modules).
WITHOUT_STANDIN = (
    "import sys; sys.modules['telegram_standin'] = None; "
    "from dojobot.cli.main import main; sys.exit(main(['sandbox']))"
)


def test_sandbox_without_the_standin_says_how_to_install_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOJOBOT_")}
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_STANDIN], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "dojobot: sandbox needs the Bot API stand-in; in the repository: "
        "pip install ./standin '.[sandbox]'"
    ]


def test_the_bot_imports_without_the_standin() -> None:
    """Only `dojobot sandbox` needs the stand-in: the bot and its runner import without it."""
    code = (
        "import sys; sys.modules['telegram_standin'] = None; "
        "import dojobot.app, dojobot.cli.main, dojobot.transport.lifecycle"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
