"""Bot tests run in the bot venv (Python 3.10). The API they talk to is the real one,
started from the API venv on a temporary SQLite database synced from the test fixtures."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

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


def _start_api(db: Path, **extra: str) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    """The API on a migrated SQLite database synced from the test fixtures."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "api"),
        "DATABASE_URL": f"sqlite:///{db}",
        "KNOWLEDGE_DIR": str(FIXTURE_KNOWLEDGE),
        "ENVIRONMENT": "test",
        "SERVICE_API_KEY": SERVICE_KEY,
        "RATE_LIMIT": "100000/minute",
        **extra,
    }
    for command in (["-m", "alembic", "upgrade", "head"], ["-m", "app.cli", "sync"]):
        subprocess.run(
            [str(API_PY), *command], cwd=ROOT / "api", env=env, check=True, capture_output=True
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
    return proc, url, env


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # Staffed every day, all day: whether a person answers is her presence (staff()).
    db = tmp_path_factory.mktemp("api") / "bot-tests.db"
    proc, url, env = _start_api(db, STAFF_HOURS="mon-sun 00:00-24:00")
    _API_ENV.clear()
    _API_ENV.update(env)
    staff(available=True)
    yield url
    _stop(proc)


# Today and tomorrow are holidays in Kazakhstan time: nobody until the day after, 09:00.
KZ = ZoneInfo("Asia/Almaty")
AFTER_HOLIDAYS = dt.datetime.now(KZ).date() + dt.timedelta(days=2)


@pytest.fixture(scope="session")
def closed_api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    today = dt.datetime.now(KZ).date()
    holidays = f"{today.isoformat()},{(today + dt.timedelta(days=1)).isoformat()}"
    db = tmp_path_factory.mktemp("api-closed") / "bot-tests.db"
    proc, url, _ = _start_api(db, STAFF_HOURS="mon-sun 09:00-18:00", STAFF_HOLIDAYS=holidays)
    yield url
    _stop(proc)


@pytest.fixture
def use_api(api_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    from common.settings import get_settings

    monkeypatch.setenv("API_URL", api_url)
    monkeypatch.setenv("SERVICE_API_KEY", SERVICE_KEY)
    get_settings.cache_clear()
    yield api_url
    get_settings.cache_clear()


@pytest.fixture
def out_of_hours(closed_api_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from common.settings import get_settings

    monkeypatch.setenv("API_URL", closed_api_url)
    monkeypatch.setenv("SERVICE_API_KEY", SERVICE_KEY)
    get_settings.cache_clear()
    yield closed_api_url
    get_settings.cache_clear()


@pytest.fixture
def api_down(monkeypatch: pytest.MonkeyPatch) -> None:
    from common.settings import get_settings

    monkeypatch.setenv("API_URL", f"http://127.0.0.1:{_free_port()}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


_API_ENV: dict[str, str] = {}
# Run in the API's environment: the console's own functions mark a staff member available.
_PRESENCE = """
import sys
from app.core.config import get_settings
from app.db import make_engine
from sqlalchemy.orm import Session
from sqlalchemy import select
from app.console.accounts import create_user
from app.console.models import StaffUser
from app.handoffs.presence import set_available
with Session(make_engine(get_settings().database_url)) as db:
    user = db.scalar(select(StaffUser).where(StaffUser.username == "aigerim"))
    user = user or create_user(db, username="aigerim", password="a-long-pass-phrase-1", role="staff")
    set_available(db, user, sys.argv[1] == "on")
"""


def staff(*, available: bool) -> None:
    """A staff member at the console, available or away, in the bot tests' API database."""
    subprocess.run(
        [str(API_PY), "-c", _PRESENCE, "on" if available else "off"],
        cwd=ROOT / "api",
        env=_API_ENV,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def nobody_available(use_api: str) -> Iterator[str]:
    staff(available=False)
    yield use_api
    staff(available=True)


_AS_STAFF = """
import sys
from app.core.config import get_settings
from app.db import make_engine
from sqlalchemy.orm import Session
from app.handoffs import service
settings = get_settings()
action, handoff_id = sys.argv[1], int(sys.argv[2])
with Session(make_engine(settings.database_url)) as db:
    if action == "take":
        service.take(db, handoff_id, "aigerim")
    else:
        service.close(db, settings, handoff_id, "aigerim")
"""


def _as_staff(action: str, handoff_id: int) -> None:
    subprocess.run(
        [str(API_PY), "-c", _AS_STAFF, action, str(handoff_id)],
        cwd=ROOT / "api",
        env=_API_ENV,
        check=True,
        capture_output=True,
    )


def take_handoff(handoff_id: int) -> None:
    """Aigerim takes the hand-off, as the console's "Take" button does."""
    _as_staff("take", handoff_id)


def close_handoff(handoff_id: int) -> None:
    """Aigerim closes it, as the console's "Close" button does (the sweep closes alike)."""
    _as_staff("close", handoff_id)
