"""What a maintainer deploys: the Dockerfile lints, and a fresh install gives `dojobot`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_dockerfile_lints_clean() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run(
        [str(hadolint), str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_the_bot_as_non_root_with_a_data_volume() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim AS build" in text
    assert "USER 10001" in text
    assert 'VOLUME ["/data"]' in text
    assert "sqlite:////data/" in text
    assert "HEALTHCHECK" in text
    assert "/healthz" in text
    assert 'CMD ["dojobot", "run"]' in text


def test_fresh_virtualenv_install_gives_a_working_command(tmp_path: Path) -> None:
    """The Dockerfile's steps, without Docker: build a wheel, install it alone, run --help."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    # The stand-in sits beside the bot in the repository, but is not part of its wheel.
    for folder in ("src", "migrations", "standin"):
        shutil.copytree(ROOT / folder, source / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    env_dir = tmp_path / "venv"
    # This environment's pip builds and installs into the new one (pip --python): seeding
    # it with a pip of its own cost 8 of the test's 42 s and proves nothing about the wheel.
    # --no-compile: byte-compiling every dependency cost 12 s more, far more than the few
    # commands below spend compiling what they import.
    venv.create(env_dir, with_pip=False)
    pip = [sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python")]
    wheels = tmp_path / "wheels"
    subprocess.run([*pip, "wheel", "-q", "--no-deps", "--wheel-dir", str(wheels), str(source)],
                   check=True, timeout=600)
    [wheel] = wheels.glob("dojobot-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "dojobot/sandbox/terminal.py" in names
    assert "dojobot/migrations/postgres/0001_schema.up.sql" in names
    assert [n for n in names if "standin" in n] == []
    # The Mini App's page, script and style ship as they are (no build step).
    for static in ("practice.html", "practice.js", "api.js", "app.css"):
        assert f"dojobot/web/static/{static}" in names
    # The wheel speaks every language: the compiled catalogues ship inside it.
    for language in ("es", "pt_BR", "ru", "de", "fa"):
        assert f"dojobot/locale/{language}/LC_MESSAGES/dojobot.mo" in names
    assert "dojobot/engine/city_zones.tsv.gz" in names  # /timezone München
    subprocess.run([*pip, "install", "-q", "--no-compile", str(wheel)], check=True, timeout=600)
    result = subprocess.run(
        [str(env_dir / "bin" / "dojobot"), "--help"], capture_output=True, text=True, check=True
    )
    assert "sandbox" in result.stdout
    migrate = subprocess.run(
        [str(env_dir / "bin" / "dojobot"), "migrate", "up"], cwd=tmp_path,
        capture_output=True, text=True, check=True,
    )
    assert "applied 0002 catalogue" in migrate.stdout
    spoken = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c",
         "from dojobot.i18n import _, use_language\n"
         "with use_language('es'): print(_('Choose your language:'))"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )
    assert spoken.stdout == "Elige tu idioma:\n"
    sandbox = subprocess.run(
        [str(env_dir / "bin" / "dojobot"), "sandbox"], cwd=tmp_path, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, check=False, timeout=60,
    )
    assert sandbox.returncode == 2
    assert "pip install ./standin '.[sandbox]'" in sandbox.stderr
