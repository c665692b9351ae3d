"""A person takes over, end to end: the trained bot, the real action server and API, and a
fake Telegram Bot API. Staff act through app.handoffs.service on the stack's database,
as the staff console does."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.console.accounts import create_user
from app.console.models import StaffUser
from app.core.config import Settings
from app.db import make_engine
from app.handoffs import presence, service

from .conftest import prepare_database, service_env, socketio_chat, start_stack, telegram_env
from .fake_telegram import FakeTelegram
from .test_telegram import CATALOGS, callback_update, expected, said, text_update

pytestmark = pytest.mark.e2e

TOKEN = "987654321:AAHandoff-fake-token_for_tests"
USERNAME = "ana_komek_handoff_bot"
SECRET = "e2e-handoff-secret_0123456789"


@dataclass
class Handoffs:
    rasa_url: str
    api_url: str
    fake: FakeTelegram
    settings: Settings

    def rest(self, sender: str, message: str, lang: str = "ru") -> list[dict[str, Any]]:
        body = {"sender": sender, "message": message, "metadata": {"lang": lang}}
        response = httpx.post(f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        return list(response.json())

    def telegram(self, update: dict[str, Any]) -> list[Any]:
        mark = self.fake.mark()
        response = httpx.post(
            f"{self.rasa_url}/webhooks/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            timeout=60,
        )
        assert response.status_code == 200 and response.text == "success", response.text
        return self.fake.since(mark)

    def handoff(self, handoff_id: int) -> dict[str, Any]:
        response = httpx.get(
            f"{self.api_url}/v1/handoffs/{handoff_id}",
            headers={"X-Service-Key": self.settings.service_api_key},
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def staff(self) -> Session:
        return Session(make_engine(self.settings.database_url), expire_on_commit=False)

    def at_console(self, *, available: bool) -> None:
        """Aigerim at the console, marked available or away (as the console's toggle does)."""
        with self.staff() as db:
            user = db.scalar(select(StaffUser).where(StaffUser.username == "aigerim"))
            if user is None:
                user = create_user(
                    db, username="aigerim", password="a-long-pass-phrase-1", role="staff"
                )
            presence.set_available(db, user, available)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Handoffs]:
    tmp = tmp_path_factory.mktemp("handoff")
    fake = FakeTelegram(TOKEN, USERNAME).start()
    env = {
        **service_env(tmp),
        "DEFAULT_LANGUAGE": "ru",
        **telegram_env(fake.url, TOKEN, USERNAME, SECRET),
        # Staffed all day, every day: whether a person answers is presence (Handoffs.staff).
        "STAFF_HOURS": "mon-sun 00:00-24:00",
    }
    prepare_database(env)
    running = start_stack(env, tmp / "logs")
    settings = Settings(
        environment="test",
        database_url=env["DATABASE_URL"],
        service_api_key=env["SERVICE_API_KEY"],
        telegram_access_token=TOKEN,
        telegram_api_base=fake.url,
    )
    handoffs = Handoffs(running.rasa_url, running.api_url, fake, settings)
    handoffs.at_console(available=True)
    try:
        yield handoffs
    finally:
        running.stack.stop()
        fake.stop()


_senders = itertools.count(1)


def texts(replies: list[dict[str, Any]]) -> list[str]:
    return [r["text"] for r in replies if "text" in r]


def ru(name: str) -> str:
    return expected(name, "ru")[0]


def test_rest_handoff_from_consent_to_close(stack: Handoffs) -> None:
    sender = f"rest-handoff-{next(_senders):04d}-session"
    asked = stack.rest(sender, "/human_handoff")
    assert texts(asked) == [ru("utter_handoff_consent")]
    assert [b["payload"] for b in asked[0]["buttons"]] == ["/affirm", "/deny"]

    opened = stack.rest(sender, "/affirm")
    assert ru("utter_handoff_opened") in texts(opened)
    [custom] = [r["custom"] for r in opened if "custom" in r]
    handoff_id = custom["handoff_id"]
    assert custom == {"handoff_id": handoff_id, "lang": "ru"}

    # Aigerim takes it; she writes: the bot stays quiet except once, and the person gets
    # it (masked).
    with stack.staff() as db:
        service.take(db, handoff_id, "Aigerim")
    first = stack.rest(sender, "Хозяйка не делает регистрацию, мой номер 8 701 123 45 67")
    assert texts(first) == [ru("utter_handoff_relayed")]
    assert stack.rest(sender, "Как записать ребенка в школу?") == []
    stored = stack.handoff(handoff_id)
    assert stored["status"] == "taken" and stored["channel"] == "rest"
    assert [m["text"] for m in stored["messages"] if m["author"] == "user"][-2:] == [
        "Хозяйка не делает регистрацию, мой номер [phone]",
        "Как записать ребенка в школу?",
    ]

    # A cry for help during the handoff still gets the emergency numbers at once.
    danger = texts(stack.rest(sender, "Муж меня бьет, мне страшно"))
    assert any("112" in t and "102" in t for t in danger), danger

    # Staff reply (as the console does) and the widget's poll lists it.
    with stack.staff() as db:
        reply = service.reply(db, stack.settings, handoff_id, "Aigerim", "Здравствуйте! Я юрист.")
    polled = httpx.get(f"{stack.api_url}/v1/handoffs/replies", params={"session": sender}).json()
    assert polled["status"] == "taken"
    assert [(m["id"], m["text"]) for m in polled["messages"]] == [
        (reply.id, "Здравствуйте! Я юрист.")
    ]

    with stack.staff() as db:
        service.close(db, stack.settings, handoff_id, "Aigerim")
    after_close = httpx.get(
        f"{stack.api_url}/v1/handoffs/replies", params={"session": sender, "after": reply.id}
    ).json()
    assert after_close["status"] == "closed"
    assert after_close["messages"][0]["text"].startswith("Сотрудник организации помощи")

    # Her next message finds the handoff closed: the bot is back, with the menu.
    back = texts(stack.rest(sender, "Спасибо!"))
    assert back == [ru("utter_handoff_back"), ru("utter_help_menu")]
    answered = stack.rest(sender, "Как записать ребенка в школу?")
    assert any(r.get("custom", {}).get("topic") == "child.school" for r in answered), answered


