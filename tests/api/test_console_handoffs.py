"""Console handoff pages on SQLite and PostgreSQL: queue, conversation, take, reply, close."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.console_helpers import add_user, signed_in
from app.core.config import Settings
from app.handoffs import service
from app.models import Handoff


def _handoff(session: Session, settings: Settings, channel: str = "socketio") -> Handoff:
    return service.open_handoff(
        session,
        settings,
        channel=channel,
        sender_id="widget-session-1" if channel == "socketio" else "5550001",
        lang="ru",
        topic="stay.registration",
        consent=True,
        transcript=[
            ("user", "мне нужна регистрация, мой номер +7 701 234 56 78"),
            ("bot", "Соединяю с сотрудником."),
        ],
    )


def test_queue_lists_waiting_handoffs_oldest_first(
    client: TestClient, synced: Session, settings: Settings
) -> None:
    older = _handoff(synced, settings)
    older.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=42)
    newer = _handoff(synced, settings, channel="telegram")
    closed = _handoff(synced, settings)
    closed.status = "closed"
    synced.commit()
    signed_in(client, add_user(synced, "staff"))
    page = client.get("/console/handoffs").text
    assert page.index(f"/console/handoffs/{older.id}") < page.index(f"/console/handoffs/{newer.id}")
    assert f"/console/handoffs/{closed.id}" not in page
    assert "42 min" in page
    rows = client.get("/console/handoffs/rows").text
    assert "<html" not in rows and f"/console/handoffs/{newer.id}" in rows


def test_take_reply_close_with_masked_conversation(
    client: TestClient, synced: Session, settings: Settings
) -> None:
    handoff = _handoff(synced, settings)
    token = signed_in(client, add_user(synced, "staff", "aliya"))
    page = client.get(f"/console/handoffs/{handoff.id}").text
    assert "[phone]" in page and "234 56 78" not in page
    assert "waiting for a person" in page
    url = f"/console/handoffs/{handoff.id}"
    assert client.post(f"{url}/take", data={"csrf_token": token}).status_code == 200
    assert "taken by aliya" in client.get(url).text
    sent = client.post(
        f"{url}/reply", data={"csrf_token": token, "text": "Здравствуйте! Я помогу."}
    )
    assert sent.status_code == 200
    fragment = client.get(f"{url}/messages").text
    assert "Здравствуйте! Я помогу." in fragment and "<html" not in fragment
    # The widget fetches the reply from the public endpoint.
    replies = client.get("/v1/handoffs/replies", params={"session": "widget-session-1"})
    assert replies.status_code == 200
    assert "Здравствуйте! Я помогу." in replies.text
    assert client.post(f"{url}/close", data={"csrf_token": token}).status_code == 200
    synced.refresh(handoff)
    assert handoff.status == "closed" and handoff.reply_to is None
    late = client.post(f"{url}/reply", data={"csrf_token": token, "text": "ещё"})
    assert late.status_code == 409 and "Already closed" in late.text


def test_handoff_forms_need_csrf_and_unknown_ids_are_404(
    client: TestClient, synced: Session, settings: Settings
) -> None:
    handoff = _handoff(synced, settings)
    token = signed_in(client, add_user(synced, "staff"))
    url = f"/console/handoffs/{handoff.id}"
    for action in ("take", "close"):
        assert client.post(f"{url}/{action}", data={"csrf_token": "forged"}).status_code == 403
    assert client.post(f"{url}/reply", data={"text": "hi"}).status_code == 403
    synced.refresh(handoff)
    assert handoff.status == "open" and len(handoff.messages) == 2
    assert client.get("/console/handoffs/999999").status_code == 404
    assert client.get("/console/handoffs/99999999999").status_code == 422  # not a 500 on PG
    missing = client.post("/console/handoffs/999999/take", data={"csrf_token": token})
    assert missing.status_code == 404
    empty = client.post(f"{url}/reply", data={"csrf_token": token, "text": ""})
    assert empty.status_code == 422 and empty.json()["error"] == "validation_error"


def test_failed_telegram_delivery_is_shown(
    client: TestClient, synced: Session, settings: Settings
) -> None:
    handoff = _handoff(synced, settings, channel="telegram")  # no TELEGRAM_ACCESS_TOKEN here
    token = signed_in(client, add_user(synced, "staff"))
    url = f"/console/handoffs/{handoff.id}"
    client.post(f"{url}/reply", data={"csrf_token": token, "text": "Здравствуйте"})
    assert "not delivered" in client.get(f"{url}/messages").text


def test_waiting_times_in_statistics_are_suppressed_below_five(
    client: TestClient, synced: Session, settings: Settings
) -> None:
    monday = dt.datetime(2026, 11, 16, 9, tzinfo=dt.UTC)
    for i, wait in enumerate([4, 6, 10, 12, 30, 7]):  # 6 in W47, median 8 min
        h = _handoff(synced, settings)
        h.created_at = monday + dt.timedelta(hours=i)
        h.taken_at = h.created_at + dt.timedelta(minutes=wait)
    # 5 in W48 and 2 in W49: 2 is too few to show, and 5 is withheld with it so that
    # the 2 cannot be worked out from the week totals.
    for days, n in ((7, 5), (14, 2)):
        for i in range(n):
            h = _handoff(synced, settings)
            h.created_at = monday + dt.timedelta(days=days, hours=i)
            h.taken_at = h.created_at + dt.timedelta(minutes=3)
    synced.commit()
    signed_in(client, add_user(synced, "admin"))
    rows = client.get("/console/stats/handoff-waiting.csv").text.splitlines()
    assert rows[0] == "Week,Taken by a person,Median wait (minutes)"
    assert "2026-W47,6,8" in rows
    assert "2026-W48,withheld,withheld" in rows
    assert "2026-W49,<5,<5" in rows


# --- Hours, presence, callbacks (#19) ----------------------------------------------------


def _callback(session: Session, settings: Settings) -> Handoff:
    return service.open_handoff(
        session,
        settings,
        channel="rest",
        sender_id="rest-sender-0001",
        lang="kk",
        topic="child.school",
        consent=True,
        transcript=[],
        mode="callback",
        callback_phone="+7 701 123 45 67",
    )


def test_queue_reads_as_staff_speak(
    client: TestClient, synced: Session, settings: Settings
) -> None:
    live = _handoff(synced, settings)
    live.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3, minutes=5)
    live.in_hours = True
    message = _handoff(synced, settings, channel="telegram")
    message.mode, message.in_hours = "message", False
    callback = _callback(synced, settings)
    synced.commit()
    signed_in(client, add_user(synced, "staff"))
    rows = client.get("/console/handoffs/rows").text
    for shown in (
        "Registration after arrival",
        "School",
        "Web chat",
        "Telegram",
        "REST API",
        "in hours",
        "out of hours (left a message)",
        "callback requested",
        "3 h",
        "Русский",
        "Қазақша",
    ):
        assert shown in rows, shown
    for hidden in ("stay.registration", "socketio", "123 45 67"):
        assert hidden not in rows
    assert f"/console/handoffs/{callback.id}" in rows
    russian = client.get("/console/handoffs/rows", params={"lang": "ru"}).text
    assert "Регистрация после приезда" in russian
    assert "Телеграм" in russian and "просит перезвонить" in russian and "3 ч" in russian


def test_callback_number_in_full_only_for_who_took_it(
    client: TestClient, synced: Session, settings: Settings
) -> None:
    handoff = _callback(synced, settings)
    url = f"/console/handoffs/{handoff.id}"
    colleague = TestClient(client.app)
    signed_in(colleague, add_user(synced, "staff", "bota"))
    token = signed_in(client, add_user(synced, "staff", "aliya"))
    before = client.get(url).text
    assert "+7 *** *** 45 67" in before and "701 123" not in before
    assert "I called her back" not in before
    assert client.post(f"{url}/take", data={"csrf_token": token}).status_code == 200
    mine = client.get(url).text
    assert 'href="tel:+77011234567"' in mine and "+7 701 123 45 67" in mine
    theirs = colleague.get(url).text
    assert "+7 *** *** 45 67" in theirs and "701 123" not in theirs
    assert "I called her back" not in theirs
    assert client.post(f"{url}/called-back", data={"csrf_token": token}).status_code == 200
    synced.refresh(handoff)
    assert handoff.callback_done_at is not None
    assert "I called her back" not in client.get(url).text
    client.post(f"{url}/close", data={"csrf_token": token})
    synced.refresh(handoff)
    assert handoff.callback_phone is None
    assert "45 67" not in client.get(url).text


def test_waiting_count_and_availability_toggle(
    client: TestClient, synced: Session, settings: Settings, service_headers: dict[str, str]
) -> None:
    token = signed_in(client, add_user(synced, "staff", "aliya"))
    assert client.get("/console/handoffs/count").json() == {"waiting": 0}
    _handoff(synced, settings)
    taken = _handoff(synced, settings)
    service.take(synced, taken.id, "aliya")
    assert client.get("/console/handoffs/count").json() == {"waiting": 1}
    page = client.get("/console/lookup").text
    assert 'id="waiting-count"' in page and "I am available" in page
    available = client.get("/v1/handoffs/availability", headers=service_headers).json()
    assert available["available"] == 0 and available["waiting"] == 1
    toggled = client.post(
        "/console/availability",
        data={"csrf_token": token, "available": "1", "next": "/console/lookup"},
        follow_redirects=False,
    )
    assert toggled.status_code == 303 and toggled.headers["location"] == "/console/lookup"
    assert "I am away" in client.get("/console/lookup").text
    available = client.get("/v1/handoffs/availability", headers=service_headers).json()
    assert available["available"] == 1
    forged = client.post("/console/availability", data={"csrf_token": "x", "available": "0"})
    assert forged.status_code == 403
    # Signing out makes her away.
    client.post("/console/logout", data={"csrf_token": token})
    available = client.get("/v1/handoffs/availability", headers=service_headers).json()
    assert available["available"] == 0
    assert client.get("/console/handoffs/count", follow_redirects=False).status_code == 303


def test_statistics_page_has_the_hours_and_callback_tables(
    client: TestClient, synced: Session
) -> None:
    signed_in(client, add_user(synced, "admin"))
    page = client.get("/console/stats").text
    assert "Handoff waiting time in and out of staff hours" in page
    assert "Callbacks and unanswered handoffs" in page
    csv = client.get("/console/stats/handoff-outcomes.csv").text.splitlines()
    assert csv[0] == "Handoffs,Count"
    assert "Callbacks requested,0" in csv
