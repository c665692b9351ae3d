"""Hand-off hours (#19): staff hours and holidays, availability and queue position,
callbacks, the sweep (untaken notice, stale close), the staff Telegram group, statistics.

On SQLite and PostgreSQL (the `session` and `client` fixtures); Telegram is the fake Bot
API. Every "now" is a fixed moment passed in, so nothing depends on the clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from e2e.fake_telegram import FakeTelegram
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.console.models import StaffUser
from app.console.statistics import handoff_outcomes_table, waiting_by_hours_table
from app.core.config import Settings
from app.handoffs import notices, presence, service
from app.handoffs.callback import InvalidPhone, check_phone, mask_phone
from app.handoffs.hours import StaffHours, parse_hours
from app.models import Handoff
from app.privacy import purge_expired

TOKEN = "123456:fake-token-for-tests"  # the conftest's fake Bot API token

ALMATY = dt.timezone(dt.timedelta(hours=5))
# Monday 7 December 2026, noon in Kazakhstan: in the default hours (mon-fri 09:00-18:00).
MONDAY_NOON = dt.datetime(2026, 12, 7, 12, 0, tzinfo=ALMATY)
UNTAKEN_RU = "Ваш разговор пока никто не принял."
STALE_KK = "Адаммен бұл әңгіме жабылды"
BUTTONS = ["/handoff_wait", "/handoff_leave_message", "/handoff_back"]


def _open(
    session: Session, settings: Settings, now: dt.datetime = MONDAY_NOON, **kw: Any
) -> Handoff:
    args: dict[str, Any] = {
        "channel": "telegram",
        "sender_id": "987654321",
        "lang": "ru",
        "topic": "stay.registration",
        "consent": True,
        "transcript": [("user", "Мне нужен человек")],
        "now": now,
    }
    args.update(kw)
    return service.open_handoff(session, settings, **args)


# --- Hours -------------------------------------------------------------------------------


def test_hours_parse_days_ranges_and_several_parts() -> None:
    week = parse_hours("mon-fri 09:00-13:00,14:00-18:00; sat 10:00-14:00")
    assert week[0] == ((540, 780), (840, 1080)) and week[4] == week[0]
    assert week[5] == ((600, 840),)
    assert 6 not in week  # a day not named is closed
    assert parse_hours("mon,wed 08:30-24:00") == {0: ((510, 1440),), 2: ((510, 1440),)}
    assert parse_hours("") == {}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("mon-fri 9-18", "'9' is not a time"),
        ("mon-fri 09:00-25:00", "'25:00' is not a time"),
        ("monday 09:00-18:00", "'monday' is not a day"),
        ("fri-mon 09:00-18:00", "runs backwards"),
        ("mon 18:00-09:00", "ends before it starts"),
        ("mon 09:00-13:00,12:00-18:00", "overlap"),
        ("mon-fri 09:00-18:00; fri 10:00-12:00", "fri is named twice"),
        ("mon-fri", "write days then times"),
        ("mon 09:00", "not a range"),
    ],
)
def test_invalid_hours_fail_fast_naming_the_setting(text: str, says: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(environment="test", service_api_key="t" * 32, staff_hours=text)
    assert "STAFF_HOURS" in str(raised.value) and says in str(raised.value)


@pytest.mark.parametrize(
    ("field", "value", "name"),
    [
        ("staff_holidays", "2026-12-16,16.12.2026", "STAFF_HOLIDAYS"),
        ("staff_timezone", "Mars/Olympus", "STAFF_TIMEZONE"),
        ("staff_telegram_chat_id", "my group", "staff_telegram_chat_id"),
        ("handoff_untaken_minutes", 0, "handoff_untaken_minutes"),
    ],
)
def test_other_invalid_handoff_settings_fail_fast(field: str, value: object, name: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(environment="test", service_api_key="t" * 32, **{field: value})
    assert name in str(raised.value)


def test_in_hours_and_next_open_across_a_weekend_and_a_holiday() -> None:
    hours = StaffHours.parse("mon-fri 09:00-18:00; sat 10:00-14:00", "2026-12-16", "Asia/Almaty")
    assert hours.in_hours(MONDAY_NOON)
    # In UTC the same moment: 07:00 UTC is 12:00 in Almaty.
    assert hours.in_hours(dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.UTC))
    assert not hours.in_hours(dt.datetime(2026, 12, 7, 18, 0, tzinfo=ALMATY))  # end exclusive
    friday_evening = dt.datetime(2026, 12, 11, 19, 0, tzinfo=ALMATY)
    assert not hours.in_hours(friday_evening)
    assert hours.next_open(friday_evening) == dt.datetime(2026, 12, 12, 10, 0, tzinfo=ALMATY)
    saturday_late = dt.datetime(2026, 12, 12, 15, 0, tzinfo=ALMATY)
    monday_nine = hours.next_open(saturday_late)
    assert monday_nine == dt.datetime(2026, 12, 14, 9, 0, tzinfo=ALMATY)
    assert monday_nine is not None and monday_nine.isoformat() == "2026-12-14T09:00:00+05:00"
    # Wednesday 16 December is a holiday: Tuesday evening opens again on Thursday.
    holiday = dt.datetime(2026, 12, 16, 12, 0, tzinfo=ALMATY)
    assert not hours.in_hours(holiday)
    tuesday_evening = dt.datetime(2026, 12, 15, 20, 0, tzinfo=ALMATY)
    assert hours.next_open(tuesday_evening) == dt.datetime(2026, 12, 17, 9, 0, tzinfo=ALMATY)
    assert StaffHours.parse("", "", "Asia/Almaty").next_open(MONDAY_NOON) is None


def test_a_period_across_midnight_counts_from_its_real_start() -> None:
    """Just after midnight a round-the-clock hotline has been open all along, and Friday
    evening's shift that runs into Saturday started on Friday: she has waited since then."""
    always = StaffHours.parse("mon-sun 00:00-24:00", "", "Asia/Almaty")
    just_after_midnight = dt.datetime(2026, 12, 8, 0, 5, tzinfo=ALMATY)
    started = always.period_start(just_after_midnight)
    assert started is not None and started < just_after_midnight - dt.timedelta(days=300)
    late = StaffHours.parse("fri 20:00-24:00; sat 00:00-02:00", "", "Asia/Almaty")
    saturday_one = dt.datetime(2026, 12, 12, 1, 0, tzinfo=ALMATY)
    assert late.period_start(saturday_one) == dt.datetime(2026, 12, 11, 20, 0, tzinfo=ALMATY)
    # A day that opens at midnight after a closed evening starts at its own midnight.
    morning = StaffHours.parse("sat 00:00-02:00", "", "Asia/Almaty")
    assert morning.period_start(saturday_one) == dt.datetime(2026, 12, 12, 0, 0, tzinfo=ALMATY)
    assert late.period_start(dt.datetime(2026, 12, 12, 3, 0, tzinfo=ALMATY)) is None


