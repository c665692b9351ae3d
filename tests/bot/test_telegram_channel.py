"""The Telegram channel's pieces without a server: splitting, callback data, commands,
settings, and deleting a conversation from Rasa's tracker stores."""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.tracker_store import (
    FailSafeTrackerStore,
    InMemoryTrackerStore,
    SQLTrackerStore,
    TrackerStore,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from channels.privacy import ConversationNotDeleted, delete_conversation
from channels.telegram import (
    MAX_CALLBACK_BYTES,
    CallbackPayloads,
    TelegramInput,
    split_text,
    utf16_len,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from fake_telegram import FakeTelegram

from common.settings import get_settings

SETTINGS = {
    "access_token": "123:abc",
    "verify": "ana_bot",
    "webhook_url": "https://x.example/webhooks/telegram/webhook",
    "secret_token": "s3cret_-token",
}


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """The channel reads the bot's one settings object; the tests change the environment."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# ------------------------------------------------------------------ splitting


def test_short_text_is_one_message() -> None:
    assert split_text("  Сәлеметсіз бе!  ") == ["Сәлеметсіз бе!"]
    assert split_text("") == []


def test_split_prefers_paragraphs_then_sentences_and_never_cuts_a_word() -> None:
    paragraph = "Қазақстанда тіркелу туралы. " * 60  # ~1700 characters
    text = "\n\n".join([paragraph.strip()] * 4)
    parts = split_text(text, limit=4096)
    assert len(parts) == 2
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert "\n\n".join(parts) == text, "cut at a paragraph break"
    words = text.split()
    assert [w for p in parts for w in p.split()] == words


def test_split_without_breaks_cuts_between_words() -> None:
    text = " ".join(f"слово{n}" for n in range(2000))
    parts = split_text(text, limit=500)
    assert all(utf16_len(p) <= 500 for p in parts)
    assert " ".join(parts) == text


def test_split_counts_utf16_like_telegram_and_only_cuts_a_giant_word() -> None:
    emoji = "🙂" * 3000  # 6000 UTF-16 units, no space anywhere
    parts = split_text(emoji)
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert "".join(parts) == emoji


def test_markdown_characters_are_kept_as_they_are() -> None:
    text = "Law *No. 151-I* [Art. 5] (https://adilet.zan.kz/rus/docs/Z970000151_) _x_ `y`"
    assert split_text(text) == [text]


# ------------------------------------------------------------------ callback data


def test_short_payloads_are_the_callback_data() -> None:
    payloads = CallbackPayloads()
    assert payloads.data_for("/help_menu") == "/help_menu"
    assert payloads.payload_for("/help_menu") == "/help_menu"


def test_long_payloads_get_a_short_id_that_maps_back() -> None:
    payload = '/inform{"citizenship_group": "non_eaeu", "city": "ust-kamenogorsk-and-around"}'
    assert len(payload.encode()) > MAX_CALLBACK_BYTES
    payloads = CallbackPayloads()
    data = payloads.data_for(payload)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert payloads.payload_for(data) == payload
    # another replica, or after a restart: found among the domain's payloads
    assert CallbackPayloads().payload_for(data, ["/x", payload]) == payload
    assert CallbackPayloads().payload_for(data) is None


def test_kazakh_payload_bytes_are_counted_not_characters() -> None:
    payload = '/inform{"city": "Өскемен-Семей-Павлодар"}'  # 41 characters, 58+ bytes
    data = CallbackPayloads().data_for(payload + "ққ")
    assert len(data.encode()) <= MAX_CALLBACK_BYTES


# ------------------------------------------------------------------ commands


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("/start", ["/greet", "/choose_language"]),
        ("/start ref-ngo-1", ["/greet", "/choose_language"]),
        ("/START@ana_bot", ["/greet", "/choose_language"]),
        ("/language", ["/choose_language"]),
        ("/help", ["/help_menu"]),
        ("/human", ["/human_handoff"]),
        ("/forget", ["/forget"]),
        ("/restart", ["/help_menu"]),
        ('/inform{"citizenship_group": "eaeu"}', ["/help_menu"]),
        ("/ как продлить визу", ["как продлить визу"]),
        ("/", ["/help_menu"]),
        ("Как продлить визу?", ["Как продлить визу?"]),
    ],
)
def test_typed_commands_become_intents_and_nothing_else_does(text: str, sent: list[str]) -> None:
    assert TelegramInput._texts_for(text) == sent


def test_metadata_carries_only_the_language_code() -> None:
    assert TelegramInput._metadata({"id": 1, "language_code": "kk", "username": "a"}) == {
        "language_code": "kk"
    }
    assert TelegramInput._metadata({"id": 1}) == {}


# ------------------------------------------------------------------ settings


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, env in (
        ("access_token", "TELEGRAM_ACCESS_TOKEN"),
        ("verify", "TELEGRAM_BOT_USERNAME"),
        ("webhook_url", "TELEGRAM_WEBHOOK_URL"),
        ("secret_token", "TELEGRAM_SECRET_TOKEN"),
    ):
        monkeypatch.setenv(env, SETTINGS[key])
    monkeypatch.delenv("TELEGRAM_API_BASE", raising=False)
    channel = TelegramInput.from_credentials(None)
    assert channel.name() == "telegram"
    assert channel.api_base == "https://api.telegram.org"
    assert channel.secret_token == SETTINGS["secret_token"]
    monkeypatch.setenv("TELEGRAM_API_BASE", "http://127.0.0.1:8081/")
    get_settings.cache_clear()
    assert TelegramInput.from_credentials({}).api_base == "http://127.0.0.1:8081"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"secret_token": ""}, "TELEGRAM_SECRET_TOKEN"),
        ({"secret_token": "has spaces"}, "TELEGRAM_SECRET_TOKEN"),
        ({"access_token": ""}, "TELEGRAM_ACCESS_TOKEN"),
        ({"api_base": "ftp://x"}, "TELEGRAM_API_BASE"),
    ],
)
def test_unsafe_settings_refuse_to_start(
    monkeypatch: pytest.MonkeyPatch, change: dict[str, str], message: str
) -> None:
    for env in ("TELEGRAM_ACCESS_TOKEN", "TELEGRAM_SECRET_TOKEN", "TELEGRAM_API_BASE"):
        monkeypatch.delenv(env, raising=False)
    with pytest.raises(RasaException, match=re.escape(message)):
        TelegramInput.from_credentials({**SETTINGS, **change})


def test_custom_payloads_are_never_sent() -> None:
    channel = TelegramInput.from_credentials(SETTINGS).get_output_channel()
    sent: list[object] = []

    async def record(*args: object, **kwargs: object) -> None:
        sent.append(args)

    channel.send_message = record  # type: ignore[method-assign]
    asyncio.run(
        channel.send_response(
            "7",
            {"text": "Hi", "custom": {"snippet_id": "a.b", "topic": "a.b", "lang": "en"}},
        )
    )
    assert sent == [("7", "Hi")]


# ------------------------------------------------------------------ deleting


def _tracker(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered("Сәлеметсіз бе"))
    tracker.update(SlotSet("language", "kk"))
    return tracker


@pytest.mark.parametrize("kind", ["memory", "sql"])
def test_delete_conversation_removes_only_hers(kind: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    domain = Domain.empty()
    store = (
        InMemoryTrackerStore(domain)
        if kind == "memory"
        else SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    )
    wrapped = FailSafeTrackerStore(store)

    async def scenario() -> None:
        await wrapped.save(_tracker("her"))
        await wrapped.save(_tracker("other"))
        await delete_conversation(wrapped, "her")
        assert await wrapped.retrieve("her") is None or not (await wrapped.retrieve("her")).events
        other = await wrapped.retrieve("other")
        assert other is not None and other.events

    asyncio.run(scenario())


def test_a_store_that_cannot_delete_says_so() -> None:
    class Unknown(TrackerStore):
        pass

    with pytest.raises(ConversationNotDeleted):
        asyncio.run(delete_conversation(Unknown(Domain.empty()), "her"))


# ------------------------------------------------------------------ start-up


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    server = FakeTelegram(SETTINGS["access_token"], SETTINGS["verify"]).start()
    yield server
    server.stop()


def _channel(api_base: str, **change: str) -> TelegramInput:
    return TelegramInput.from_credentials({**SETTINGS, "api_base": api_base, **change})


def test_start_up_checks_the_bot_and_sets_the_webhook_with_the_secret(fake: FakeTelegram) -> None:
    _channel(fake.url)._start_up()
    assert [(c.method, c.params) for c in fake.calls] == [
        ("getMe", {}),
        (
            "setWebhook",
            {
                "url": SETTINGS["webhook_url"],
                "secret_token": SETTINGS["secret_token"],
                "allowed_updates": '["message", "edited_message", "callback_query"]',
            },
        ),
    ]


def test_start_up_refuses_a_token_of_another_bot(fake: FakeTelegram) -> None:
    with pytest.raises(RasaException, match="TELEGRAM_BOT_USERNAME"):
        _channel(fake.url, verify="someone_else_bot")._start_up()
    with pytest.raises(RasaException, match="TELEGRAM_ACCESS_TOKEN"):
        _channel(fake.url, access_token="999:wrong")._start_up()
    assert "setWebhook" not in [c.method for c in fake.calls]


def test_telegram_down_at_start_up_does_not_stop_the_bot(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        _channel("http://127.0.0.1:9")._start_up()  # nothing listens on port 9
    assert "webhook not set" in caplog.text
