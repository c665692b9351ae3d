"""The channel guard (bot/channels/guard.py) with real Rasa objects: the bot's domain, its
response generator and an in-memory tracker store. The channels themselves are tested
end to end in tests/e2e/test_bad_input.py and tests/e2e/test_faults.py."""

from __future__ import annotations

import asyncio
import gc
import re
import socket
from dataclasses import dataclass
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered

from channels import texts
from channels.guard import Guard, clean_text, is_safety
from common.settings import Settings

from .conftest import ROOT

KAZAKH = re.compile("[әғқңөұүһі]", re.IGNORECASE)
DANGER_RU = "муж избил меня, вся в синяках, помогите"


def settings(**change: Any) -> Settings:
    return Settings(**{"service_api_key": "unit-" + "k" * 27, **change})


@dataclass
class Agent:
    """What the guard reads from Rasa's agent: the same classes Rasa builds."""

    domain: Domain
    tracker_store: InMemoryTrackerStore
    nlg: TemplatedNaturalLanguageGenerator


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain"))


@pytest.fixture
def agent(domain: Domain) -> Agent:
    return Agent(
        domain, InMemoryTrackerStore(domain), TemplatedNaturalLanguageGenerator(domain.responses)
    )


def run(coro: Any) -> Any:
    return asyncio.run(coro)


# ------------------------------------------------------------------ text


def test_clean_text_drops_control_characters_and_lone_surrogates() -> None:
    assert clean_text("регистрация\x00\x00 ребёнка\x07\x1b[31m") == "регистрация ребёнка[31m"
    assert clean_text("line one\nline two\ttab\r\n") == "line one\nline two\ttab\r\n"
    assert clean_text("\ud800 hi") == "? hi"
    dari = "سلام، من در قزاقستان کار می‌خواهم"
    assert clean_text(dari) == dari  # right-to-left text and its zero-width joiner stay


def test_a_cry_for_help_is_recognised_in_text_and_in_button_payloads() -> None:
    assert is_safety(DANGER_RU)
    assert is_safety("/safety_trafficking")
    assert not is_safety("как сделать регистрацию ребёнку")
    assert not is_safety("/stay_registration")


def test_channel_texts_are_translated_and_trilingual_when_the_language_is_unknown() -> None:
    kk = texts.translate(texts.TOO_FAST, "kk")
    ru = texts.translate(texts.TOO_FAST, "ru")
    assert KAZAKH.search(kk) and "112" in kk
    assert "подождите" in ru and not KAZAKH.search(ru)
    assert texts.translate(texts.TOO_LONG, "en", limit=4096).count("4096") == 1
    assert texts.translate(texts.TOO_FAST, None) == "\n\n".join(
        [kk, ru, texts.translate(texts.TOO_FAST, "en")]
    )


# ------------------------------------------------------------------ rate limit


def test_the_sender_limit_counts_per_sender_and_never_holds_back_a_cry_for_help() -> None:
    guard = Guard("rest", settings(sender_rate_limit="3/minute"))
    gc.collect()  # the limiter's storage must outlive a collection (limits holds a weakref)
    assert [guard.allowed("a", "привет") for _ in range(4)] == [True, True, True, False]
    assert guard.allowed("b", "привет")  # another sender has her own count
    assert guard.allowed("a", DANGER_RU)  # over the limit, and still answered
    assert not guard.allowed("a", "привет")
    assert Guard("socketio", settings(sender_rate_limit="3/minute")).allowed("a", "привет")


def test_the_sender_limit_lets_her_through_when_its_redis_is_down() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    guard = Guard(
        "rest",
        settings(
            sender_rate_limit="1/minute", sender_rate_limit_storage=f"redis://127.0.0.1:{port}"
        ),
    )
    assert guard.allowed("a", "привет") and guard.allowed("a", "привет")


def test_a_bad_limit_setting_fails_at_start_up() -> None:
    with pytest.raises(ValueError, match="SENDER_RATE_LIMIT"):
        settings(sender_rate_limit="lots")
    with pytest.raises(ValueError, match="SENDER_RATE_LIMIT_STORAGE"):
        settings(sender_rate_limit_storage="mysql://x")


# ------------------------------------------------------------------ handle


def _message(text: str, sender: str = "s1", metadata: dict[str, Any] | None = None) -> UserMessage:
    return UserMessage(
        text, CollectingOutputChannel(), sender, input_channel="rest", metadata=metadata
    )


def _api_down(domain: Domain, lang: str) -> str:
    for variation in domain.responses["utter_api_down"]:
        if any(c.get("value") == lang for c in variation.get("condition") or []):
            return str(variation["text"])
    raise AssertionError(f"no {lang} variation of utter_api_down")