def test_rest_no_consent_gives_the_contacts(stack: Handoffs) -> None:
    sender = f"rest-handoff-{next(_senders):04d}-session"
    stack.rest(sender, "/human_handoff")
    replies = texts(stack.rest(sender, "/deny"))
    assert replies[0] == ru("utter_handoff")
    assert ru("utter_referrals_intro") in replies


def test_telegram_human_consent_by_button_and_staff_reply_arrives(stack: Handoffs) -> None:
    chat = 720_000_001
    asked = said(stack.telegram(text_update(chat, "/human")))
    assert asked == [expected("utter_handoff_consent", "ru")]

    calls = stack.telegram(callback_update(chat, "/affirm"))
    assert calls[0].method == "answerCallbackQuery"
    opened = said(calls[1:])
    assert opened == [expected("utter_handoff_opened", "ru")]  # no payload leaks
    with stack.staff() as db:
        [handoff] = [h for h in service.queue(db) if h.channel == "telegram"]
        handoff_id = handoff.id

    relayed = said(stack.telegram(text_update(chat, "Здравствуйте, я жду")))
    assert relayed == [expected("utter_handoff_relayed", "ru")]
    assert stack.handoff(handoff_id)["messages"][-1]["text"] == "Здравствуйте, я жду"

    mark = stack.fake.mark()
    with stack.staff() as db:
        message = service.reply(
            db, stack.settings, handoff_id, "Aigerim", "Добрый день! Чем помочь?"
        )
    assert message.delivery_error is None
    [sent] = stack.fake.since(mark)
    assert (sent.method, sent.params) == (
        "sendMessage",
        {"chat_id": str(chat), "text": "Добрый день! Чем помочь?"},
    )

    mark = stack.fake.mark()
    with stack.staff() as db:
        service.close(db, stack.settings, handoff_id, "Aigerim")
    [notice] = stack.fake.since(mark)
    closing = next(v for k, v in CATALOGS["ru"].items() if k.startswith("The person from the"))
    assert notice.params == {"chat_id": str(chat), "text": closing}


# While a person has her conversation, her messages go to that person and the bot is quiet
# on purpose: no channel may take that silence for a failure and tell her it "cannot reach
# its answers" (issue: Telegram did, from her second message on).
# Words for the person, not questions the bot would answer while she waits.
RELAYED = [
    "Алло, вы здесь?",
    "Я жду ответа, пожалуйста",
    "Спасибо, я подожду ещё",
]


def _user_messages(stack: Handoffs, handoff_id: int) -> list[str]:
    return [m["text"] for m in stack.handoff(handoff_id)["messages"] if m["author"] == "user"]


@pytest.mark.parametrize("count", [2, 3])
def test_rest_relays_every_message_in_silence(stack: Handoffs, count: int) -> None:
    sender = f"rest-relay-{next(_senders):04d}-session"
    stack.rest(sender, "/human_handoff")
    opened = stack.rest(sender, "/affirm")
    [handoff_id] = [r["custom"]["handoff_id"] for r in opened if "custom" in r]
    replies = [texts(stack.rest(sender, text)) for text in RELAYED[:count]]
    assert replies[0] == [ru("utter_handoff_relayed")]
    assert replies[1:] == [[]] * (count - 1)
    assert _user_messages(stack, handoff_id)[-count:] == RELAYED[:count]


@pytest.mark.parametrize("count", [2, 3])
def test_socketio_relays_every_message_in_silence(stack: Handoffs, count: int) -> None:
    session = f"sio-relay-{next(_senders):04d}"
    payloads = [{"message": m, "session_id": session} for m in ["/human_handoff", "/affirm"]]
    payloads += [{"message": m, "session_id": session} for m in RELAYED[:count]]
    replies = socketio_chat(stack.rasa_url, session, payloads, timeout=8)
    opened = [e["data"] for e in replies[1]]
    # socket.io carries the payload as the event's data (Rasa unpacks the `data` wrapper)
    [handoff_id] = [d["handoff_id"] for d in opened if "handoff_id" in d]
    relayed = [[e["data"].get("text") for e in events] for events in replies[2:]]
    assert relayed[0] == [ru("utter_handoff_relayed")]
    assert relayed[1:] == [[]] * (count - 1)
    assert _user_messages(stack, handoff_id)[-count:] == RELAYED[:count]