# --- Callback numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("+7 701 123 45 67", "+7 *** *** 45 67"),
        ("8 (701) 123-45-67", "8 *** *** 45 67"),
        ("+996 555 123 456", "+9 *** *** *** 34 56"),
        ("250 12 34", "*** *** 34"),
    ],
)
def test_callback_numbers_are_checked_and_masked(typed: str, masked: str) -> None:
    assert check_phone(typed) == typed
    assert mask_phone(typed) == masked


@pytest.mark.parametrize(
    "typed", ["12345", "+7 701 123 45 67 89 01 23 45 67", "call me", "٧٠١١٢٣٤٥٦٧"]
)
def test_what_is_not_a_phone_number_is_refused(typed: str) -> None:
    with pytest.raises(InvalidPhone):
        check_phone(typed)


def test_callback_number_is_deleted_on_close_and_by_the_purge(
    session: Session, settings: Settings
) -> None:
    handoff = _open(session, settings, mode="callback", callback_phone="+7 701 123 45 67")
    assert handoff.callback_phone == "+7 701 123 45 67" and handoff.mode == "callback"
    assert all("123 45 67" not in m.text_masked for m in handoff.messages)
    service.close(session, settings, handoff.id, "aliya")
    assert handoff.callback_phone is None
    # A closed hand-off that kept its number any other way loses it at the purge.
    handoff.callback_phone = "+7 701 123 45 67"
    session.commit()
    purge_expired(session, settings.retention_days)
    session.refresh(handoff)
    assert handoff.callback_phone is None