def test_when_rasa_says_nothing_she_hears_it_cannot_answer_in_her_language(
    agent: Agent, domain: Domain
) -> None:
    guard = Guard("rest", settings())
    tracker = agent.tracker_store.init_tracker("s1")
    tracker.update(UserUttered("сәлем"))
    tracker.update(SlotSet("language", "kk"))
    run(agent.tracker_store.save(tracker))
    message = _message("тіркеу туралы")
    output = message.output_channel

    async def silent(_: UserMessage) -> None:  # Rasa when the action server is down
        return None

    run(guard.handle(agent, silent, message))
    assert [m["text"] for m in output.messages] == [_api_down(domain, "kk")]
    assert "112" in output.messages[0]["text"]


def test_no_cannot_answer_when_her_message_went_quietly_to_a_person(agent: Agent) -> None:
    guard = Guard("rest", settings())
    message = _message("и ещё вопрос")
    output = message.output_channel

    async def relayed(msg: UserMessage) -> None:  # what action_relay_to_staff leaves
        tracker = agent.tracker_store.init_tracker("s1")
        tracker.update(UserUttered(msg.text))
        tracker.update(SlotSet("handoff_relayed", True))
        await agent.tracker_store.save(tracker)

    run(guard.handle(agent, relayed, message))
    assert output.messages == []


def test_a_relay_marked_before_her_last_message_does_not_silence_a_failure(
    agent: Agent, domain: Domain
) -> None:
    guard = Guard("rest", settings())
    tracker = agent.tracker_store.init_tracker("s1")
    tracker.update(SlotSet("language", "ru"))
    tracker.update(UserUttered("первое"))
    tracker.update(SlotSet("handoff_relayed", True))
    tracker.update(UserUttered("второе"))  # the action server went down after this one
    run(agent.tracker_store.save(tracker))
    message = _message("второе")
    output = message.output_channel

    async def silent(_: UserMessage) -> None:
        return None

    run(guard.handle(agent, silent, message))
    assert [m["text"] for m in output.messages] == [_api_down(domain, "ru")]


def test_replies_pass_through_and_no_extra_answer_is_added(agent: Agent) -> None:
    guard = Guard("rest", settings())
    message = _message("hello")
    output = message.output_channel

    async def answers(m: UserMessage) -> None:
        await m.output_channel.send_response(m.sender_id, {"text": "Hello!"})

    run(guard.handle(agent, answers, message))
    assert [m["text"] for m in output.messages] == ["Hello!"]


def test_when_rasa_fails_she_still_gets_an_answer_in_the_language_she_asked_for(
    agent: Agent, domain: Domain
) -> None:
    guard = Guard("rest", settings())
    message = _message("регистрация", sender="new", metadata={"lang": "ru"})
    output = message.output_channel

    async def broken(_: UserMessage) -> None:  # the tracker store is down
        raise ConnectionError("connection refused")

    run(guard.handle(agent, broken, message))
    assert [m["text"] for m in output.messages] == [_api_down(domain, "ru")]


def test_over_the_limit_she_is_asked_to_wait_and_rasa_is_not_called(agent: Agent) -> None:
    guard = Guard("rest", settings(sender_rate_limit="1/minute"))
    calls: list[str] = []

    async def record(m: UserMessage) -> None:
        calls.append(m.text or "")
        await m.output_channel.send_response(m.sender_id, {"text": "ok"})

    first, second = (
        _message("привет", metadata={"lang": "ru"}),
        _message("привет", metadata={"lang": "ru"}),
    )
    run(guard.handle(agent, record, first))
    run(guard.handle(agent, record, second))
    danger = _message(DANGER_RU, metadata={"lang": "ru"})
    run(guard.handle(agent, record, danger))
    assert calls == ["привет", DANGER_RU]
    assert [m["text"] for m in second.output_channel.messages] == [
        texts.translate(texts.TOO_FAST, "ru")
    ]


def test_a_too_long_message_is_not_processed(agent: Agent) -> None:
    guard = Guard("socketio", settings(max_message_chars=100))
    message = _message("а" * 101)
    output = message.output_channel

    async def never(_: UserMessage) -> None:
        raise AssertionError("Rasa must not see it")

    run(guard.handle(agent, never, message))
    # Rasa's output channels send each paragraph as a message of its own.
    said = "\n\n".join(m["text"] for m in output.messages)
    assert said == texts.translate(texts.TOO_LONG, None, limit=100)