@pytest.mark.parametrize("count", [2, 3])
def test_telegram_relays_every_message_in_silence(stack: Handoffs, count: int) -> None:
    chat = 720_100_000 + count
    stack.telegram(text_update(chat, "/human"))
    stack.telegram(callback_update(chat, "/affirm"))
    with stack.staff() as db:
        # the newest: hers, opened just now
        handoff_id = max(h.id for h in service.queue(db) if h.channel == "telegram")
    replies = [said(stack.telegram(text_update(chat, text))) for text in RELAYED[:count]]
    assert replies[0] == [expected("utter_handoff_relayed", "ru")]
    assert replies[1:] == [[]] * (count - 1)
    assert _user_messages(stack, handoff_id)[-count:] == RELAYED[:count]


def test_rest_with_nobody_free_she_chooses_a_message_for_later(stack: Handoffs) -> None:
    sender = f"rest-nobody-{next(_senders):04d}-session"
    stack.at_console(available=False)
    try:
        stack.rest(sender, "/human_handoff")
        told = stack.rest(sender, "/affirm")
    finally:
        stack.at_console(available=True)
    assert texts(told) == [ru("utter_handoff_nobody_now")]
    payloads = [b["payload"] for b in told[0]["buttons"]]
    assert payloads == ["/handoff_leave_message", "/handoff_callback", "/handoff_lines"]
    left = stack.rest(sender, "/handoff_leave_message")
    assert texts(left) == [ru("utter_handoff_message_left")]
    [handoff_id] = [r["custom"]["handoff_id"] for r in left if "custom" in r]
    assert stack.handoff(handoff_id)["mode"] == "message"
    # while she waits, a question the bot understands is answered, and the person sees it
    asked = "Как записать ребенка в школу?"
    answered = stack.rest(sender, asked)
    assert any(r.get("custom", {}).get("topic") == "child.school" for r in answered), answered
    assert _user_messages(stack, handoff_id)[-1] == asked


def test_rest_callback_takes_her_number_with_her_consent(stack: Handoffs) -> None:
    sender = f"rest-callback-{next(_senders):04d}-session"
    stack.at_console(available=False)
    try:
        stack.rest(sender, "/human_handoff")
        stack.rest(sender, "/affirm")
    finally:
        stack.at_console(available=True)
    assert texts(stack.rest(sender, "/handoff_callback")) == [ru("utter_ask_callback_phone")]
    taken = stack.rest(sender, "+7 701 123 45 67")
    assert texts(taken) == [ru("utter_handoff_callback_taken")]
    [handoff_id] = [r["custom"]["handoff_id"] for r in taken if "custom" in r]
    stored = stack.handoff(handoff_id)
    assert stored["mode"] == "callback"
    assert "123 45 67" not in str(stored["messages"])


def test_rest_place_in_the_queue(stack: Handoffs) -> None:
    first = f"rest-queue-{next(_senders):04d}-session"
    second = f"rest-queue-{next(_senders):04d}-session"
    for sender in (first, second):
        stack.rest(sender, "/human_handoff")
    stack.rest(first, "/affirm")
    opened = texts(stack.rest(second, "/affirm"))
    assert opened[0] == ru("utter_handoff_opened")
    position = next(t for t in opened[1:] if t.startswith(ru("utter_handoff_position")[:10]))
    assert int(position.rstrip(".").split()[-1]) >= 1


def test_telegram_nobody_free_callback_by_buttons(stack: Handoffs) -> None:
    chat = 720_200_001
    stack.telegram(text_update(chat, "/human"))
    stack.at_console(available=False)
    try:
        calls = stack.telegram(callback_update(chat, "/affirm"))
    finally:
        stack.at_console(available=True)
    [(text, keyboard)] = said(calls[1:])
    assert text == expected("utter_handoff_nobody_now", "ru")[0]
    assert [row[0]["callback_data"] for row in keyboard or []] == [
        "/handoff_leave_message",
        "/handoff_callback",
        "/handoff_lines",
    ]
    asked = said(stack.telegram(callback_update(chat, "/handoff_callback"))[1:])
    assert [t for t, _ in asked] == [expected("utter_ask_callback_phone", "ru")[0]]
    taken = said(stack.telegram(text_update(chat, "8 701 765 43 21")))
    assert [t for t, _ in taken] == [expected("utter_handoff_callback_taken", "ru")[0]]
    with stack.staff() as db:
        handoff = max((h for h in service.queue(db) if h.channel == "telegram"), key=lambda h: h.id)
        assert (handoff.mode, handoff.callback_phone) == ("callback", "8 701 765 43 21")
