"""The engine stays pure: no Telegram, no SQL, no clock, no global random state. The only
files it reads are data shipped with the code (tzdata, Babel's CLDR, zone_names.py's
city_zones.tsv.gz), never written, so its results depend on its arguments alone."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import dojobot.engine

ENGINE_DIR = Path(dojobot.engine.__file__).parent
MODULES = sorted(
    f"dojobot.engine.{p.stem}" for p in ENGINE_DIR.glob("*.py") if p.stem != "__init__"
)
FORBIDDEN_PREFIXES = ("telegram", "aiosqlite", "sqlite3", "dojobot.storage", "dojobot.handlers")
FORBIDDEN_CALLS = {
    ("time", "time"),
    ("time", "monotonic"),
    ("datetime", "now"),
    ("datetime", "today"),
    ("date", "today"),
    ("random", "random"),
    ("random", "randint"),
    ("random", "choice"),
    ("random", "shuffle"),
    ("random", "seed"),
}


def test_the_modules_exist() -> None:
    expected = {
        "adaptive", "answers", "complexity", "facts", "memory", "practice_set", "problems",
        "progression", "stats",
    }
    assert expected <= {m.rsplit(".", 1)[1] for m in MODULES}


def test_importing_the_engine_loads_no_io_layers() -> None:
    code = (
        "import importlib, json, sys\n"
        f"for name in {MODULES!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = json.loads(out.stdout)
    assert "dojobot.engine.problems" in loaded
    bad = [m for m in loaded if m.startswith(FORBIDDEN_PREFIXES)]
    assert bad == []


def test_sources_import_and_call_nothing_impure() -> None:
    for path in ENGINE_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                names = []
            for name in names:
                assert not name.startswith(FORBIDDEN_PREFIXES), (path.name, name)
                assert name != "time", (path.name, name)
                # Date math needs datetime types; only calendar.py may
                # import them, and no module may read the clock through them (checked below).
                if path.name != "calendar.py":
                    assert name != "datetime", (path.name, name)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                target = node.func.value
                if isinstance(target, ast.Name):
                    call = (target.id, node.func.attr)
                    assert call not in FORBIDDEN_CALLS, (path.name, call)
                assert node.func.attr not in ("now", "today", "utcnow"), path.name