def test_callback_only_with_mode_callback(session: Session, settings: Settings) -> None:
    with pytest.raises(ValueError, match="callback_phone"):
        _open(session, settings, mode="callback")
    with pytest.raises(ValueError, match="callback_phone"):
        _open(session, settings, mode="live", callback_phone="+7 701 123 45 67")


def test_called_back_only_by_who_took_it(session: Session, settings: Settings) -> None:
    handoff = _open(session, settings, mode="callback", callback_phone="87011234567")
    with pytest.raises(service.NotTakenByYou):
        service.called_back(session, handoff.id, "aliya")
    service.take(session, handoff.id, "aliya")
    with pytest.raises(service.NotTakenByYou):
        service.called_back(session, handoff.id, "bota")
    assert service.called_back(session, handoff.id, "aliya").callback_done_at is not None
    live = _open(session, settings)
    service.take(session, live.id, "aliya")
    with pytest.raises(service.NoCallback):
        service.called_back(session, live.id, "aliya")


# --- Availability and position -----------------------------------------------------------


def test_availability_counts_present_staff_and_waiting_handoffs(
    session: Session, settings: Settings
) -> None:
    for name in ("aliya", "bota", "dana"):
        session.add(StaffUser(username=name, password_hash="x", role="staff", failed_logins=0))
    session.commit()
    aliya, bota, dana = (
        session.query(StaffUser).filter_by(username=n).one() for n in ("aliya", "bota", "dana")
    )
    presence.set_available(session, aliya, True, now=MONDAY_NOON)
    # Marked available but not seen for 31 minutes: not counted.
    presence.set_available(session, bota, True, now=MONDAY_NOON - dt.timedelta(minutes=31))
    presence.set_available(session, dana, False, now=MONDAY_NOON)
    first, second = _open(session, settings), _open(session, settings)
    service.take(session, _open(session, settings).id, "aliya")
    found = service.availability(session, settings, now=MONDAY_NOON)
    assert (found.in_hours, found.available, found.waiting, found.next_open) == (
        True,
        1,
        2,
        None,
    )
    sunday = dt.datetime(2026, 12, 13, 3, 0, tzinfo=ALMATY)
    night = service.availability(session, settings, now=sunday)
    assert not night.in_hours and night.available == 0  # nobody seen since Monday noon
    assert night.next_open == dt.datetime(2026, 12, 14, 9, 0, tzinfo=ALMATY)
    assert service.position(session, first) == 0
    assert service.position(session, second) == 1


def test_position_counts_open_untaken_handoffs_before_hers(
    session: Session, settings: Settings
) -> None:
    first = _open(session, settings, now=MONDAY_NOON)
    taken = _open(session, settings, now=MONDAY_NOON + dt.timedelta(minutes=1))
    service.take(session, taken.id, "aliya")
    third = _open(session, settings, now=MONDAY_NOON + dt.timedelta(minutes=2))
    # Same moment as the third: the lower id came first.
    fourth = _open(session, settings, now=MONDAY_NOON + dt.timedelta(minutes=2))
    assert [service.position(session, h) for h in (first, taken, third, fourth)] == [
        0,
        None,
        1,
        2,
    ]


def _always(settings: Settings) -> Settings:
    return settings.model_copy(update={"staff_hours": "mon-sun 00:00-24:00"})


def test_availability_route(client: TestClient, settings: Settings, service_headers: Any) -> None:
    settings.staff_hours = ""  # never staffed: the answer is out of hours, with no next_open
    answer = client.get("/v1/handoffs/availability", headers=service_headers)
    assert answer.status_code == 200
    assert answer.json() == {"in_hours": False, "available": 0, "waiting": 0, "next_open": None}
    assert client.get("/v1/handoffs/availability").status_code == 401


