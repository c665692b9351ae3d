"""Bad input (tests/data/bad_input.yaml) through every channel of the real stack: REST,
socket.io and the Telegram webhook. Each message gets a clear answer or a 4xx, nothing
crashes (a normal question right after is answered), and what was processed is in the
tracker (read through Rasa's HTTP API)."""

from __future__ import annotations

import itertools
import json
import re
import sys
from typing import Any

import pytest
import yaml

from .conftest import ROOT, GuardedStack, socketio_chat
from .test_telegram import text_update

sys.path.insert(0, str(ROOT / "bot"))

from channels import texts  # the built texts (YAML): importable from this venv

pytestmark = pytest.mark.e2e

CORPUS = yaml.safe_load((ROOT / "tests" / "data" / "bad_input.yaml").read_text(encoding="utf-8"))
NORMAL = "Как встать на учёт по месту пребывания после приезда?"
LETTER = re.compile(r"[^\W\d_]")
# What the guard removes (bot/channels/guard.py), written out again as the oracle.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ids = itertools.count(1)


def _text(case: dict[str, Any]) -> str:
    if "repeat" in case:
        return str(case["repeat"]["text"]) * int(case["repeat"]["times"])
    return str(case["text"])


def _stored(text: str) -> str:
    """What Rasa keeps of a message: cleaned by the guard, stripped by UserMessage."""
    return CONTROL.sub("", text).strip()


def _too_long_texts() -> set[str]:
    limit = 4096
    return {texts.translate(texts.TOO_LONG, lang, limit=limit) for lang in texts.LANGUAGES}


def _assert_clear_answer(replies: list[str], case: dict[str, Any]) -> None:
    assert replies, f"{case['id']}: no answer"
    assert all(LETTER.search(r) for r in replies), replies
    if case["expect"] == "too_long":
        assert set(replies) <= _too_long_texts(), replies


MESSAGES = [pytest.param(c, id=c["id"]) for c in CORPUS["messages"]]


# ------------------------------------------------------------------ REST


@pytest.mark.parametrize("case", MESSAGES)
def test_rest_message(guarded: GuardedStack, case: dict[str, Any]) -> None:
    sender = f"bad-rest-{next(_ids)}"
    text = _text(case)
    response = guarded.rest({"sender": sender, "message": text})
    assert response.status_code == 200, response.text
    _assert_clear_answer([r["text"] for r in response.json() if "text" in r], case)
    processed = [] if case["expect"] == "too_long" else [_stored(text)]
    assert guarded.user_texts(sender) == processed
    after = guarded.rest({"sender": sender, "message": NORMAL})
    assert after.status_code == 200
    assert any("text" in r for r in after.json()), after.json()
    assert guarded.user_texts(sender)[-1] == NORMAL


def _raw_body(case: dict[str, Any]) -> bytes:
    if "hex" in case:
        return bytes.fromhex(case["hex"].replace(" ", ""))
    if "sender_chars" in case:
        return json.dumps({"sender": "s" * case["sender_chars"], "message": "hi"}).encode()
    if "huge_mb" in case:
        filler = "а" * (case["huge_mb"] * 1024 * 1024 // 2)
        return json.dumps({"sender": "huge", "message": filler}, ensure_ascii=False).encode()
    return str(case["body"]).encode()


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CORPUS["rest_bodies"]])
def test_rest_bad_body_gets_a_json_4xx(guarded: GuardedStack, case: dict[str, Any]) -> None:
    response = guarded.rest(None, content=_raw_body(case))
    assert response.status_code == case["status"], response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]
    after = guarded.rest({"sender": f"bad-body-{next(_ids)}", "message": NORMAL})
    assert after.status_code == 200 and after.json()


# ------------------------------------------------------------------ socket.io


@pytest.mark.parametrize("case", MESSAGES)
def test_socketio_message(guarded: GuardedStack, case: dict[str, Any]) -> None:
    session = f"bad-sio-{next(_ids)}"
    text = _text(case)
    bad, normal = socketio_chat(
        guarded.url,
        session,
        [{"message": text, "session_id": session}, {"message": NORMAL, "session_id": session}],
    )
    assert all(e["event"] == "bot_uttered" for e in bad + normal), bad + normal
    _assert_clear_answer([e["data"]["text"] for e in bad if "text" in e["data"]], case)
    assert any("text" in e["data"] for e in normal), normal
    expected = [NORMAL] if case["expect"] == "too_long" else [_stored(text), NORMAL]
    assert guarded.user_texts(session) == expected


def test_socketio_broken_payloads_get_an_input_error(guarded: GuardedStack) -> None:
    session = f"bad-sio-{next(_ids)}"
    payloads = [c["payload"] for c in CORPUS["socketio_payloads"]]
    replies = socketio_chat(
        guarded.url, session, [*payloads, {"message": NORMAL, "session_id": session}]
    )
    for case, events in zip(CORPUS["socketio_payloads"], replies, strict=False):
        assert [e["event"] for e in events] == ["input_error"], (case["id"], events)
        assert events[0]["data"]["error"]
    assert replies[-1] and all(e["event"] == "bot_uttered" for e in replies[-1])
    assert guarded.user_texts(session) == [NORMAL]


# ------------------------------------------------------------------ Telegram


@pytest.mark.parametrize("case", MESSAGES)
def test_telegram_message(guarded: GuardedStack, case: dict[str, Any]) -> None:
    chat = 720_000_000 + next(_ids)
    text = _text(case)
    fake = guarded.telegram
    mark = fake.mark()
    response = guarded.telegram_post(text_update(chat, text))
    assert response.status_code == 200 and response.text == "success"
    calls = fake.since(mark)
    _assert_clear_answer([c.params["text"] for c in calls if c.method == "sendMessage"], case)
    stored = guarded.user_texts(str(chat))
    if case["expect"] == "answer" and _stored(text) and not text.startswith("/"):
        assert stored == [_stored(text)]
    mark = fake.mark()
    assert guarded.telegram_post(text_update(chat, NORMAL)).status_code == 200
    assert any(c.method == "sendMessage" for c in fake.since(mark))
    assert guarded.user_texts(str(chat))[-1] == NORMAL


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CORPUS["telegram_bodies"]])
def test_telegram_bad_body_gets_a_json_4xx(guarded: GuardedStack, case: dict[str, Any]) -> None:
    response = guarded.telegram_post(content=_raw_body(case))
    assert response.status_code == case["status"], response.text
    assert response.json()["error"]
    chat = 720_000_000 + next(_ids)
    mark = guarded.telegram.mark()
    assert guarded.telegram_post(text_update(chat, NORMAL)).status_code == 200
    assert any(c.method == "sendMessage" for c in guarded.telegram.since(mark))
