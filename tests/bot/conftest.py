"""Bot tests run in the bot venv (Python 3.10). The API they talk to is the real one,
started from the API venv on a temporary SQLite database synced from the test fixtures."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
API_PY = ROOT / ".venv-api" / "bin" / "python"
FIXTURE_KNOWLEDGE = ROOT / "tests" / "fixtures" / "knowledge"
SERVICE_KEY = "bot-tests-" + "k" * 24  # the API's key; the actions send it with writes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("api") / "bot-tests.db"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "api"),
        "DATABASE_URL": f"sqlite:///{db}",
        "KNOWLEDGE_DIR": str(FIXTURE_KNOWLEDGE),
        "ENVIRONMENT": "test",
        "SERVICE_API_KEY": SERVICE_KEY,
        "RATE_LIMIT": "100000/minute",
    }
    subprocess.run(
        [str(API_PY), "-m", "alembic", "upgrade", "head"],
        cwd=ROOT / "api",
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [str(API_PY), "-m", "app.cli", "sync"],
        cwd=ROOT / "api",
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    proc = subprocess.Popen(
        [str(API_PY), "-m", "uvicorn", "app.main:app", "--port", str(port), "--no-access-log"],
        cwd=ROOT / "api",
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url + "/healthz").status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("the API did not start for the bot tests")
        time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def use_api(api_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    from actions.settings import get_settings

    monkeypatch.setenv("API_URL", api_url)
    monkeypatch.setenv("SERVICE_API_KEY", SERVICE_KEY)
    get_settings.cache_clear()
    yield api_url
    get_settings.cache_clear()


@pytest.fixture
def api_down(monkeypatch: pytest.MonkeyPatch) -> None:
    from actions.settings import get_settings

    monkeypatch.setenv("API_URL", f"http://127.0.0.1:{_free_port()}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