def test_availability_route_gives_next_open_with_the_kazakhstan_offset(
    client: TestClient, settings: Settings, service_headers: Any
) -> None:
    settings.staff_hours = "mon-sun 00:00-00:01"  # closed almost all day, open every day
    settings.staff_holidays = ""
    body = client.get("/v1/handoffs/availability", headers=service_headers).json()
    if body["in_hours"]:  # the one minute a day this hours setting is on
        assert body["next_open"] is None
    else:
        assert body["next_open"].endswith("T00:00:00+05:00")


def test_create_route_answers_position_and_hours_and_takes_modes(
    client: TestClient, settings: Settings, service_headers: Any
) -> None:
    settings.staff_hours = "mon-sun 00:00-24:00"
    body = {
        "channel": "socketio",
        "sender_id": "b1946ac92492d2347c6235b4d2611184",
        "lang": "kk",
        "consent": True,
    }
    first = client.post("/v1/handoffs", json=body, headers=service_headers)
    assert first.status_code == 201
    assert first.json() == {
        "id": first.json()["id"],
        "status": "open",
        "position": 0,
        "in_hours": True,
    }
    second = client.post(
        "/v1/handoffs",
        json={**body, "mode": "callback", "callback_phone": "+7 701 123 45 67"},
        headers=service_headers,
    )
    assert second.status_code == 201 and second.json()["position"] == 1
    detail = client.get(f"/v1/handoffs/{second.json()['id']}", headers=service_headers).json()
    assert (detail["mode"], detail["in_hours"], detail["position"]) == ("callback", True, 1)
    assert "123 45 67" not in str(detail)
    message = client.post("/v1/handoffs", json={**body, "mode": "message"}, headers=service_headers)
    assert message.status_code == 201 and message.json()["position"] == 2


@pytest.mark.parametrize(
    "extra",
    [
        {"mode": "callback"},
        {"mode": "callback", "callback_phone": "12-34"},
        {"mode": "live", "callback_phone": "+7 701 123 45 67"},
        {"callback_phone": "+7 701 123 45 67"},
        {"mode": "later"},
    ],
)
def test_create_route_refuses_bad_callbacks(
    client: TestClient, service_headers: Any, extra: dict[str, Any]
) -> None:
    body = {"channel": "rest", "sender_id": "x" * 20, "lang": "ru", "consent": True, **extra}
    answer = client.post("/v1/handoffs", json=body, headers=service_headers)
    assert answer.status_code == 422
    assert "7 701" not in answer.text  # the number is never echoed back


# --- Sweep -------------------------------------------------------------------------------


def test_untaken_notice_once_with_buttons_on_telegram(
    session: Session, tg_settings: Settings, telegram: FakeTelegram
) -> None:
    handoff = _open(session, tg_settings)
    mark = telegram.mark()
    # Nine minutes: not yet.
    early = service.sweep(session, tg_settings, now=MONDAY_NOON + dt.timedelta(minutes=9))
    assert early.untaken_notified == [] and telegram.since(mark) == []
    later = MONDAY_NOON + dt.timedelta(minutes=11)
    done = service.sweep(session, tg_settings, now=later)
    assert done.untaken_notified == [handoff.id]
    [call] = telegram.since(mark)
    assert call.method == "sendMessage" and call.params["chat_id"] == "987654321"
    assert call.params["text"].startswith(UNTAKEN_RU)
    markup = call.reply_markup
    assert markup is not None
    assert [row[0]["callback_data"] for row in markup["inline_keyboard"]] == BUTTONS
    assert [row[0]["text"] for row in markup["inline_keyboard"]] == [
        "Подождать ещё",
        "Оставить сообщение",
        "Вернуться к боту",
    ]
    assert handoff.untaken_notice_at is not None and handoff.status == "open"
    again = service.sweep(session, tg_settings, now=later + dt.timedelta(minutes=5))
    assert again.untaken_notified == [] and len(telegram.since(mark)) == 1


