"""The Telegram channel end to end: real Update JSON posted to the webhook of the trained
bot (with the real action server and API), and the exact Bot API calls that reached a
fake Telegram server (tests/e2e/fake_telegram.py)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import yaml
from babel.messages.pofile import read_po

from .conftest import ROOT, prepare_database, service_env, start_stack, telegram_env
from .fake_telegram import Call, FakeTelegram

pytestmark = pytest.mark.e2e

TOKEN = "123456789:AAE2e-fake-token_for_tests_only"
USERNAME = "ana_komek_test_bot"
SECRET = "e2e-telegram-secret_0123456789"
WEBHOOK_URL = "https://bot.example.org/webhooks/telegram/webhook"
SOURCES = yaml.safe_load((ROOT / "bot" / "responses.yml").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ expected texts


def _catalog(lang: str) -> dict[str, str]:
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {str(m.id): str(m.string) for m in read_po(fh, locale=lang) if m.id}


CATALOGS = {"kk": _catalog("kk"), "ru": _catalog("ru")}


def tr(msgid: str, lang: str) -> str:
    return msgid if lang == "en" else CATALOGS[lang][msgid]


def expected(name: str, lang: str) -> tuple[str, list[list[dict[str, str]]] | None]:
    """The text and inline keyboard of response `name` in `lang`, from the source and
    the catalogs (not from the generated domain)."""
    spec = SOURCES[name]
    keyboard = [
        [{"text": tr(b["title"], lang), "callback_data": b["payload"]}]
        for b in spec.get("buttons") or []
    ]
    return tr(spec["text"], lang), keyboard or None


def said(calls: list[Call]) -> list[tuple[str, list[list[dict[str, str]]] | None]]:
    """(text, inline keyboard) of every sendMessage."""
    out = []
    for call in calls:
        assert call.method == "sendMessage", call
        markup = call.reply_markup
        out.append((call.params["text"], markup["inline_keyboard"] if markup else None))
    return out


# ------------------------------------------------------------------ updates

_ids = itertools.count(1)


def _user(chat: int, language_code: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": chat, "is_bot": False, "first_name": "Айгүл"}
    if language_code:
        user["language_code"] = language_code
    return user


def message_update(
    chat: int, language_code: str | None = "ru", *, edited: bool = False, **content: Any
) -> dict[str, Any]:
    message = {
        "message_id": next(_ids),
        "from": _user(chat, language_code),
        "chat": {"id": chat, "first_name": "Айгүл", "type": "private"},
        "date": 1764064800,
        **content,
    }
    if edited:
        message["edit_date"] = 1764064860
    return {"update_id": next(_ids), "edited_message" if edited else "message": message}


def text_update(chat: int, text: str, language_code: str | None = "ru") -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        length = len(text.split()[0])
        content["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
    return message_update(chat, language_code, **content)


def callback_update(chat: int, data: str, language_code: str | None = "ru") -> dict[str, Any]:
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": f"cbq-{next(_ids)}",
            "from": _user(chat, language_code),
            "message": {
                "message_id": next(_ids),
                "from": {"id": 4242, "is_bot": True, "first_name": "Ana Komek"},
                "chat": {"id": chat, "first_name": "Айгүл", "type": "private"},
                "date": 1764064800,
                "text": "…",
            },
            "chat_instance": "-7001",
            "data": data,
        },
    }


STICKER = {
    "sticker": {
        "file_id": "CAACAgIAAxkBAAIBb2V",
        "file_unique_id": "AgADbwEAAladvQo",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "🙏",
        "set_name": "HotCherry",
        "file_size": 27000,
    }
}
PHOTO = {
    "photo": [
        {"file_id": "AgACAgIAAxk-s", "file_unique_id": "AQADs", "width": 90, "height": 67},
        {"file_id": "AgACAgIAAxk-m", "file_unique_id": "AQADm", "width": 800, "height": 600},
    ],
    "caption": "это мой паспорт",
}
VOICE = {
    "voice": {
        "file_id": "AwACAgIAAxkBAAIBcWV",
        "file_unique_id": "AgADcQEAAladvQo",
        "duration": 7,
        "mime_type": "audio/ogg",
        "file_size": 21000,
    }
}
DOCUMENT = {
    "document": {
        "file_name": "spravka.pdf",
        "mime_type": "application/pdf",
        "file_id": "BQACAgIAAxkBAAIBcmV",
        "file_unique_id": "AgADcgEAAladvQo",
        "file_size": 120000,
    }
}


# ------------------------------------------------------------------ the stack


@dataclass
class Telegram:
    rasa_url: str
    fake: FakeTelegram
    api_url: str = ""
    service_key: str = ""

    def post(self, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return httpx.post(
            f"{self.rasa_url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=60
        )

    def send(self, update: dict[str, Any]) -> list[Call]:
        """Post an update; return the Bot API calls it caused."""
        mark = self.fake.mark()
        response = self.post(update)
        assert response.status_code == 200, response.text
        assert response.text == "success"
        return self.fake.since(mark)


@pytest.fixture(scope="module")
def telegram(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Telegram]:
    tmp = tmp_path_factory.mktemp("telegram")
    fake = FakeTelegram(TOKEN, USERNAME).start()
    env = {
        **service_env(tmp),
        "DEFAULT_LANGUAGE": "ru",
        **telegram_env(fake.url, TOKEN, USERNAME, SECRET),
    }
    prepare_database(env)
    running = start_stack(env, tmp / "logs")
    try:
        yield Telegram(running.rasa_url, fake, running.api_url, env["SERVICE_API_KEY"])
    finally:
        running.stack.stop()
        fake.stop()


_chats = itertools.count(710_000_001)


@pytest.fixture
def chat() -> int:
    return next(_chats)


# ------------------------------------------------------------------ tests


def test_start_up_checks_the_token_and_registers_the_webhook_with_the_secret(
    telegram: Telegram,
) -> None:
    first = telegram.fake.since(0)[:2]
    assert [c.method for c in first] == ["getMe", "setWebhook"]
    assert first[1].params == {
        "url": WEBHOOK_URL,
        "secret_token": SECRET,
        "allowed_updates": '["message", "edited_message", "callback_query"]',
    }


@pytest.mark.parametrize(
    ("text", "lang"), [("Сәлеметсіз бе", "kk"), ("Здравствуйте", "ru"), ("Hello", "en")]
)
def test_text_is_answered_in_her_language_with_an_inline_keyboard(
    telegram: Telegram, chat: int, text: str, lang: str
) -> None:
    calls = telegram.send(text_update(chat, text, language_code="ru"))
    greeting, keyboard = expected("utter_greet", lang)
    assert [c.method for c in calls] == ["sendMessage"]
    params = dict(calls[0].params)
    # plain text: no parse_mode, so no knowledge text can break the formatting
    assert json.loads(params.pop("reply_markup")) == {"inline_keyboard": keyboard}
    assert params == {"chat_id": str(chat), "text": greeting, "disable_web_page_preview": "True"}


def test_start_greets_in_the_language_telegram_suggests_and_offers_the_languages(
    telegram: Telegram, chat: int
) -> None:
    calls = telegram.send(text_update(chat, "/start", language_code="kk"))
    assert said(calls) == [expected("utter_greet", "kk"), expected("utter_choose_language", "kk")]


def test_commands_map_to_intents(telegram: Telegram, chat: int) -> None:
    assert said(telegram.send(text_update(chat, "/help", "en"))) == [
        expected("utter_help_menu", "en")
    ]
    assert said(telegram.send(text_update(chat, "/language@ana_komek_test_bot", "en"))) == [
        expected("utter_choose_language", "en")
    ]
    handoff = said(telegram.send(text_update(chat, "/human", "en")))
    assert handoff == [expected("utter_handoff_consent", "en")]
    # an unknown command shows the menu instead of reaching Rasa as an unknown intent
    assert said(telegram.send(text_update(chat, "/whatever", "en"))) == [
        expected("utter_help_menu", "en")
    ]


def test_a_button_press_is_answered_and_goes_to_rasa_as_its_payload(
    telegram: Telegram, chat: int
) -> None:
    update = callback_update(chat, '/choose_language{"language": "ru"}', language_code="en")
    calls = telegram.send(update)
    assert calls[0].method == "answerCallbackQuery"
    assert calls[0].params == {"callback_query_id": update["callback_query"]["id"]}
    assert said(calls[1:]) == [expected("utter_language_set", "ru")]


def test_an_edited_message_is_answered_like_a_new_one(telegram: Telegram, chat: int) -> None:
    telegram.send(text_update(chat, "Здравствуйте"))
    calls = telegram.send(message_update(chat, "ru", edited=True, text="Сәлеметсіз бе"))
    assert said(calls) == [expected("utter_greet", "kk")]


@pytest.mark.parametrize("content", [STICKER, PHOTO, VOICE, DOCUMENT], ids=lambda c: next(iter(c)))
def test_anything_but_text_gets_a_kind_answer_in_her_language(
    telegram: Telegram, chat: int, content: dict[str, Any]
) -> None:
    # Telegram's hint for a new conversation ...
    assert said(telegram.send(message_update(chat, "en", **content))) == [
        expected("utter_text_only", "en")
    ]
    # ... and the language she writes in once she has written.
    telegram.send(text_update(chat, "Сәлеметсіз бе", language_code="en"))
    assert said(telegram.send(message_update(chat, "en", **content))) == [
        expected("utter_text_only", "kk")
    ]


def test_knowledge_answers_never_leak_the_custom_payload(telegram: Telegram, chat: int) -> None:
    calls = telegram.send(text_update(chat, "Муж бьёт меня, мне страшно", "ru"))
    assert calls, "the bot answered"
    assert {c.method for c in calls} == {"sendMessage"}
    assert said(calls)[0] == expected("utter_emergency_domestic_violence", "ru")
    text, keyboard = said(calls)[-1]
    assert text == expected("utter_next_step", "ru")[0]
    # the next best answer is offered by its title, not sent
    assert keyboard and keyboard[0][0]["text"].startswith("Ещё: "), keyboard
    assert len(calls) == 3, "the emergency numbers, one answer, the next steps"
    everything = json.dumps([c.params for c in calls], ensure_ascii=False)
    for leak in ("snippet_id", "safety.domestic_violence", '"topic"', '"lang"'):
        assert leak not in everything


def test_requests_without_the_secret_token_are_refused(telegram: Telegram, chat: int) -> None:
    mark = telegram.fake.mark()
    for secret in (None, "", "wrong-secret"):
        response = telegram.post(text_update(chat, "Здравствуйте"), secret=secret)
        assert response.status_code == 403
    assert telegram.fake.since(mark) == []


def test_malformed_updates_get_a_4xx_not_a_crash(telegram: Telegram, chat: int) -> None:
    response = httpx.post(
        f"{telegram.rasa_url}/webhooks/telegram/webhook",
        content=b"not json",
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    assert response.status_code == 400
    # an update kind the bot did not subscribe to is acknowledged and ignored
    assert telegram.send({"update_id": next(_ids), "my_chat_member": {}}) == []


def test_forget_deletes_her_conversation_and_confirms_in_her_language(
    telegram: Telegram, chat: int
) -> None:
    control = next(_chats)
    for who in (chat, control):
        telegram.send(text_update(who, "Сәлеметсіз бе", language_code="en"))
    # The conversation remembers Kazakh over Telegram's English hint ...
    menu_kk = said(telegram.send(callback_update(control, "/help_menu", "en"))[1:])
    assert menu_kk == [expected("utter_help_menu", "kk")]

    # She had asked for a person: the API keeps that handoff under her sender hash.
    key = {"X-Service-Key": telegram.service_key}
    handoff = {"channel": "telegram", "sender_id": str(chat), "lang": "kk", "consent": True}
    for who in (chat, control):
        body = {**handoff, "sender_id": str(who)}
        created = httpx.post(f"{telegram.api_url}/v1/handoffs", json=body, headers=key)
        assert created.status_code == 201, created.text

    assert said(telegram.send(text_update(chat, "/forget", language_code="en"))) == [
        expected("utter_forgotten", "kk")
    ]
    # Her handoff is gone from the API too (nothing left to delete); the other one stays.
    for who, left in ((chat, 0), (control, 1)):
        response = httpx.delete(f"{telegram.api_url}/v1/conversations/{who}", headers=key)
        assert response.json()["deleted"]["handoffs"] == left
    # ... until she asks to forget it: the next message starts afresh, with only the hint.
    menu = said(telegram.send(callback_update(chat, "/help_menu", "en"))[1:])
    assert menu == [expected("utter_help_menu", "en")]
