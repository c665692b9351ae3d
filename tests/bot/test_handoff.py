"""The handoff to a person on the bot side: the actions against the real API (conftest),
and the policy that sends her messages to the person while a handoff is open."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
from babel.dates import format_datetime
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import (
    ActionAnswerWhileWaiting,
    ActionHandoffChoice,
    ActionOpenHandoff,
    ActionRelayToStaff,
    ActionTakeCallbackPhone,
    transcript,
)
from components.handoff_policy import HandoffPolicy

from .conftest import AFTER_HOLIDAYS, KZ, SERVICE_KEY, close_handoff, take_handoff

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
    assert [(e["name"], e["value"]) for e in events] == [
        ("handoff_consent", True),
        ("handoff_id", handoff_id),
        ("handoff_relayed", False),
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
    assert events[1]["name"] == "handoff_id" and events[1]["value"] > 0


def test_api_down_gives_apology_and_numbers_not_a_dead_end(api_down: None) -> None:
    messages, events = _run(ActionOpenHandoff(), _tracker("/affirm", "affirm"))
    assert [m["response"] for m in messages] == ["utter_handoff_unavailable", "utter_api_down"]
    assert events == []  # no promise of a person: the numbers, and she may ask again


def test_relay_passes_her_message_on_and_speaks_only_once(use_api: str) -> None:
    messages, _ = _run(ActionOpenHandoff(), _tracker("/affirm", "affirm"))
    handoff_id = messages[0]["custom"]["handoff_id"]
    slots = {"handoff_id": handoff_id, "handoff_relayed": False}
    first, first_events = _run(
        ActionRelayToStaff(), _tracker("Я жду ответа", "out_of_scope", slots=slots)
    )
    assert [m["response"] for m in first] == ["utter_handoff_relayed"]
    assert [(e["name"], e["value"]) for e in first_events] == [("handoff_relayed", True)]
    slots["handoff_relayed"] = True
    second, second_events = _run(
        ActionRelayToStaff(), _tracker("Позвоните +7 701 123 45 67", "inform", slots=slots)
    )
    # Silent, but marked, so the channel guard knows the silence is on purpose.
    assert second == []
    assert ("handoff_relayed", True) in [(e["name"], e["value"]) for e in second_events]
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


def test_out_of_hours_she_is_told_when_a_person_is_back_and_nothing_opens(
    out_of_hours: str,
) -> None:
    for lang in ("ru", "kk", "en"):
        t = _tracker("/affirm", "affirm", slots={"language": lang})
        messages, events = _run(ActionOpenHandoff(), t)
        [told] = messages
        assert told["response"] == "utter_handoff_closed_hours"
        back = dt.datetime.combine(AFTER_HOLIDAYS, dt.time(9), KZ)
        assert told["when"] == format_datetime(back, "EEEE, d MMMM, HH:mm", tzinfo=KZ, locale=lang)
        assert told["when"].endswith("09:00")
        assert [(e["name"], e["value"]) for e in events] == [("handoff_consent", True)]


def test_in_hours_with_nobody_free_she_is_told_so(nobody_available: str) -> None:
    messages, events = _run(ActionOpenHandoff(), _tracker("/affirm", "affirm"))
    assert [m["response"] for m in messages] == ["utter_handoff_nobody_now"]
    assert "handoff_id" not in [e["name"] for e in events]


def test_a_message_for_later_opens_as_waiting_for_hours(nobody_available: str) -> None:
    slots = {"handoff_consent": True}
    t = _tracker("/handoff_leave_message", "handoff_leave_message", slots=slots, events=HISTORY)
    messages, events = _run(ActionHandoffChoice(), t)
    assert [m["response"] for m in messages] == ["utter_handoff_message_left"]
    handoff_id = messages[0]["custom"]["handoff_id"]
    stored = _handoff(nobody_available, handoff_id)
    assert (stored["status"], stored["mode"]) == ("open", "message")
    assert ("handoff_id", handoff_id) in [(e["name"], e["value"]) for e in events]


def test_a_callback_asks_the_number_then_opens_with_it(use_api: str) -> None:
    slots: dict[str, Any] = {"handoff_consent": True}
    asked, events = _run(
        ActionHandoffChoice(), _tracker("/handoff_callback", "handoff_callback", slots=slots)
    )
    assert [m["response"] for m in asked] == ["utter_ask_callback_phone"]
    assert [(e["name"], e["value"]) for e in events] == [("callback_phone_asked", True)]
    slots["callback_phone_asked"] = True
    wrong, events = _run(ActionTakeCallbackPhone(), _tracker("12-34", "inform", slots=slots))
    assert [m["response"] for m in wrong] == ["utter_callback_phone_invalid"]
    slots["callback_retried"] = True
    taken, events = _run(
        ActionTakeCallbackPhone(), _tracker("+7 701 123 45 67", "inform", slots=slots)
    )
    assert [m["response"] for m in taken] == ["utter_handoff_callback_taken"]
    handoff_id = next(e["value"] for e in events if e["name"] == "handoff_id")
    stored = _handoff(use_api, handoff_id)
    assert stored["mode"] == "callback"
    assert "701 123 45 67" not in str(stored)  # never in her messages; masked in lists
    assert ("callback_phone_asked", False) in [(e["name"], e["value"]) for e in events]


def test_a_callback_without_a_number_is_dropped_not_stuck(use_api: str) -> None:
    slots = {"handoff_consent": True, "callback_phone_asked": True}
    messages, events = _run(
        ActionTakeCallbackPhone(), _tracker("а где школа?", "child_school", slots=slots)
    )
    assert [m["response"] for m in messages] == ["utter_callback_cancelled"]
    assert ("callback_phone_asked", False) in [(e["name"], e["value"]) for e in events]
    assert "handoff_id" not in [e["name"] for e in events]


@pytest.mark.parametrize(
    ("intent", "slots", "said", "events"),
    [
        ("handoff_lines", {}, ["utter_handoff_lines"], []),
        # nothing left to wait for (she went back to the bot): she is told so
        (
            "handoff_wait",
            {"handoff_consent": True},
            ["utter_handoff_back", "utter_help_menu"],
            [("handoff_id", None), ("handoff_relayed", None)],
        ),
        (
            "handoff_back",
            {"handoff_id": 7},
            ["utter_handoff_left_queue", "utter_help_menu"],
            [("handoff_id", None), ("handoff_relayed", None)],
        ),
        # a button from an old conversation: she is asked before anyone reads hers
        ("handoff_leave_message", {}, ["utter_handoff_consent"], []),
        ("handoff_callback", {}, ["utter_handoff_consent"], []),
    ],
)
def test_her_choices_while_nobody_can_answer(
    use_api: str, intent: str, slots: dict[str, Any], said: list[str], events: list[Any]
) -> None:
    messages, got = _run(ActionHandoffChoice(), _tracker(f"/{intent}", intent, slots=slots))
    assert [m["response"] for m in messages] == said
    assert [(e["name"], e["value"]) for e in got] == events


def test_keep_waiting_asks_the_api_whether_her_conversation_still_waits(use_api: str) -> None:
    """The button stays on her screen after staff or the sweep closed the conversation:
    tapped then, it must not promise a person who will not come."""
    messages, _ = _run(ActionOpenHandoff(), _tracker("/affirm", "affirm"))
    slots = {"handoff_id": messages[0]["custom"]["handoff_id"], "handoff_consent": True}
    wait = _tracker("/handoff_wait", "handoff_wait", slots=slots)
    waiting, events = _run(ActionHandoffChoice(), wait)
    assert [m["response"] for m in waiting] == ["utter_handoff_waiting"] and events == []
    close_handoff(slots["handoff_id"])
    ended, events = _run(ActionHandoffChoice(), wait)
    assert [m["response"] for m in ended] == ["utter_handoff_back", "utter_help_menu"]
    assert [(e["name"], e["value"]) for e in events] == [
        ("handoff_id", None),
        ("handoff_relayed", None),
    ]
    # Purged since (the API no longer knows it): the same.
    gone = _tracker("/handoff_wait", "handoff_wait", slots={**slots, "handoff_id": 999_999})
    assert [m["response"] for m in _run(ActionHandoffChoice(), gone)[0]] == [
        "utter_handoff_back",
        "utter_help_menu",
    ]


def test_keep_waiting_with_the_api_down_keeps_what_she_was_told(api_down: None) -> None:
    wait = _tracker("/handoff_wait", "handoff_wait", slots={"handoff_id": 7})
    messages, events = _run(ActionHandoffChoice(), wait)
    assert [m["response"] for m in messages] == ["utter_handoff_waiting"] and events == []


def test_a_question_while_she_waits_is_answered_and_the_person_sees_it(use_api: str) -> None:
    messages, _ = _run(ActionOpenHandoff(), _tracker("/affirm", "affirm"))
    handoff_id = messages[0]["custom"]["handoff_id"]
    slots = {"handoff_id": handoff_id, "handoff_relayed": True}
    asked = "Как записать ребенка в школу?"
    answered, _ = _run(ActionAnswerWhileWaiting(), _tracker(asked, "child_school", slots=slots))
    assert answered[0]["response"] == "utter_snippet"
    assert answered[0]["custom"]["topic"] == "child.school"
    assert [m["text"] for m in _handoff(use_api, handoff_id)["messages"]][-1] == asked
    # once a person has taken it, the person answers: the bot stays quiet
    take_handoff(handoff_id)
    quiet, events = _run(ActionAnswerWhileWaiting(), _tracker(asked, "child_school", slots=slots))
    assert quiet == []
    assert [(e["name"], e["value"]) for e in events] == [("handoff_relayed", True)]


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


def _said(
    text: str,
    intent: str,
    handoff_id: int | None = 4,
    *,
    confidence: float = 0.9,
    slots: dict[str, Any] | None = None,
    **parse: Any,
) -> list[Any]:
    user = UserUttered(text, intent={"name": intent, "confidence": confidence}, parse_data=None)
    user.parse_data.update(parse)  # type: ignore[attr-defined]
    return [
        ActionExecuted(ACTION_LISTEN_NAME),
        SlotSet("handoff_id", handoff_id),
        *(SlotSet(name, value) for name, value in (slots or {}).items()),
        ActionExecuted(ACTION_LISTEN_NAME),
        user,
    ]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Здравствуйте, вы тут?", "greet"),
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


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "expected"),
    [
        # understood: to the person, and answered until a person has taken it
        ("как записать ребенка в школу", "child_school", 0.9, "action_answer_while_waiting"),
        ("регистрация после приезда", "stay_registration", 0.85, "action_answer_while_waiting"),
        # unsure, a greeting, a button, or an emergency the detector did not hear: the person
        ("школа?", "child_school", 0.5, "action_relay_to_staff"),
        ("вы тут?", "greet", 0.95, "action_relay_to_staff"),
        ("/child_school", "child_school", 1.0, "action_relay_to_staff"),
        (
            "мой номер 8 701 000 00 00, регистрация",
            "health_emergency",
            0.9,
            "action_relay_to_staff",
        ),
        ("потеряла паспорт", "safety_lost_documents", 0.9, "action_relay_to_staff"),
    ],
)
def test_questions_the_bot_understands_are_answered_while_she_waits(
    domain: Domain, text: str, intent: str, confidence: float, expected: str | None
) -> None:
    events = _said(text, intent, confidence=confidence)
    assert _predict(domain, events) == expected
    answered = [*events, ActionExecuted("action_answer_while_waiting")]
    assert _predict(domain, answered) == ACTION_LISTEN_NAME


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("+7 701 123 45 67", "inform", "action_take_callback_phone"),
        ("8 701 1234567", "out_of_scope", "action_take_callback_phone"),
        ("/help_menu", "help_menu", None),  # she moved on with a button
        ("муж идёт, он меня убьёт", "out_of_scope", None),  # alarm: the emergency first
    ],
)
def test_after_call_me_back_her_next_message_is_the_number(
    domain: Domain, text: str, intent: str, expected: str | None
) -> None:
    parse = {"safety_alarm": "domestic_violence"} if "убьёт" in text else {}
    events = _said(text, intent, None, slots={"callback_phone_asked": True}, **parse)
    assert _predict(domain, events) == expected
    taken = [*events, ActionExecuted("action_take_callback_phone")]
    assert _predict(domain, taken) == ACTION_LISTEN_NAME


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
