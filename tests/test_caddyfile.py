"""deploy/Caddyfile in a real Caddy: an update and a Mini App request reach a replica, an
oversized body or header block is refused before it, the replicas' internal paths are not
served, and its limits are the replicas' own.

Runs only where a `caddy` binary is installed (Debian: `apt-get install caddy`); skipped,
saying so, elsewhere. The file is used as written except for what only exists inside
compose.yaml's network: the replicas' names (here one local stand-in for both, on a free
port), the public name (plain HTTP on loopback, so no certificate), and the admin endpoint
(off, so parallel runs do not fight over its port).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from dojobot.ops import http as bounds
from dojobot.ops.runtime import MAX_BODY_BYTES as APP_MAX_BODY
from dojobot.ops.runtime import MAX_CONNECTIONS as APP_MAX_CONNECTIONS
from dojobot.transport import webhook
from tests.support.cli import free_port

ROOT = Path(__file__).resolve().parents[1]
CADDYFILE = ROOT / "deploy" / "Caddyfile"
CADDY = shutil.which("caddy")
START_TIMEOUT_S = 60.0  # a loaded CI box; a hang detector, not a timing

pytestmark = pytest.mark.skipif(
    CADDY is None, reason="caddy is not installed (apt-get install caddy) to run the Caddyfile"
)


@dataclass
class Replica:
    """Stands in for bot-1 and bot-2: answers 200 and keeps every body it was given."""

    port: int
    bodies: list[bytes] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


@pytest.fixture
def replica() -> Iterator[Replica]:
    seen = Replica(0)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # Caddy's health check
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            seen.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
            seen.paths.append(self.path)
            self.do_GET()

        def log_message(self, format: str, *args: object) -> None:
            del format, args  # quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    seen.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()


def local_caddyfile(replica_port: int) -> str:
    """The deployed file with compose.yaml's network names swapped for loopback."""
    text = CADDYFILE.read_text()
    for name in ("bot-1:8443", "bot-2:8443", "bot-1:8080", "bot-2:8080"):
        assert name in text
        text = text.replace(name, f"127.0.0.1:{replica_port}")
    assert "health_port 9090" in text
    text = text.replace("health_port 9090", f"health_port {replica_port}")
    assert text.count("\tservers {") == 1
    return text.replace("\tservers {", "\tadmin off\n\tservers {", 1)


def caddy_env(tmp_path: Path, site: str) -> dict[str, str]:
    return {**os.environ, "DOJOBOT_DOMAIN": site, "HOME": str(tmp_path),
            "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, "caddy exited at start"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"caddy did not listen on {port} within {START_TIMEOUT_S} s")


@pytest.fixture
def proxy(replica: Replica, tmp_path: Path) -> Iterator[str]:
    """Caddy running the local Caddyfile; its base URL."""
    assert CADDY is not None
    config = tmp_path / "Caddyfile"
    config.write_text(local_caddyfile(replica.port))
    port = free_port()
    log = (tmp_path / "caddy.log").open("wb")
    process = subprocess.Popen(
        [CADDY, "run", "--config", str(config), "--adapter", "caddyfile"],
        env=caddy_env(tmp_path, f"http://127.0.0.1:{port}"), stdout=log, stderr=log,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_updates_and_the_app_reach_a_replica_and_internal_paths_do_not(
    proxy: str, replica: Replica
) -> None:
    update = json.dumps({"update_id": 1, "message": {"text": "/start"}}).encode()
    answer = json.dumps({"answer": "12"}).encode()
    with httpx.Client(base_url=proxy, timeout=30) as http:
        # The first version answered 404 here: Caddy's own order puts `respond` first.
        assert http.post(webhook.PATH, content=update).status_code == 200
        # The Mini App was answered 404 too, so the compose deployment had no app.
        assert http.post("/api/practice/answer", content=answer).status_code == 200
        for path in ("/metrics", "/healthz", "/healthz/x"):
            assert http.get(path).status_code == 404
        too_big = http.post("/api/practice/answer", content=b"x" * (APP_MAX_BODY + 1))
        assert too_big.status_code == 413
    assert replica.bodies == [update, answer]
    assert replica.paths == [webhook.PATH, "/api/practice/answer"]


def test_an_oversized_body_or_header_never_reaches_a_replica(
    proxy: str, replica: Replica
) -> None:
    with httpx.Client(base_url=proxy, timeout=30) as http:
        big = http.post(webhook.PATH, content=b"x" * (webhook.MAX_BODY + 1))
        assert big.status_code == 413
        # Go's server lets 4 KiB over max_header_bytes through: twice the bound is refused.
        huge_header = http.post(webhook.PATH, content=b"{}",
                                headers={"X-Padding": "x" * 2 * bounds.MAX_HEADERS})
        assert huge_header.status_code == 431
        assert http.post(webhook.PATH, content=b"x" * webhook.MAX_BODY).status_code == 200
    assert [len(b) for b in replica.bodies] == [webhook.MAX_BODY]


def test_the_limits_are_the_replicas_own(tmp_path: Path) -> None:
    """What Caddy makes of the file (`caddy adapt`) against the replicas' own bounds."""
    assert CADDY is not None
    adapted = subprocess.run(
        [CADDY, "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env=caddy_env(tmp_path, "bot.example.org"), capture_output=True, check=True,
    )
    server = json.loads(adapted.stdout)["apps"]["http"]["servers"]["srv0"]
    second = 1_000_000_000  # Caddy's durations are in nanoseconds
    assert server["read_header_timeout"] == bounds.HEADER_TIMEOUT_S * second
    assert server["read_timeout"] == bounds.BODY_TIMEOUT_S * second
    assert server["max_header_bytes"] == bounds.MAX_HEADERS
    text = json.dumps(server)
    assert f'"max_size": {webhook.MAX_BODY}' in text
    assert f'"max_size": {APP_MAX_BODY}' in text
    # Caddy gives up before a replica does: the webhook's bound, then the app's.
    updates, app = (int(n) for n in re.findall(r'"max_conns_per_host": (\d+)', text))
    assert updates < webhook.MAX_CONNECTIONS
    assert app < APP_MAX_CONNECTIONS
