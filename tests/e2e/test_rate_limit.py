"""Per-sender rate limits on every channel of the real stack (SENDER_RATE_LIMIT is
6/hour in the `guarded` stack of conftest.py): over the limit she is asked kindly, in
her language, to wait, and the message does not reach Rasa; a cry for help over the
limit is answered all the same, with the emergency numbers."""

from __future__ import annotations

import itertools
import sys

import pytest

from .conftest import GUARD_RATE_LIMIT, ROOT, GuardedStack, socketio_chat
from .test_telegram import SOURCES, text_update, tr

sys.path.insert(0, str(ROOT / "bot"))

from channels import texts  # the built texts (YAML): importable from this venv

pytestmark = pytest.mark.e2e

LIMIT = int(GUARD_RATE_LIMIT.split("/")[0])
QUESTIONS = [
    "Как встать на учёт по месту пребывания после приезда?",
    "Какие документы нужны для ВНЖ?",
    "Как записать ребёнка в школу?",
    "Где получить бесплатную юридическую помощь?",
    "Как прикрепиться к поликлинике?",
    "Как получить разрешение на работу?",
]
DANGER = "муж избил меня, вся в синяках, помогите"
TOO_FAST = texts.translate(texts.TOO_FAST, "ru")
EMERGENCY = tr(SOURCES["utter_emergency_domestic_violence"]["text"], "ru")
_ids = itertools.count(1)

assert len(QUESTIONS) == LIMIT


def test_rest(guarded: GuardedStack) -> None:
    sender = f"limit-rest-{next(_ids)}"

    def ask(text: str) -> list[str]:
        body = {"sender": sender, "message": text, "metadata": {"lang": "ru"}}
        response = guarded.rest(body)
        assert response.status_code == 200, response.text
        return [r["text"] for r in response.json() if "text" in r]

    for question in QUESTIONS:
        assert TOO_FAST not in ask(question)
    assert ask("И ещё вопрос про регистрацию") == [TOO_FAST]
    assert EMERGENCY in ask(DANGER)
    assert guarded.user_texts(sender) == [*QUESTIONS, DANGER]
    # Another sender is not held back by her limit.
    other = guarded.rest({"sender": f"{sender}-b", "message": QUESTIONS[0]})
    assert other.status_code == 200
    assert TOO_FAST not in [r.get("text") for r in other.json()]


def test_socketio(guarded: GuardedStack) -> None:
    session = f"limit-sio-{next(_ids)}"
    meta = {"lang": "ru"}
    payloads = [
        {"message": q, "session_id": session, "metadata": meta}
        for q in [*QUESTIONS, "И ещё вопрос", DANGER]
    ]
    replies = socketio_chat(guarded.url, session, payloads)
    said = [[e["data"].get("text") for e in events] for events in replies]
    assert all(s and TOO_FAST not in s for s in said[:LIMIT]), said
    assert said[LIMIT] == [TOO_FAST]
    assert EMERGENCY in said[LIMIT + 1]
    assert guarded.user_texts(session) == [*QUESTIONS, DANGER]


def test_telegram(guarded: GuardedStack) -> None:
    chat = 730_000_000 + next(_ids)
    fake = guarded.telegram

    def send(text: str) -> list[str]:
        mark = fake.mark()
        response = guarded.telegram_post(text_update(chat, text))
        assert response.status_code == 200 and response.text == "success"
        return [c.params["text"] for c in fake.since(mark) if c.method == "sendMessage"]

    for question in QUESTIONS:
        said = send(question)
        assert said and TOO_FAST not in said
    assert send("И ещё вопрос") == [TOO_FAST]
    assert EMERGENCY in send(DANGER)
    assert guarded.user_texts(str(chat)) == [*QUESTIONS, DANGER]
