"""Handoffs to a person: the service the staff console uses, the routes the bot and the
widget use, and delivery of staff replies to the fake Telegram Bot API (on SQLite and
PostgreSQL, through the `session` and `client` fixtures)."""

from __future__ import annotations

import datetime as dt
import socket
from typing import Any

import pytest
from e2e.fake_telegram import FakeTelegram
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.handoffs import service
from app.handoffs.service import HandoffClosed, HandoffNotFound
from app.models import Handoff
from app.privacy import sender_hash

TOKEN = "123456:fake-token-for-tests"  # the conftest's fake Bot API token

WIDGET_SESSION = "b1946ac92492d2347c6235b4d2611184"
CLOSED_RU = "Сотрудник организации помощи завершил этот разговор."
CLOSED_KK = "Көмек ұйымының қызметкері бұл әңгімені аяқтады."


def _open(session: Session, settings: Settings, channel: str = "telegram", **kw: Any) -> Handoff:
    args: dict[str, Any] = {
        "channel": channel,
        "sender_id": "987654321" if channel == "telegram" else WIDGET_SESSION,
        "lang": "ru",
        "topic": "stay.registration",
        "consent": True,
        "transcript": [
            ("user", "Мне нужен человек, мой номер +7 701 123 45 67"),
            ("bot", "Хорошо"),
        ],
    }
    args.update(kw)
    return service.open_handoff(session, settings, **args)


# --- Service -----------------------------------------------------------------------------


def test_open_stores_masked_transcript_hash_and_reply_address(
    session: Session, settings: Settings
) -> None:
    handoff = _open(session, settings)
    loaded = service.get(session, handoff.id)
    assert loaded is not None
    assert loaded.status == "open" and loaded.reply_to == "987654321"
    assert loaded.sender_hash == sender_hash("987654321", settings.sender_salt)
    assert [(m.author, m.text_masked) for m in loaded.messages] == [
        ("user", "Мне нужен человек, мой номер [phone]"),
        ("bot", "Хорошо"),
    ]


def test_open_requires_consent(session: Session, settings: Settings) -> None:
    with pytest.raises(service.ConsentRequired):
        _open(session, settings, consent=False)


def test_queue_lists_waiting_handoffs_oldest_first(session: Session, settings: Settings) -> None:
    old, new, closed = (_open(session, settings) for _ in range(3))
    old.created_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    service.close(session, settings, closed.id, "Aigerim")
    service.take(session, new.id, "Aigerim")
    ids = [h.id for h in service.queue(session)]
    assert ids.index(old.id) < ids.index(new.id)
    assert closed.id not in ids
    assert [h.id for h in service.queue(session, statuses=("taken",))] == [new.id]


def test_take_sets_who_and_when(session: Session, settings: Settings) -> None:
    handoff = service.take(session, _open(session, settings).id, "Aigerim")
    assert (handoff.status, handoff.taken_by) == ("taken", "Aigerim")
    assert handoff.taken_at is not None


def test_reply_on_telegram_is_sent_to_her_chat(
    session: Session, tg_settings: Settings, telegram: FakeTelegram
) -> None:
    handoff = _open(session, tg_settings)
    message = service.reply(session, tg_settings, handoff.id, "Aigerim", "Здравствуйте! Я юрист.")
    [call] = telegram.since(0)
    assert (call.method, call.params) == (
        "sendMessage",
        {"chat_id": "987654321", "text": "Здравствуйте! Я юрист."},
    )
    assert message.author == "staff" and message.delivery_error is None
    assert message.delivered_at is not None
    # Replying to an open handoff takes it.
    assert (handoff.status, handoff.taken_by) == ("taken", "Aigerim")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_reply_when_telegram_is_down_is_kept_and_marked_not_delivered(
    session: Session, settings: Settings
) -> None:
    down = settings.model_copy(
        update={
            "telegram_access_token": TOKEN,
            "telegram_api_base": f"http://127.0.0.1:{_closed_port()}",
        }
    )
    handoff = _open(session, down)
    message = service.reply(session, down, handoff.id, "Aigerim", "Вы здесь?")
    assert message.id is not None and message.delivered_at is None
    assert message.delivery_error == "Telegram unreachable (ConnectError)"
    assert TOKEN not in message.delivery_error
    stored = service.get(session, handoff.id)
    assert stored is not None and stored.messages[-1].text_masked == "Вы здесь?"