def test_when_rasa_fails_a_cry_for_help_still_gets_the_emergency_numbers(
    agent: Agent, domain: Domain
) -> None:
    guard = Guard("rest", settings())
    message = _message(DANGER_RU, sender="new", metadata={"lang": "ru"})
    output = message.output_channel

    async def broken(_: UserMessage) -> None:  # the tracker store is down: no NLU ran
        raise ConnectionError("connection refused")

    run(guard.handle(agent, broken, message))
    said = [m["text"] for m in output.messages if "text" in m]
    emergency = next(
        v["text"]
        for v in domain.responses["utter_emergency_domestic_violence"]
        if v.get("text") and any(c.get("value") == "ru" for c in v.get("condition") or [])
    )
    assert said == [emergency, _api_down(domain, "ru")]
    assert "102" in said[0] and "112" in said[0]


def test_when_the_process_is_full_she_is_told_at_once_and_a_cry_for_help_gets_its_numbers(
    agent: Agent, domain: Domain
) -> None:
    guard = Guard("rest", settings(max_messages_in_progress=2))
    other_channel = Guard("socketio", settings(max_messages_in_progress=2))
    release = asyncio.Event()
    calls: list[str] = []

    async def slow(m: UserMessage) -> None:  # Rasa busy with a message
        calls.append(m.text or "")
        await release.wait()
        await m.output_channel.send_response(m.sender_id, {"text": "answer"})

    first, second = _message("один", sender="a"), _message("два", sender="b")
    third = _message("три", sender="c", metadata={"lang": "ru"})
    danger = _message(DANGER_RU, sender="d", metadata={"lang": "ru"})
    later = _message("потом", sender="e")
    # The guard wraps each message's output channel: keep the collectors to read them.
    out = {m.text: m.output_channel for m in (first, third, danger, later)}

    async def scenario() -> None:
        busy = [
            asyncio.create_task(guard.handle(agent, slow, first)),
            asyncio.create_task(other_channel.handle(agent, slow, second)),
        ]
        await asyncio.sleep(0)
        await guard.handle(agent, slow, third)  # the two in progress fill the process
        await guard.handle(agent, slow, danger)
        release.set()
        await asyncio.gather(*busy)
        await guard.handle(agent, slow, later)  # room again

    run(scenario())
    assert calls == ["один", "два", "потом"]
    assert [m["text"] for m in out["три"].messages] == [texts.translate(texts.BUSY, "ru")]
    said = [m["text"] for m in out[DANGER_RU].messages if "text" in m]
    assert "112" in said[0] and said[-1] == texts.translate(texts.BUSY, "ru")
    assert [m["text"] for m in out["один"].messages] == ["answer"]
    assert [m["text"] for m in out["потом"].messages] == ["answer"]


# ------------------------------------------------------------------ Telegram's shape


def _telegram(text: str, sender: str, output: CollectingOutputChannel) -> UserMessage:
    return UserMessage(
        text, output, sender, input_channel="telegram", metadata={"language_code": "kk"}
    )


def test_the_messages_of_one_update_are_counted_once_and_answered_together(
    agent: Agent,
) -> None:
    """/start is two messages to Rasa (greet, choose language): one hit of her limit, one
    check of whether Rasa said anything."""
    guard = Guard("telegram", settings(sender_rate_limit="1/minute"))
    output = CollectingOutputChannel()
    seen: list[str] = []

    async def rasa(m: UserMessage) -> None:
        seen.append(m.text or "")
        if m.text == "/choose_language":
            await m.output_channel.send_response(m.sender_id, {"text": "choose"})

    start = [_telegram(t, "t1", output) for t in ("/greet", "/choose_language")]
    run(guard.handle(agent, rasa, *start))
    assert seen == ["/greet", "/choose_language"]
    assert [m["text"] for m in output.messages] == ["choose"]  # no "cannot answer"
    run(guard.handle(agent, rasa, _telegram("ещё", "t1", output)))  # now over the limit
    assert output.messages[-1]["text"] == texts.translate(texts.TOO_FAST, "kk")


def test_a_telegram_user_is_shed_like_any_other_when_the_process_is_full(
    agent: Agent,
) -> None:
    """Telegram used to queue behind the crowd: it goes through the same guard now."""
    guard = Guard("telegram", settings(max_messages_in_progress=1))
    release = asyncio.Event()

    async def slow(m: UserMessage) -> None:
        await release.wait()
        await m.output_channel.send_response(m.sender_id, {"text": "answer"})

    first, second = CollectingOutputChannel(), CollectingOutputChannel()

    async def scenario() -> None:
        busy = asyncio.create_task(guard.handle(agent, slow, _telegram("бір", "t2", first)))
        await asyncio.sleep(0)
        await guard.handle(agent, slow, _telegram("екі", "t3", second))
        release.set()
        await busy

    run(scenario())
    # Her language from Telegram's hint: nothing else is known of her yet.
    assert [m["text"] for m in second.messages] == [texts.translate(texts.BUSY, "kk")]
    assert [m["text"] for m in first.messages] == ["answer"]
