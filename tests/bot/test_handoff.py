"""The handoff to a person on the bot side: the actions against the real API (conftest),
and the policy that sends her messages to the person while a handoff is open."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionOpenHandoff, ActionRelayToStaff, transcript
from components.handoff_policy import HandoffPolicy

from .conftest import SERVICE_KEY

BOT = Path(__file__).resolve().parents[2] / "bot"


def _tracker(
    text: str,
    intent: str,
    *,
    channel: str = "rest",
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
) -> Tracker:
    history = events or []
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    return Tracker.from_dict(
        {
            "sender_id": "handoff-sender-0001",
            "slots": {"language": "ru", **(slots or {})},
            "events": [*history, {"event": "user", "text": text, "input_channel": channel}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
            "latest_message": latest,
        }
    )


def _run(action: Any, tracker: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


HISTORY = [
    {"event": "user", "text": "Хозяйка не делает регистрацию", "input_channel": "rest"},
    {"event": "bot", "text": "Регистрацию делает принимающая сторона."},
    {"event": "user", "text": "/human_handoff", "input_channel": "rest"},
    {"event": "bot", "text": "Я могу передать этот разговор сотруднику…"},
    {"event": "user", "text": "Да, мой номер 8 701 123 45 67", "input_channel": "rest"},
]


def test_transcript_keeps_texts_not_payloads() -> None:
    items = transcript(_tracker("/affirm", "affirm", events=HISTORY))
    assert [i["author"] for i in items] == ["user", "bot", "bot", "user"]
    assert items[0]["text"] == "Хозяйка не делает регистрацию"
    assert all(not i["text"].startswith("/") for i in items)
    assert len(transcript(_tracker("x", "affirm", events=HISTORY * 5))) == 10


def _handoff(api_url: str, handoff_id: int) -> dict[str, Any]:
    response = httpx.get(
        f"{api_url}/v1/handoffs/{handoff_id}", headers={"X-Service-Key": SERVICE_KEY}
    )
    assert response.status_code == 200
    return dict(response.json())


def test_consent_opens_the_handoff_and_tells_the_widget(use_api: str) -> None:
    messages, events = _run(ActionOpenHandoff(), _tracker("/affirm", "affirm", events=HISTORY))
    [opened] = messages
    assert opened["response"] == "utter_handoff_opened"
    handoff_id = opened["custom"]["handoff_id"]
    assert opened["custom"] == {"handoff_id": handoff_id, "lang": "ru"}
    assert events == [
        {"event": "slot", "timestamp": None, "name": "handoff_id", "value": handoff_id},
        {"event": "slot", "timestamp": None, "name": "handoff_relayed", "value": False},
    ]
    stored = _handoff(use_api, handoff_id)
    assert (stored["status"], stored["channel"], stored["lang"]) == ("open", "rest", "ru")
    assert stored["messages"][-1] == {
        **stored["messages"][-1],
        "author": "user",
        "text": "Да, мой номер [phone]",
    }


def test_on_socketio_the_payload_is_wrapped_and_on_telegram_absent(use_api: str) -> None:
    web, _ = _run(ActionOpenHandoff(), _tracker("/affirm", "affirm", channel="socketio"))
    assert set(web[0]["custom"]) == {"data"}
    assert web[0]["custom"]["data"]["lang"] == "ru"
    telegram, events = _run(ActionOpenHandoff(), _tracker("/affirm", "affirm", channel="telegram"))
    assert telegram[0]["response"] == "utter_handoff_opened"
    assert not telegram[0].get("custom")  # Telegram users never see the payload
    assert events[0]["name"] == "handoff_id" and events[0]["value"] > 0


def test_api_down_gives_apology_and_numbers_not_a_dead_end(api_down: None) -> None:
    messages, events = _run(ActionOpenHandoff(), _tracker("/affirm", "affirm"))
    assert [m["response"] for m in messages] == ["utter_handoff_unavailable", "utter_api_down"]
    assert events == []


def test_relay_passes_her_message_on_and_speaks_only_once(use_api: str) -> None:
    messages, _ = _run(ActionOpenHandoff(), _tracker("/affirm", "affirm"))
    handoff_id = messages[0]["custom"]["handoff_id"]
    slots = {"handoff_id": handoff_id, "handoff_relayed": False}
    first, first_events = _run(
        ActionRelayToStaff(), _tracker("Я жду ответа", "out_of_scope", slots=slots)
    )
    assert [m["response"] for m in first] == ["utter_handoff_relayed"]
    assert first_events == [
        {"event": "slot", "timestamp": None, "name": "handoff_relayed", "value": True}
    ]
    slots["handoff_relayed"] = True
    second, second_events = _run(
        ActionRelayToStaff(), _tracker("Позвоните +7 701 123 45 67", "inform", slots=slots)
    )
    # Silent, but marked, so the channel guard knows the silence is on purpose.
    assert (second, second_events) == (
        [],
        [{"event": "slot", "timestamp": None, "name": "handoff_relayed", "value": True}],
    )
    texts = [m["text"] for m in _handoff(use_api, handoff_id)["messages"]]
    assert texts[-2:] == ["Я жду ответа", "Позвоните [phone]"]


def test_relay_after_the_handoff_is_gone_brings_the_bot_back(use_api: str) -> None:
    slots = {"handoff_id": 2_000_000, "handoff_relayed": True}
    messages, events = _run(ActionRelayToStaff(), _tracker("алло", "greet", slots=slots))
    assert [m["response"] for m in messages] == ["utter_handoff_back", "utter_help_menu"]
    assert [(e["name"], e["value"]) for e in events] == [
        ("handoff_id", None),
        ("handoff_relayed", None),
    ]


def test_relay_with_api_down_says_so(api_down: None) -> None:
    slots = {"handoff_id": 5, "handoff_relayed": True}
    messages, events = _run(ActionRelayToStaff(), _tracker("алло", "greet", slots=slots))
    assert [m["response"] for m in messages] == ["utter_handoff_relay_failed"]
    assert events == []


# --- Policy ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(BOT / "domain"))


def _predict(domain: Domain, events: list[Any]) -> str | None:
    tracker = DialogueStateTracker.from_events("s", events, domain.slots)
    policy = HandoffPolicy({"priority": 7}, None, None, _Context())  # type: ignore[arg-type]
    prediction = policy.predict_action_probabilities(tracker, domain)
    if prediction.max_confidence == 0:
        return None
    assert prediction.max_confidence == 1.0 and prediction.policy_priority == 7
    return domain.action_names_or_texts[prediction.max_confidence_index]


class _Context:
    is_finetuning = False


def _said(text: str, intent: str, handoff_id: int | None = 4, **parse: Any) -> list[Any]:
    user = UserUttered(text, intent={"name": intent, "confidence": 0.9}, parse_data=None)
    user.parse_data.update(parse)  # type: ignore[attr-defined]
    return [
        ActionExecuted(ACTION_LISTEN_NAME),
        SlotSet("handoff_id", handoff_id),
        ActionExecuted(ACTION_LISTEN_NAME),
        user,
    ]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Здравствуйте, вы тут?", "greet"),
        ("как записать в школу", "child_school"),
        ("/human_handoff", "human_handoff"),
        ("ээээ", "nlu_fallback"),
        # The classifier alone, without the detector's alarm: the person answers.
        ("Хозяйка не делает регистрацию, мой номер 8 701 000 00 00", "health_emergency"),
        ("потеряла паспорт", "safety_lost_documents"),
    ],
)
def test_during_a_handoff_her_messages_go_to_the_person(
    domain: Domain, text: str, intent: str
) -> None:
    assert _predict(domain, _said(text, intent)) == "action_relay_to_staff"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("/safety_domestic_violence", "safety_domestic_violence"),
        ("/health_emergency", "health_emergency"),
        ("/forget", "forget"),
        ("забудь меня", "forget"),
        ("/greet", "greet"),
        ('/choose_language{"language": "kk"}', "choose_language"),
        ("на русском", "choose_language"),
    ],
)
def test_buttons_and_chat_commands_keep_their_answer(
    domain: Domain, text: str, intent: str
) -> None:
    assert _predict(domain, _said(text, intent)) is None


@pytest.mark.parametrize(
    ("text", "intent", "alarm"),
    [
        ("муж меня бьёт", "safety_domestic_violence", "domestic_violence"),
        ("забрали паспорт", "safety_trafficking", "trafficking"),
        ("ребенок не дышит", "health_emergency", "medical_emergency"),
        ("он меня убьёт", "out_of_scope", "domestic_violence"),
    ],
)
def test_a_cry_for_help_keeps_its_answer(
    domain: Domain, text: str, intent: str, alarm: str
) -> None:
    assert _predict(domain, _said(text, intent, safety_alarm=alarm)) is None


def test_without_a_handoff_the_policy_stays_out(domain: Domain) -> None:
    assert _predict(domain, _said("как записать в школу", "child_school", None)) is None


def test_after_relaying_it_listens(domain: Domain) -> None:
    events = [*_said("алло", "greet"), ActionExecuted("action_relay_to_staff")]
    assert _predict(domain, events) == ACTION_LISTEN_NAME


def test_no_slot_is_filled_by_running_an_action_every_turn(domain: Domain) -> None:
    """A custom mapping with `action:` makes action_extract_slots run that action on every
    message: it would open a handoff (and relay) before she even agreed, or answer the
    last topic again under every message."""
    for slot in domain.slots:
        assert all("action" not in mapping for mapping in slot.mappings), slot.name
