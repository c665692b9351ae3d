"""The whole pipe: the trained Rasa model over REST, the real action server, the real API
on SQLite synced from knowledge/. Started once per test session on free ports."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

import subprocess  # noqa: E402

from stack import API_PY, Stack, local_stack  # noqa: E402
from support_pg import free_port  # noqa: E402

MODEL = ROOT / "bot" / "models" / "current.tar.gz"
Chat = Callable[..., list[dict[str, Any]]]


def service_env(tmp: Path) -> dict[str, str]:
    """The environment of an e2e stack: a fresh SQLite database in `tmp`."""
    return {
        "DATABASE_URL": f"sqlite:///{tmp / 'e2e.db'}",
        "ENVIRONMENT": "test",
        "SERVICE_API_KEY": "e2e-" + "k" * 28,
        "RATE_LIMIT": "100000/minute",
        # Tests send messages faster than a person types (tests/e2e/test_bad_input.py
        # checks the sender limit with a stack of its own).
        "SENDER_RATE_LIMIT": "100000/minute",
        "PYTHONPATH": str(ROOT / "api"),
    }


def prepare_database(env: dict[str, str]) -> None:
    """Migrate the database of `env` and sync the knowledge (KNOWLEDGE_DIR) into it."""
    for args in (["-m", "alembic", "upgrade", "head"], ["-m", "app.cli", "sync"]):
        result = subprocess.run(
            [str(API_PY), *args],
            cwd=ROOT / "api",
            env={**os.environ, **env},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def start_stack(env: dict[str, str], log_dir: Path) -> tuple[Stack, int]:
    """Start api, actions and rasa on free ports; return the stack and Rasa's port."""
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it first)")
    api_port, actions_port, rasa_port = free_port(), free_port(), free_port()
    stack = local_stack(
        api_port=api_port,
        actions_port=actions_port,
        rasa_port=rasa_port,
        model=MODEL,
        env=env,
        log_dir=log_dir,
    )
    stack.start(timeout=240)
    return stack, rasa_port


@pytest.fixture(scope="session")
def rasa_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e")
    env = service_env(tmp)
    prepare_database(env)
    stack, rasa_port = start_stack(env, tmp / "logs")
    yield f"http://127.0.0.1:{rasa_port}"
    stack.stop()


_senders = itertools.count()


@pytest.fixture
def chat(rasa_url: str) -> Chat:
    """Send messages as one new user; return the bot's replies to the last one."""
    sender = f"e2e-{next(_senders)}"

    def send(message: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"sender": sender, "message": message}
        if metadata:
            body["metadata"] = metadata
        response = httpx.post(f"{rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    return send