def test_untaken_notice_reaches_the_widget_with_its_buttons(
    synced: Session, settings: Settings, client: TestClient
) -> None:
    """The widget reads messages later, from /v1/handoffs/replies: the notice's choices come
    with it, in her language; a staff reply comes with none."""
    widget_session = "b1946ac92492d2347c6235b4d2611184"
    handoff = _open(synced, settings, channel="socketio", sender_id=widget_session)
    service.sweep(synced, settings, now=MONDAY_NOON + dt.timedelta(minutes=11))
    service.reply(synced, settings, handoff.id, "Aigerim", "Здравствуйте, я юрист.")
    replies = client.get("/v1/handoffs/replies", params={"session": widget_session})
    assert replies.status_code == 200
    notice, reply = replies.json()["messages"]
    assert notice["text"].startswith(UNTAKEN_RU)
    assert [(b["title"], b["payload"]) for b in notice["buttons"]] == [
        ("Подождать ещё", "/handoff_wait"),
        ("Оставить сообщение", "/handoff_leave_message"),
        ("Вернуться к боту", "/handoff_back"),
    ]
    assert reply["text"] == "Здравствуйте, я юрист." and reply["buttons"] == []


def test_untaken_notice_not_out_of_hours_nor_for_messages_and_callbacks(
    session: Session, settings: Settings
) -> None:
    friday_night = dt.datetime(2026, 12, 11, 23, 0, tzinfo=ALMATY)
    live = _open(session, settings, now=friday_night, channel="socketio", sender_id="s" * 20)
    _open(session, settings, now=friday_night, mode="message")
    _open(session, settings, now=friday_night, mode="callback", callback_phone="87011234567")
    # Saturday 03:00: out of hours, nobody is told.
    assert service.sweep(session, settings, now=friday_night + dt.timedelta(hours=4)) == (
        service.SweepResult()
    )
    # Monday 09:05: hours began five minutes ago; the staff have not failed her yet.
    nine_oh_five = dt.datetime(2026, 12, 14, 9, 5, tzinfo=ALMATY)
    # (Below the stale limit: the last activity is under 72 hours old.)
    live.last_activity_at = nine_oh_five - dt.timedelta(hours=1)
    session.commit()
    assert service.sweep(session, settings, now=nine_oh_five).untaken_notified == []
    done = service.sweep(session, settings, now=nine_oh_five + dt.timedelta(minutes=6))
    assert done.untaken_notified == [live.id]
    # On the widget the notice is a staff message the widget polls.
    assert live.messages[-1].author == "staff"
    assert live.messages[-1].text_masked.startswith(UNTAKEN_RU)


def test_stale_handoffs_close_with_a_notice_in_her_language(
    session: Session, tg_settings: Settings, telegram: FakeTelegram
) -> None:
    stale = _open(session, tg_settings, lang="kk", mode="callback", callback_phone="87011234567")
    fresh = _open(session, tg_settings)
    service.add_user_message(session, fresh.id, "я здесь")
    fresh.last_activity_at = MONDAY_NOON + dt.timedelta(hours=70)
    session.commit()
    mark = telegram.mark()
    later = MONDAY_NOON + dt.timedelta(hours=73)
    done = service.sweep(session, tg_settings, now=later)
    assert done.closed_stale == [stale.id]
    assert stale.status == "closed" and stale.closed_at == later
    assert (stale.callback_phone, stale.reply_to, stale.taken_by) == (None, None, "system")
    assert fresh.status == "open"
    sent = [c for c in telegram.since(mark) if c.params["chat_id"] == "987654321"]
    assert any(c.params["text"].startswith(STALE_KK) for c in sent)
    assert stale.messages[-1].text_masked.startswith(STALE_KK)
    assert service.sweep(session, tg_settings, now=later).closed_stale == []


def test_sweep_route_and_command(
    client: TestClient, synced: Session, settings: Settings, service_headers: Any
) -> None:
    assert client.post("/v1/handoffs/sweep").status_code == 401
    answer = client.post("/v1/handoffs/sweep", headers=service_headers)
    assert answer.status_code == 200
    assert answer.json() == {"untaken_notified": [], "closed_stale": []}


# --- Staff Telegram group ----------------------------------------------------------------


