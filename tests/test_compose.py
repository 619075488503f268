"""compose.yaml, the two-replica deployment: valid Compose, and its parts agree.

No Docker engine here: the file is checked against the Compose Specification's schema, and
its topology (webhook replicas, their count, the proxy's upstreams) is read and compared.
The same topology runs as processes in tests/replicas/test_two_replicas.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
SECRETS = ("DOJOBOT_BOT_TOKEN", "DOJOBOT_WEBHOOK_SECRET_TOKEN", "POSTGRES_PASSWORD")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(ROOT / "compose.yaml")
    return loaded


def bots(services: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The services that run `dojobot run` (no command of their own), by name."""
    return {
        name: {k: str(v) for k, v in service["environment"].items()}
        for name, service in services.items()
        if service.get("image", "").startswith("dojobot") and "command" not in service
    }


def test_compose_file_follows_the_compose_specification() -> None:
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(ROOT / "compose.yaml")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_two_webhook_replicas_on_one_postgres_behind_the_proxy() -> None:
    services = compose()["services"]
    replicas = bots(services)
    assert len(replicas) == 2
    for env in replicas.values():
        assert env["DOJOBOT_MODE"] == "webhook"  # polling would allow one replica only
        assert env["DOJOBOT_REPLICAS"] == str(len(replicas))  # the shared message budget
        assert env["DOJOBOT_DATABASE_URL"].startswith("postgresql://")
        assert "@postgres:5432/" in env["DOJOBOT_DATABASE_URL"]
    names = {env["DOJOBOT_REPLICA_NAME"] for env in replicas.values()}
    assert names == set(replicas)  # /healthz tells them apart
    for name in replicas:
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert services["migrate"]["command"] == ["dojobot", "migrate", "up"]

    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    updates, app = re.findall(r"reverse_proxy ([^{]+)\{", caddyfile)
    for upstreams, setting in ((updates, "DOJOBOT_WEBHOOK_PORT"), (app, "DOJOBOT_WEB_PORT")):
        ports = {env[setting] for env in replicas.values()}
        assert sorted(upstreams.split()) == sorted(f"{n}:{p}" for n in replicas for p in ports)
    health_ports = set(re.findall(r"health_port (\d+)", caddyfile))
    assert {env["DOJOBOT_METRICS_PORT"] for env in replicas.values()} == health_ports
    for env in replicas.values():  # the app's public URL is the proxy's
        assert env["DOJOBOT_WEB_APP_URL"].startswith("https://${DOJOBOT_DOMAIN:?")
    # /forgetme's key: one file for every replica, on a volume apart from the database's.
    [key_file] = {env["DOJOBOT_ERASURE_KEY_FILE"] for env in replicas.values()}
    for name in replicas:
        [mount] = [v for v in services[name]["volumes"] if key_file.startswith(v.split(":")[1])]
        assert mount.split(":")[0] in compose()["volumes"]
        assert mount.split(":")[0] not in str(services["postgres"]["volumes"])
    assert "round_robin" in caddyfile
    [mount] = services["proxy"]["volumes"][:1]
    assert mount.startswith("./deploy/Caddyfile:")
    assert "/telegram" in next(iter(replicas.values()))["DOJOBOT_WEBHOOK_URL"]


def test_no_secret_is_written_in_the_file() -> None:
    text = (ROOT / "compose.yaml").read_text()
    for name in SECRETS:
        for value in re.findall(rf"{name}: (.*)", text):
            assert value.startswith("${" + name + ":?"), value  # from .env, required
    for url in re.findall(r"postgresql://\S+", text):
        assert "${POSTGRES_PASSWORD:?" in url
