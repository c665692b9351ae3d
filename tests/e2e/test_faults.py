"""Faults: the real processes are stopped mid-conversation and started again. With the
API down, the action server down, PostgreSQL (the tracker store) restarted and Redis
(the lock store) down, a cry for help still gets the emergency numbers, any other
question gets "back soon" in her language, and the next question after the part is
back is answered from the knowledge again, with nothing restarted by hand.

Rasa runs with the production stores (tests/support_stores.py): the SQL tracker store on
a throwaway PostgreSQL and the Redis lock store on a redis-server of its own.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

import support_pg
import support_stores
from stack import Service
from support_stores import Stores, production_stores, use_endpoints

from .conftest import MODEL, free_port, local_stack, prepare_database, service_env
from .test_telegram import SOURCES, tr

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

LANG = "ru"
RUSSIAN = re.compile("[а-яё]{3}", re.IGNORECASE)
QUESTION = "Как встать на учёт по месту пребывания после приезда?"
DANGER = "муж избил меня, вся в синяках, помогите"
API_DOWN = tr(SOURCES["utter_api_down"]["text"], LANG)
EMERGENCY = tr(SOURCES["utter_emergency_domestic_violence"]["text"], LANG)
if not support_stores.available():
    pytest.skip("needs PostgreSQL server binaries and redis-server", allow_module_level=True)


@dataclass
class Faults:
    url: str
    services: dict[str, Service]
    stores: Stores

    def ask(self, sender: str, text: str) -> list[dict[str, Any]]:
        response = httpx.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": {"lang": LANG}},
            timeout=90,
        )
        assert response.status_code == 200, response.text
        return list(response.json())

    def restart(self, name: str) -> None:
        service = self.services[name]
        service.start(self.stores.log_dir)
        deadline = time.monotonic() + 120
        while not service.healthy():
            assert time.monotonic() < deadline, f"{name} did not come back:\n{service.tail()}"
            time.sleep(0.5)

    def stored_user_texts(self, sender: str) -> list[str]:
        """The user messages of her conversation in PostgreSQL's events table."""
        engine = sa.create_engine(self.stores.tracker_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text(
                        "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' "
                        "ORDER BY id"
                    ),
                    {"s": sender},
                )
                return [json.loads(row[0]).get("text") for row in rows]
        finally:
            engine.dispose()


def texts(replies: list[dict[str, Any]]) -> list[str]:
    return [r["text"] for r in replies if "text" in r]


def answered_from_knowledge(replies: list[dict[str, Any]]) -> bool:
    return any(isinstance(r.get("custom"), dict) and r["custom"].get("snippet_id") for r in replies)


def answered(faults: Faults, her: str) -> bool:
    """Ask the question; when the bot first asks for her citizenship, tap "other country"."""
    replies = faults.ask(her, QUESTION)
    for reply in replies:
        for button in reply.get("buttons") or []:
            if "non_eaeu" in button["payload"]:
                replies = faults.ask(her, button["payload"])
    return answered_from_knowledge(replies)


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faults]:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it first)")
    tmp = tmp_path_factory.mktemp("faults")
    with production_stores(tmp) as stores:
        env = {**service_env(tmp), **stores.env}
        prepare_database(env)
        rasa_port = free_port()
        stack = local_stack(
            api_port=free_port(),
            actions_port=free_port(),
            rasa_port=rasa_port,
            model=MODEL,
            env=env,
            log_dir=stores.log_dir,
        )
        use_endpoints(stack.services[-1], stores.endpoints)
        stack.start(timeout=240)
        try:
            yield Faults(
                f"http://127.0.0.1:{rasa_port}", {s.name: s for s in stack.services}, stores
            )
        finally:
            stack.stop()


_senders = itertools.count(1)


def sender() -> str:
    return f"fault-{next(_senders)}"


def test_with_every_part_up_she_is_answered_from_the_knowledge(faults: Faults) -> None:
    her = sender()
    assert answered(faults, her)
    assert faults.stored_user_texts(her)[0] == QUESTION


@pytest.mark.parametrize("part", ["api", "actions"])
def test_with_a_service_down_she_gets_the_emergency_numbers_and_back_soon(
    faults: Faults, part: str
) -> None:
    her = sender()
    assert answered(faults, her)
    faults.services[part].stop()
    try:
        down = faults.ask(her, QUESTION)
        assert texts(down) == [API_DOWN], down
        danger = texts(faults.ask(her, DANGER))
        assert danger[0] == EMERGENCY, danger
    finally:
        faults.restart(part)
    # Back by itself: the next question is answered from the knowledge again.
    assert answered(faults, her)


def test_with_postgresql_restarted_mid_conversation_she_is_still_answered(
    faults: Faults,
) -> None:
    her = sender()
    assert answered(faults, her)
    before = faults.stored_user_texts(her).count(QUESTION)
    support_pg.stop_server(faults.stores.pg_port)
    try:
        # Rasa's fail-safe tracker store goes on in memory, without what it stored before:
        # she is answered in her language, though the bot may ask her citizenship again.
        down = texts(faults.ask(her, QUESTION))
        assert down and all(RUSSIAN.search(t) for t in down), down
        danger = texts(faults.ask(her, DANGER))
        assert danger[0] == EMERGENCY, danger
    finally:
        support_pg.start_server(faults.stores.pg_port)
    # Back by itself: answered, and her conversation is stored in PostgreSQL again (the
    # first query after the restart may still meet a dead pooled connection).
    deadline = time.monotonic() + 60
    while faults.stored_user_texts(her).count(QUESTION) <= before:
        assert time.monotonic() < deadline, faults.stored_user_texts(her)
        assert answered(faults, her)


def test_with_redis_down_she_gets_the_emergency_numbers_and_back_soon(faults: Faults) -> None:
    her = sender()
    assert answered(faults, her)
    faults.stores.stop_redis()
    try:
        down = faults.ask(her, QUESTION)
        assert texts(down) == [API_DOWN], down
        danger = texts(faults.ask(her, DANGER))
        assert danger[0] == EMERGENCY, danger
    finally:
        faults.stores.start_redis()
    assert answered(faults, her)