def test_reply_refused_by_telegram_records_its_answer(
    session: Session, settings: Settings, telegram: FakeTelegram
) -> None:
    wrong_token = settings.model_copy(
        update={"telegram_access_token": "999:wrong", "telegram_api_base": telegram.url}
    )
    handoff = _open(session, wrong_token)
    message = service.reply(session, wrong_token, handoff.id, "Aigerim", "Здравствуйте")
    assert message.delivery_error == "Telegram answered 401 Unauthorized"


def test_reply_without_telegram_token_is_not_delivered(
    session: Session, settings: Settings
) -> None:
    message = service.reply(session, settings, _open(session, settings).id, "A", "Здравствуйте")
    assert message.delivery_error == "TELEGRAM_ACCESS_TOKEN is not set"


def test_staff_text_is_stored_masked_but_sent_whole(
    session: Session, tg_settings: Settings, telegram: FakeTelegram
) -> None:
    handoff = _open(session, tg_settings)
    text = "Позвоните юристу: +7 727 250 12 34"
    message = service.reply(session, tg_settings, handoff.id, "Aigerim", text)
    assert message.text_masked == "Позвоните юристу: [phone]"
    assert telegram.wait_for("sendMessage")[0].params["text"] == text


def test_widget_reply_is_stored_not_pushed(
    session: Session, tg_settings: Settings, telegram: FakeTelegram
) -> None:
    handoff = _open(session, tg_settings, channel="socketio")
    message = service.reply(session, tg_settings, handoff.id, "Aigerim", "Здравствуйте")
    assert telegram.since(0) == []
    assert (message.delivered_at, message.delivery_error) == (None, None)


@pytest.mark.parametrize(("lang", "notice"), [("ru", CLOSED_RU), ("kk", CLOSED_KK)])
def test_close_sends_notice_in_her_language_and_forgets_address(
    session: Session, tg_settings: Settings, telegram: FakeTelegram, lang: str, notice: str
) -> None:
    handoff = _open(session, tg_settings, lang=lang)
    closed = service.close(session, tg_settings, handoff.id, "Aigerim")
    assert closed.status == "closed" and closed.closed_at is not None
    assert closed.reply_to is None
    [call] = telegram.since(0)
    assert call.method == "sendMessage" and call.params["chat_id"] == "987654321"
    assert call.params["text"].startswith(notice)
    assert closed.messages[-1].author == "staff"
    assert closed.messages[-1].text_masked.startswith(notice)


def test_close_in_english_uses_the_source_text(session: Session, settings: Settings) -> None:
    handoff = _open(session, settings, channel="socketio", lang="en")
    closed = service.close(session, settings, handoff.id, "Aigerim")
    assert closed.messages[-1].text_masked.startswith("The person from the helping organisation")


def test_closed_handoff_refuses_changes(session: Session, settings: Settings) -> None:
    handoff_id = _open(session, settings, channel="socketio").id
    service.close(session, settings, handoff_id, "Aigerim")
    with pytest.raises(HandoffClosed):
        service.reply(session, settings, handoff_id, "Aigerim", "ещё")
    with pytest.raises(HandoffClosed):
        service.add_user_message(session, handoff_id, "ещё")
    with pytest.raises(HandoffClosed):
        service.take(session, handoff_id, "Aigerim")
    with pytest.raises(HandoffClosed):
        service.close(session, settings, handoff_id, "Aigerim")


def test_unknown_handoff_is_not_found(session: Session, settings: Settings) -> None:
    assert service.get(session, 2_000_000) is None
    with pytest.raises(HandoffNotFound):
        service.take(session, 2_000_000, "Aigerim")
    with pytest.raises(HandoffNotFound):
        service.add_user_message(session, 2_000_000, "здравствуйте")


def test_user_message_is_masked(session: Session, settings: Settings) -> None:
    handoff = service.add_user_message(
        session, _open(session, settings).id, "мой email aigul@mail.kz, ИИН 900101400123"
    )
    assert handoff.messages[-1].author == "user"
    assert handoff.messages[-1].text_masked == "мой email [email], ИИН [document]"


# --- Routes ------------------------------------------------------------------------------