def test_new_handoff_is_announced_to_the_staff_group_without_personal_data(
    client: TestClient, settings: Settings, service_headers: Any, telegram: FakeTelegram
) -> None:
    settings.telegram_access_token = TOKEN
    settings.telegram_api_base = telegram.url
    settings.staff_telegram_chat_id = "-1001234567890"
    settings.staff_hours = "mon-sun 00:00-24:00"
    answer = client.post(
        "/v1/handoffs",
        json={
            "channel": "telegram",
            "sender_id": "555000111",
            "lang": "kk",
            "topic": "stay.registration",
            "consent": True,
            "mode": "callback",
            "callback_phone": "+7 701 123 45 67",
            "transcript": [{"author": "user", "text": "Менің атым Айгүл, ИИН 900101400123"}],
        },
        headers=service_headers,
    )
    assert answer.status_code == 201
    [call] = telegram.wait_for("sendMessage")
    assert call.params["chat_id"] == "-1001234567890"
    text = call.params["text"]
    assert text == (
        f"New handoff #{answer.json()['id']} · Registration after arrival · Telegram · "
        "callback requested"
    )
    for personal in ("555000111", "701", "Айгүл", "900101400123"):
        assert personal not in text


def test_staff_group_failure_never_fails_her_request(
    client: TestClient, settings: Settings, service_headers: Any, telegram: FakeTelegram
) -> None:
    settings.telegram_access_token = "999:wrong"
    settings.telegram_api_base = telegram.url
    settings.staff_telegram_chat_id = "-1001234567890"
    body = {"channel": "rest", "sender_id": "x" * 20, "lang": "en", "consent": True}
    assert client.post("/v1/handoffs", json=body, headers=service_headers).status_code == 201


def test_notices_are_in_the_catalogs() -> None:
    # The bot side relies on these payloads (the hand-off contract).
    assert [payload for _, payload in notices.UNTAKEN_BUTTONS] == BUTTONS


# --- Statistics --------------------------------------------------------------------------


def _taken_after(
    session: Session, settings: Settings, minutes: int, in_hours: bool, **kw: Any
) -> Handoff:
    handoff = _open(session, settings, **kw)
    handoff.in_hours = in_hours
    handoff.status, handoff.taken_by = "taken", "aliya"
    handoff.taken_at = handoff.created_at + dt.timedelta(minutes=minutes)
    session.commit()
    return handoff


def test_waiting_split_by_hours_with_small_counts_withheld(
    session: Session, settings: Settings
) -> None:
    for minutes in (2, 4, 6, 8, 10, 30):
        _taken_after(session, settings, minutes, in_hours=True)
    for minutes in (300, 600):
        _taken_after(session, settings, minutes, in_hours=False)
    table = waiting_by_hours_table(session)
    rows = {key: [c.text for c in cells] for key, cells in table.rows}
    # Two out of hours are under five: withheld, and in hours with them (the other row
    # would give them away from the total).
    assert rows == {
        "Asked in staff hours": ["withheld", "withheld", "withheld"],
        "Asked out of hours": ["<5", "<5", "<5"],
    }
    for minutes in (420, 480, 540):
        _taken_after(session, settings, minutes, in_hours=False)
    rows = {key: [c.text for c in cells] for key, cells in waiting_by_hours_table(session).rows}
    assert rows["Asked in staff hours"] == ["6", "7", "20"]
    assert rows["Asked out of hours"] == ["5", "480", "576"]


def test_callbacks_and_unanswered_counts_with_suppression(
    session: Session, settings: Settings
) -> None:
    for n in range(6):
        handoff = _open(session, settings, mode="callback", callback_phone=f"8701123456{n}")
        service.take(session, handoff.id, "aliya")
        if n < 2:
            service.called_back(session, handoff.id, "aliya")
    for _ in range(5):
        service.close(session, settings, _open(session, settings).id, "system")
    rows = {key: cells[0].text for key, cells in handoff_outcomes_table(session).rows}
    assert rows == {
        "Callbacks requested": "6",
        "Callbacks made": "<5",
        "Closed before a person took them": "5",
    }
