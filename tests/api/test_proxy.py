"""The proxy's real configuration (deploy/Caddyfile), adapted and run by a real Caddy.

Caddy turns the Caddyfile into its JSON config (`caddy adapt`: fails on any syntax or
directive error). The test then runs that config on a loopback port, with the upstream
names of docker-compose.yml (rasa-1, rasa-2, api) pointed at three small local HTTP
servers, and checks where each path lands. CI installs Debian's caddy (2.6); the compose
file runs caddy:2.8, which reads the same Caddyfile.
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CADDYFILE = ROOT / "deploy" / "Caddyfile"
UPSTREAMS = ("rasa-1:5005", "rasa-2:5005", "api:8000")


def _caddy() -> str:
    found = shutil.which("caddy")
    if found is None:
        pytest.fail("caddy not found (apt-get install caddy; .ci/run installs it)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def adapted() -> dict[str, Any]:
    result = subprocess.run(
        [_caddy(), "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env={**os.environ, "DOMAIN": "bot.example.org", "ACME_EMAIL": "it@example.org"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = json.loads(result.stdout)
    return config


def test_the_caddyfile_adapts_without_errors_or_warnings() -> None:
    result = subprocess.run(
        [_caddy(), "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env={**os.environ, "DOMAIN": "bot.example.org", "ACME_EMAIL": "it@example.org"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "WARN" not in result.stderr, result.stderr
    dials = set(re.findall(r'"dial":\s*"([^"]+)"', result.stdout))
    assert dials == set(UPSTREAMS)


class _Named(BaseHTTPRequestHandler):
    name = ""

    def _answer(self) -> None:
        body = json.dumps({"backend": self.name, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self._answer()

    def log_message(self, *args: Any) -> None:
        pass


def _backend(name: str) -> tuple[ThreadingHTTPServer, int]:
    handler = type(f"Backend_{name}", (_Named,), {"name": name})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, int(server.server_address[1])


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("caddy")
    backends = {upstream: _backend(upstream.split(":")[0]) for upstream in UPSTREAMS}
    port = _free_port()
    text = json.dumps(adapted())
    for upstream, (_, backend_port) in backends.items():
        text = text.replace(f'"{upstream}"', f'"127.0.0.1:{backend_port}"')
    config = json.loads(text)
    config["admin"] = {"disabled": True}
    config["apps"].pop("tls", None)  # no certificates on loopback
    server = config["apps"]["http"]["servers"]["srv0"]
    server["listen"] = [f"127.0.0.1:{port}"]
    server["automatic_https"] = {"disable": True}
    for route in server["routes"]:
        route.pop("match", None)  # the host matcher of {$DOMAIN}
    (tmp / "caddy.json").write_text(json.dumps(config))
    env = {**os.environ, "XDG_DATA_HOME": str(tmp), "XDG_CONFIG_HOME": str(tmp), "HOME": str(tmp)}
    process = subprocess.Popen(
        [_caddy(), "run", "--config", str(tmp / "caddy.json")],
        env=env,
        stdout=(tmp / "caddy.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp / "caddy.log").read_text()) from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        for server_, _ in backends.values():
            server_.shutdown()


def backend(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return str(response.json()["backend"])


def test_rest_and_telegram_webhooks_are_spread_over_both_replicas(proxy: str) -> None:
    seen = [
        backend(httpx.post(f"{proxy}/webhooks/rest/webhook", json={"sender": "a", "message": "hi"}))
        for _ in range(6)
    ]
    assert set(seen) == {"rasa-1", "rasa-2"}
    assert backend(httpx.post(f"{proxy}/webhooks/telegram/webhook", json={})) in {
        "rasa-1",
        "rasa-2",
    }


def test_a_socketio_client_stays_on_one_replica(proxy: str) -> None:
    seen = {
        backend(httpx.get(f"{proxy}/socket.io/", params={"EIO": "4", "transport": "polling"}))
        for _ in range(6)
    }
    assert len(seen) == 1 and seen <= {"rasa-1", "rasa-2"}


@pytest.mark.parametrize("path", ["/", "/healthz", "/v1/topics", "/console", "/widget.js"])
def test_everything_else_goes_to_the_api(proxy: str, path: str) -> None:
    response = httpx.get(proxy + path)
    assert backend(response) == "api"
    assert response.json()["path"] == path
    assert response.headers["strict-transport-security"] == "max-age=31536000"


def test_metrics_are_not_served_to_the_outside(proxy: str) -> None:
    assert httpx.get(f"{proxy}/metrics").status_code == 404