def _create(client: TestClient, headers: dict[str, str], **overrides: Any) -> int:
    body: dict[str, Any] = {
        "channel": "socketio",
        "sender_id": WIDGET_SESSION,
        "lang": "ru",
        "topic": None,
        "consent": True,
        "transcript": [{"author": "user", "text": "нужен человек"}],
    }
    body.update(overrides)
    response = client.post("/v1/handoffs", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "open"
    return int(response.json()["id"])


def test_routes_relay_her_messages_and_show_them(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    handoff_id = _create(client, service_headers)
    sent = client.post(
        f"/v1/handoffs/{handoff_id}/messages",
        json={"text": "Я жду, номер 8 701 123 45 67"},
        headers=service_headers,
    )
    assert sent.status_code == 201
    assert sent.json() == {"id": handoff_id, "status": "open"}
    detail = client.get(f"/v1/handoffs/{handoff_id}", headers=service_headers).json()
    assert detail["status"] == "open" and detail["channel"] == "socketio"
    assert [(m["author"], m["text"]) for m in detail["messages"]] == [
        ("user", "нужен человек"),
        ("user", "Я жду, номер [phone]"),
    ]


def test_replies_endpoint_lists_staff_messages_and_closing_notice(
    client: TestClient, synced: Session, settings: Settings, service_headers: dict[str, str]
) -> None:
    session_id = "widget-session-" + "x" * 10
    assert client.get("/v1/handoffs/replies", params={"session": session_id}).json() == {
        "status": None,
        "messages": [],
    }
    handoff_id = _create(client, service_headers, sender_id=session_id)
    first = service.reply(synced, settings, handoff_id, "Aigerim", "Здравствуйте! Чем помочь?")
    answer = client.get("/v1/handoffs/replies", params={"session": session_id})
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "taken"
    assert [(m["id"], m["author"], m["text"]) for m in body["messages"]] == [
        (first.id, "staff", "Здравствуйте! Чем помочь?")
    ]
    assert dt.datetime.fromisoformat(body["messages"][0]["created_at"]).tzinfo is not None
    service.close(synced, settings, handoff_id, "Aigerim")
    later = client.get(
        "/v1/handoffs/replies", params={"session": session_id, "after": first.id}
    ).json()
    assert later["status"] == "closed"
    [notice] = later["messages"]
    assert notice["text"].startswith(CLOSED_RU)
    # Her own messages and other sessions' replies are never listed.
    other = client.get("/v1/handoffs/replies", params={"session": "y" * 20}).json()
    assert other == {"status": None, "messages": []}


def test_replies_endpoint_ignores_telegram_handoffs(
    client: TestClient, synced: Session, settings: Settings, service_headers: dict[str, str]
) -> None:
    chat_id = "1234567890123456"
    handoff_id = _create(client, service_headers, channel="telegram", sender_id=chat_id)
    service.reply(synced, settings, handoff_id, "Aigerim", "Здравствуйте")
    answer = client.get("/v1/handoffs/replies", params={"session": chat_id}).json()
    assert answer == {"status": None, "messages": []}


def test_relay_to_closed_handoff_is_409_and_unknown_is_404(
    client: TestClient, synced: Session, settings: Settings, service_headers: dict[str, str]
) -> None:
    handoff_id = _create(client, service_headers)
    service.close(synced, settings, handoff_id, "Aigerim")
    closed = client.post(
        f"/v1/handoffs/{handoff_id}/messages", json={"text": "алло"}, headers=service_headers
    )
    assert closed.status_code == 409
    assert closed.json()["error"] == "conflict"
    missing = client.post(
        "/v1/handoffs/2000000/messages", json={"text": "алло"}, headers=service_headers
    )
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert client.get("/v1/handoffs/2000000", headers=service_headers).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/handoffs/1"), ("POST", "/v1/handoffs/1/messages")],
)
def test_handoff_routes_need_the_service_key(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, json={"text": "алло"})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


@pytest.mark.parametrize(
    "params",
    [{}, {"session": "short"}, {"session": "x" * 20, "after": "-1"}, {"session": "x" * 201}],
)
def test_replies_endpoint_rejects_bad_queries(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/v1/handoffs/replies", params=params)
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"


def test_replies_is_documented_public_with_examples(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    replies = schema["paths"]["/v1/handoffs/replies"]["get"]
    assert "security" not in replies
    assert schema["components"]["schemas"]["RepliesOut"]["examples"][0]["status"] == "taken"
    assert schema["paths"]["/v1/handoffs/{handoff_id}/messages"]["post"]["security"] == [
        {"ServiceKey": []}
    ]
