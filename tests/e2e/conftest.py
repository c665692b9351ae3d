"""The whole pipe: the trained Rasa model over REST, the real action server, the real API
on SQLite synced from knowledge/. Started once per test session on free ports."""

from __future__ import annotations

import itertools
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

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
        # Staffed all day, every day, and someone at the console (prepare_database): a
        # test's outcome never depends on the hour it runs at. Hours themselves are tested
        # in tests/api/test_handoff_hours.py and tests/bot/test_handoff.py.
        "STAFF_HOURS": "mon-sun 00:00-24:00",
    }


def telegram_env(api_base: str, token: str, username: str, secret: str) -> dict[str, str]:
    """The settings of the Telegram channel, talking to a fake Bot API server at `api_base`."""
    return {
        "TELEGRAM_ACCESS_TOKEN": token,
        "TELEGRAM_BOT_USERNAME": username,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/webhooks/telegram/webhook",
        "TELEGRAM_SECRET_TOKEN": secret,
        "TELEGRAM_API_BASE": api_base,
    }


def api_command(env: dict[str, str], *args: str) -> None:
    """Run `python <args>` in the API's environment with `env`; fail the test on an error."""
    result = subprocess.run(
        [str(API_PY), *args],
        cwd=ROOT / "api",
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def prepare_database(env: dict[str, str]) -> None:
    """Migrate the database of `env`, sync the knowledge (KNOWLEDGE_DIR) into it, and put a
    staff member at the console, available (`at_console`)."""
    api_command(env, "-m", "alembic", "upgrade", "head")
    api_command(env, "-m", "app.cli", "sync")
    at_console(env["DATABASE_URL"], available=True)


ON_DUTY = "aigerim"


def at_console(database_url: str, *, available: bool) -> None:
    """Aigerim signed in to the console, marked available or away (the console's toggle)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.console.accounts import create_user
    from app.console.models import StaffUser
    from app.db import make_engine
    from app.handoffs import presence

    with Session(make_engine(database_url)) as db:
        user = db.scalar(select(StaffUser).where(StaffUser.username == ON_DUTY))
        if user is None:
            user = create_user(db, username=ON_DUTY, password="a-long-pass-phrase-1", role="staff")
        presence.set_available(db, user, available)


class Running(NamedTuple):
    stack: Stack
    api_url: str
    rasa_url: str


def start_stack(
    env: dict[str, str], log_dir: Path, *, rasa_port: int | None = None, timeout: float = 240
) -> Running:
    """Start api, actions and rasa on free ports (Rasa's may be chosen by the caller)."""
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it first)")
    api_port, rasa_port = free_port(), rasa_port or free_port()
    stack = local_stack(
        api_port=api_port,
        actions_port=free_port(),
        rasa_port=rasa_port,
        model=MODEL,
        env=env,
        log_dir=log_dir,
    )
    stack.start(timeout=timeout)
    return Running(stack, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{rasa_port}")


@pytest.fixture(scope="session")
def rasa_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e")
    env = service_env(tmp)
    prepare_database(env)
    running = start_stack(env, tmp / "logs")
    yield running.rasa_url
    running.stack.stop()


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


# --------------------------------------------------------------- guarded stack
# One stack for the channel-guard tests (test_bad_input.py, test_rate_limit.py): all
# three channels (Telegram against the fake Bot API), Rasa's HTTP API on for reading
# trackers, and a sender limit low enough to reach in a test.

GUARD_TOKEN = "123456789:AAGuard-fake-token_for_tests_only"
GUARD_USERNAME = "ana_komek_guard_bot"
GUARD_SECRET = "e2e-guard-secret_0123456789"
# Per hour, not minute: on a loaded CI machine six answers can take over a minute.
GUARD_RATE_LIMIT = "6/hour"


class GuardedStack:
    def __init__(self, url: str, api_token: str, telegram: Any) -> None:
        self.url = url
        self.api_token = api_token
        self.telegram = telegram  # fake_telegram.FakeTelegram

    def rest(self, body: Any, **kw: Any) -> httpx.Response:
        return httpx.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=60, **kw)

    def telegram_post(self, update: Any = None, content: bytes | None = None) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": GUARD_SECRET}
        if content is None:
            return httpx.post(
                f"{self.url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=60
            )
        headers["Content-Type"] = "application/json"
        return httpx.post(
            f"{self.url}/webhooks/telegram/webhook", content=content, headers=headers, timeout=60
        )

    def user_texts(self, sender: str) -> list[str]:
        """The text of every user message in her tracker, read through Rasa's HTTP API."""
        response = httpx.get(
            f"{self.url}/conversations/{sender}/tracker",
            params={"token": self.api_token},
            timeout=30,
        )
        response.raise_for_status()
        return [e.get("text") or "" for e in response.json()["events"] if e["event"] == "user"]


def socketio_chat(
    url: str, session_id: str, payloads: list[Any], quiet: float = 2.0, timeout: float = 60
) -> Any:
    """Emit `payloads` from a real socket.io client (tests/e2e/sio_client.py, run in the
    bot venv where python-socketio lives); return the events each one brought back (a
    payload answered by silence waits `timeout`)."""
    request = {
        "url": url,
        "session_id": session_id,
        "payloads": payloads,
        "quiet": quiet,
        "timeout": timeout,
    }
    result = subprocess.run(
        [str(ROOT / ".venv-bot" / "bin" / "python"), str(Path(__file__).parent / "sio_client.py")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120 + 60 * len(payloads),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GuardedStack]:
    from .fake_telegram import FakeTelegram

    tmp = tmp_path_factory.mktemp("guarded")
    fake = FakeTelegram(GUARD_TOKEN, GUARD_USERNAME).start()
    api_token = "e2e-rasa-api-" + "t" * 20
    env = {
        **service_env(tmp),
        "SENDER_RATE_LIMIT": GUARD_RATE_LIMIT,
        **telegram_env(fake.url, GUARD_TOKEN, GUARD_USERNAME, GUARD_SECRET),
    }
    prepare_database(env)
    rasa_port = free_port()
    stack = local_stack(
        api_port=free_port(),
        actions_port=free_port(),
        rasa_port=rasa_port,
        model=MODEL,
        env=env,
        log_dir=tmp / "logs",
    )
    stack.services[-1].args += ["--enable-api", "--auth-token", api_token]
    stack.start(timeout=240)
    try:
        yield GuardedStack(f"http://127.0.0.1:{rasa_port}", api_token, fake)
    finally:
        stack.stop()
        fake.stop()
