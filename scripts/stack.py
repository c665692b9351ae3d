"""Start and stop the three local services: API (:8000), action server (:5055), Rasa (:5005).

Used by `make run` (scripts/run.py) and by the end-to-end tests, so both start the
stack the same way. Each service runs in its own process group and is stopped with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
API_PY = ROOT / ".venv-api" / "bin" / "python"
BOT_BIN = ROOT / ".venv-bot" / "bin"


@dataclass
class Service:
    name: str
    args: list[str]
    cwd: Path
    health_url: str
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    def start(self, log_dir: Path) -> None:
        self.log_path = log_dir / f"{self.name}.log"
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.args,
            cwd=self.cwd,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def healthy(self) -> bool:
        try:
            return httpx.get(self.health_url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self, timeout: float = 15) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def api_service(port: int, env: dict[str, str]) -> Service:
    return Service(
        "api",
        [
            str(API_PY),
            "-m",
            "uvicorn",
            "app.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        ROOT / "api",
        f"http://127.0.0.1:{port}/healthz",
        env,
    )


def actions_service(port: int, api_url: str, env: dict[str, str]) -> Service:
    return Service(
        "actions",
        [str(BOT_BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
        ROOT / "bot",
        f"http://127.0.0.1:{port}/health",
        {"PYTHONPATH": str(ROOT / "bot"), "API_URL": api_url, **env},
    )


def credentials_file(env: dict[str, str]) -> str:
    """credentials.telegram.yml (rest, socketio and Telegram) when `env` sets
    TELEGRAM_ACCESS_TOKEN, else credentials.yml (rest and socketio only). Only `env`
    counts, so a token exported in a developer's shell never reaches the tests."""
    if env.get("TELEGRAM_ACCESS_TOKEN", "").strip():
        return "credentials.telegram.yml"
    return "credentials.yml"


def rasa_service(
    port: int,
    actions_url: str,
    model: Path,
    env: dict[str, str],
    *,
    name: str = "rasa",
    endpoints: str = "endpoints.yml",
) -> Service:
    """A Rasa server. endpoints.production.yml (PostgreSQL tracker store, Redis lock store)
    lets several of them, each with its own `name`, serve the same conversations."""
    return Service(
        name,
        [
            str(BOT_BIN / "rasa"),
            "run",
            "-m",
            str(model),
            "--port",
            str(port),
            "--endpoints",
            endpoints,
            "--credentials",
            credentials_file(env),
            "--cors",
            "*",
        ],
        ROOT / "bot",
        f"http://127.0.0.1:{port}/",
        {"PYTHONPATH": str(ROOT / "bot"), "ACTION_SERVER_URL": actions_url, **env},
    )


def telegram_env(dotenv: Path = ROOT / ".env") -> dict[str, str]:
    """The TELEGRAM_* settings for `make run`: from the environment, else from .env."""
    found: dict[str, str] = {}
    if dotenv.exists():
        for line in dotenv.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and key.startswith("TELEGRAM_"):
                found[key] = value.strip().strip("'\"")
    found.update({k: v for k, v in os.environ.items() if k.startswith("TELEGRAM_")})
    return {k: v for k, v in found.items() if v}


@dataclass
class Stack:
    services: list[Service]
    log_dir: Path

    def start(self, timeout: float = 180) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for service in self.services:
            service.start(self.log_dir)
        deadline = time.monotonic() + timeout
        pending = list(self.services)
        while pending:
            for service in list(pending):
                assert service.process is not None
                if service.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"{service.name} exited early:\n{service.tail()}")
                if service.healthy():
                    pending.remove(service)
            if pending and time.monotonic() > deadline:
                names = ", ".join(s.name for s in pending)
                self.stop()
                raise RuntimeError(f"not healthy after {timeout:.0f} s: {names}")
            time.sleep(0.5)

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()


def local_stack(
    *,
    api_port: int = 8000,
    actions_port: int = 5055,
    rasa_port: int = 5005,
    model: Path | None = None,
    env: dict[str, str] | None = None,
    log_dir: Path | None = None,
) -> Stack:
    env = env or {}
    api_url = f"http://127.0.0.1:{api_port}"
    return Stack(
        [
            api_service(api_port, env),
            actions_service(actions_port, api_url, env),
            rasa_service(
                rasa_port,
                f"http://127.0.0.1:{actions_port}/webhook",
                model or ROOT / "bot" / "models" / "current.tar.gz",
                # /forget deletes her data in the API too (bot/channels/privacy.py).
                {"API_URL": api_url, **env},
            ),
        ],
        log_dir or ROOT / "data" / "logs",
    )


if __name__ == "__main__":
    sys.exit("use scripts/run.py")
