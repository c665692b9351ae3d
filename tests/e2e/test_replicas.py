"""Two Rasa servers, one conversation: the production shape without Docker.

The same processes as docker-compose.yml: one PostgreSQL (the API's data and Rasa's
tracker store), one Redis (Rasa's lock store), the API and the action server once, and two
Rasa servers with bot/endpoints.production.yml on the trained model. Messages of one
conversation alternate between the servers as a round-robin proxy would send them.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from support_redis import RedisServer, redis_server
from support_redis import available as redis_available

from stack import API_PY, Stack, actions_service, api_service, rasa_service
from support_pg import available as pg_available
from support_pg import free_port, postgres_server

from .conftest import MODEL, ROOT, prepare_database, service_env
from .test_pipeline import GREETING, texts, translated

pytestmark = pytest.mark.e2e
LOCK_PREFIX = "anakomek:lock:"  # key_prefix of bot/endpoints.production.yml + Rasa's "lock:"


@dataclass
class Replicas:
    urls: tuple[str, str]
    api_env: dict[str, str]
    tracker_url: str
    redis: RedisServer


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it first)")
    if not (pg_available() and redis_available()):
        pytest.fail("PostgreSQL and redis-server are needed (.ci/run installs them)")
    tmp = tmp_path_factory.mktemp("replicas")
    with postgres_server() as pg_url, redis_server() as redis:
        url = make_url(pg_url)
        # The API on PostgreSQL as in production; Rasa creates its own database "tracker".
        api_env = {**service_env(tmp), "DATABASE_URL": pg_url}
        prepare_database(api_env)
        api_port, actions_port = free_port(), free_port()
        api_url = f"http://127.0.0.1:{api_port}"
        rasa_env = {key: value for key, value in api_env.items() if key != "PYTHONPATH"} | {
            "API_URL": api_url,
            "TRACKER_DB_HOST": "127.0.0.1",
            "TRACKER_DB_PORT": str(url.port),
            "TRACKER_DB": "tracker",
            "TRACKER_LOGIN_DB": str(url.database),
            "TRACKER_DB_USER": str(url.username),
            # The throwaway server trusts local connections; any password passes.
            "TRACKER_DB_PASSWORD": "unused",
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(redis.port),
            "REDIS_PASSWORD": redis.password,
        }
        actions_url = f"http://127.0.0.1:{actions_port}/webhook"
        ports = free_port(), free_port()
        stack = Stack(
            [
                api_service(api_port, api_env),
                actions_service(actions_port, api_url, api_env),
                *(
                    rasa_service(
                        port,
                        actions_url,
                        MODEL,
                        rasa_env,
                        name=f"rasa-{name}",
                        endpoints="endpoints.production.yml",
                    )
                    for name, port in zip("ab", ports, strict=True)
                ),
            ],
            tmp / "logs",
        )
        stack.start(timeout=480)
        try:
            yield Replicas(
                urls=(f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}"),
                api_env=api_env,
                tracker_url=url.set(database="tracker").render_as_string(hide_password=False),
                redis=redis,
            )
        finally:
            stack.stop()


def send(
    server: str, sender: str, message: str, metadata: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"sender": sender, "message": message}
    if metadata:
        body["metadata"] = metadata
    response = httpx.post(f"{server}/webhooks/rest/webhook", json=body, timeout=60)
    response.raise_for_status()
    return response.json()


def tracker_events(replicas: Replicas, sender: str) -> list[tuple[str, dict[str, Any]]]:
    engine = sa.create_engine(replicas.tracker_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
                {"s": sender},
            ).all()
    finally:
        engine.dispose()
    return [(row.type_name, json.loads(row.data)) for row in rows]


def test_a_conversation_alternating_between_two_servers_keeps_its_state(
    replicas: Replicas,
) -> None:
    a, b = replicas.urls
    sender = "replica-language"
    assert texts(send(a, sender, "Hello", {"lang": "kk"}))[0] == translated(GREETING, "kk")
    # B has never seen her: it answers in Kazakh because A's events are in PostgreSQL.
    # ("/greet" carries no words, so it sets no language by itself.)
    assert texts(send(b, sender, "/greet"))[0] == translated(GREETING, "kk")
    assert texts(send(a, sender, "Здравствуйте"))[0] == translated(GREETING, "ru")
    assert texts(send(b, sender, "/greet"))[0] == translated(GREETING, "ru")
    # Without the shared store a new conversation starts in the default language (ru),
    # so the Kazakh answer above came from the stored conversation, not from a default.
    assert texts(send(b, "replica-fresh", "/greet", {"lang": "en"}))[0] == GREETING

    users = [data["text"] for kind, data in tracker_events(replicas, sender) if kind == "user"]
    assert users == ["Hello", "/greet", "Здравствуйте", "/greet"]


def test_a_message_right_after_another_on_the_other_server_sees_its_events(
    replicas: Replicas,
) -> None:
    a, b = replicas.urls
    sender = "replica-next"
    for turn in range(3):
        first, second = (a, b) if turn % 2 == 0 else (b, a)
        send(first, sender, "Hello", {"lang": "en"})
        replies = send(second, sender, "/greet")
        assert texts(replies)[0] == GREETING
    events = tracker_events(replicas, sender)
    assert [d["text"] for kind, d in events if kind == "user"] == ["Hello", "/greet"] * 3


def test_concurrent_messages_on_both_servers_are_handled_one_after_the_other(
    replicas: Replicas,
) -> None:
    """The Redis lock orders two messages of one conversation that reach two servers at
    once: each turn's events stay together (no user message inside another's turn)."""
    a, b = replicas.urls
    sender = "replica-concurrent"
    send(a, sender, "Hello", {"lang": "en"})
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(
                lambda args: send(args[0], sender, args[1]),
                [(a, "/greet"), (b, "/help_menu"), (a, "/greet"), (b, "/help_menu")],
            )
        )
    assert all(texts(answer) for answer in answers)
    events = [(kind, data.get("name")) for kind, data in tracker_events(replicas, sender)]
    users = [i for i, (kind, _) in enumerate(events) if kind == "user"]
    assert len(users) == 5
    for start, end in zip(users, [*users[1:], len(events)], strict=True):
        actions = [name for kind, name in events[start + 1 : end] if kind == "action"]
        # Each message is answered, and the bot listens again, before the next is handled.
        assert len(actions) >= 2 and actions[-1] == "action_listen", events


def test_the_servers_take_their_locks_in_redis(replicas: Replicas) -> None:
    sender = "replica-locks"
    monitor = subprocess.Popen(
        replicas.redis.cli("monitor"), stdout=subprocess.PIPE, text=True, bufsize=1
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(monitor.stdout.readline, "")))  # type: ignore[union-attr]
    reader.start()
    try:
        time.sleep(0.5)  # MONITOR only sees commands sent after it started
        for server in replicas.urls:
            send(server, sender, "Hello", {"lang": "en"})
    finally:
        monitor.terminate()
        monitor.wait(10)
        reader.join(10)
    key = f'"{LOCK_PREFIX}{sender}"'
    commands = [line.split()[3].strip('"').lower() for line in lines if key in line]
    assert commands.count("set") >= 2, lines[-20:]
    assert "del" in commands, commands


def test_the_purge_deletes_old_tracker_events_and_keeps_recent_ones(
    replicas: Replicas,
) -> None:
    a, _ = replicas.urls
    send(a, "replica-recent", "Hello", {"lang": "en"})
    recent = len(tracker_events(replicas, "replica-recent"))
    now = dt.datetime.now(dt.UTC)
    engine = sa.create_engine(replicas.tracker_url)
    try:
        with engine.begin() as connection:
            for sender, days in (("replica-old", 31), ("replica-almost-old", 29)):
                connection.execute(
                    sa.text(
                        "INSERT INTO events (sender_id, type_name, timestamp, data) "
                        "VALUES (:s, 'user', :t, :d)"
                    ),
                    {
                        "s": sender,
                        "t": (now - dt.timedelta(days=days)).timestamp(),
                        "d": json.dumps({"event": "user", "text": "old"}),
                    },
                )
    finally:
        engine.dispose()

    result = subprocess.run(
        [str(API_PY), "-m", "app.cli", "purge"],
        cwd=ROOT / "api",
        env={
            **replicas.api_env,
            "PATH": "/usr/bin:/bin",
            "RETENTION_DAYS": "30",
            "TRACKER_DATABASE_URL": replicas.tracker_url,
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert '"tracker_events": 1' in result.stdout, result.stdout
    assert tracker_events(replicas, "replica-old") == []
    assert len(tracker_events(replicas, "replica-almost-old")) == 1
    assert len(tracker_events(replicas, "replica-recent")) == recent


def test_purge_without_a_tracker_table_deletes_nothing(tmp_path: Path) -> None:
    from app.tracker_retention import purge_tracker_events

    assert purge_tracker_events(f"sqlite:///{tmp_path / 'empty.db'}", 30) == 0
