"""Every action, run on tracker JSON against the real API (started by conftest)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswerTopic
from actions.menus import ActionChooseLanguage, ActionHelpMenu
from actions.referrals import ActionHandoff, ActionLowConfidence, ActionReferrals
from actions.slots import ValidateSlotMappings, group_of


def tracker(
    text: str,
    intent: str,
    *,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "u1",
            "slots": {"language": None, **(slots or {})},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 0.9},
                "entities": entities or [],
                "metadata": metadata or {},
            },
        }
    )


def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def test_answer_sends_snippet_with_contract_payload(use_api: str) -> None:
    messages, events = run(
        ActionAnswerTopic(),
        tracker("Как записать ребенка в школу?", "child_school", slots={"language": "ru"}),
    )
    snippet = messages[0]
    assert snippet["response"] == "utter_snippet"
    assert snippet["custom"] == {
        "snippet_id": "child.school.fixture-enrol",
        "topic": "child.school",
        "lang": "ru",
    }
    assert snippet["snippet_title"] == "Как записать ребенка в школу?"
    assert "egov.kz" in snippet["snippet_sources"]
    assert snippet["snippet_reviewed"] == "2026-11-20"
    assert messages[-1]["response"] == "utter_next_step"
    assert SlotSet("current_topic", "child.school") in events
    assert SlotSet("shown_snippets", ["child.school.fixture-enrol"]) in events


def test_answer_in_kazakh_uses_kazakh_text(use_api: str) -> None:
    messages, _ = run(
        ActionAnswerTopic(), tracker("мектеп", "child_school", slots={"language": "kk"})
    )
    assert messages[0]["custom"]["lang"] == "kk"
    assert "мектепке" in messages[0]["snippet_title"]


def test_topic_that_depends_on_citizenship_asks_once(use_api: str) -> None:
    _, events = run(
        ActionAnswerTopic(), tracker("work permit", "work_eaeu", slots={"language": "en"})
    )
    assert events == [SlotSet("current_topic", "work.eaeu"), FollowupAction("citizenship_form")]
    messages, _ = run(
        ActionAnswerTopic(),
        tracker("work permit", "work_eaeu", slots={"language": "en", "citizenship_group": "eaeu"}),
    )
    assert messages[0]["custom"]["snippet_id"] == "work.eaeu.fixture-no-permit"


def test_more_continues_then_says_that_is_all(use_api: str) -> None:
    slots = {
        "language": "ru",
        "current_topic": "child.school",
        "shown_snippets": ["child.school.fixture-enrol"],
    }
    messages, _ = run(ActionAnswerTopic(), tracker("ещё", "more", slots=slots))
    assert [m["response"] for m in messages] == ["utter_no_more"]


def test_answer_when_api_is_down_says_it_will_be_back(api_down: None) -> None:
    messages, _ = run(
        ActionAnswerTopic(), tracker("школа", "child_school", slots={"language": "ru"})
    )
    assert [m["response"] for m in messages] == ["utter_api_down"]


def test_low_confidence_offers_matching_topics(use_api: str) -> None:
    messages, _ = run(
        ActionLowConfidence(),
        tracker("zapisat rebenka v shkolu", "nlu_fallback", slots={"language": "ru"}),
    )
    assert messages[0]["response"] == "utter_did_you_mean"
    assert messages[0]["buttons"][0] == {
        "title": "Как записать ребенка в школу?",
        "payload": "/child_school",
    }


def test_low_confidence_with_nothing_found_offers_people(use_api: str) -> None:
    messages, _ = run(
        ActionLowConfidence(), tracker("🙂🙂🙂", "nlu_fallback", slots={"language": "en"})
    )
    assert [m["response"] for m in messages] == ["utter_not_understood"]


def test_referrals_show_city_help_first(use_api: str) -> None:
    slots = {"language": "en", "city": "almaty", "current_topic": "legal.aid"}
    messages, _ = run(ActionReferrals(), tracker("who can help", "contacts_referral", slots=slots))
    names = [m.get("referral_name") for m in messages if m["response"] == "utter_referral"]
    assert names == ["Legal aid Almaty"]
    assert messages[-1]["response"] == "utter_next_step"


def test_handoff_gives_contacts_and_emergency_line(use_api: str) -> None:
    messages, _ = run(
        ActionHandoff(),
        tracker(
            "хочу поговорить с человеком",
            "human_handoff",
            slots={"language": "ru", "current_topic": "safety.domestic_violence"},
        ),
    )
    assert messages[0]["response"] == "utter_handoff"
    assert any("112" in m.get("referral_phones", "") for m in messages)


@pytest.mark.parametrize(
    ("text", "slots", "entities", "metadata", "expected"),
    [
        ("Сәлеметсіз бе", {}, [], {}, "kk"),
        ("Здравствуйте", {}, [], {}, "ru"),
        ("Hello", {}, [], {}, "en"),
        ("qalay tirkelemin", {"language": "en"}, [], {}, "kk"),
        ("ok", {"language": "kk"}, [], {}, "kk"),  # too little to tell: keep hers
        ("Hello", {}, [], {"lang": "kk"}, "kk"),  # the channel's explicit choice wins
        ("на русском", {"language": "en"}, [{"entity": "language", "value": "ru"}], {}, "ru"),
        ("/help_menu", {"language": "kk"}, [], {}, "kk"),  # a button says nothing
        ("5", {}, [], {"language_code": "kk"}, "kk"),  # Telegram's hint, when nothing else
    ],
)
def test_language_slot(
    text: str,
    slots: dict[str, Any],
    entities: list[dict[str, Any]],
    metadata: dict[str, Any],
    expected: str,
) -> None:
    t = tracker(text, "greet", slots=slots, entities=entities, metadata=metadata)
    result = asyncio.run(ValidateSlotMappings().extract_language(CollectingDispatcher(), t, {}))
    assert result == {"language": expected}


def test_citizenship_group_from_country() -> None:
    assert group_of("kyrgyzstan") == "eaeu"
    assert group_of("uzbekistan") == "non_eaeu"
    assert group_of("eaeu") == "eaeu"
    assert group_of(None) is None


def test_help_menu_shows_area_or_all() -> None:
    messages, _ = run(
        ActionHelpMenu(),
        tracker("/help_menu", "help_menu", entities=[{"entity": "area", "value": "child"}]),
    )
    assert messages[0]["response"] == "utter_area_child"
    messages, _ = run(ActionHelpMenu(), tracker("menu", "help_menu"))
    assert messages[0]["response"] == "utter_help_menu"


def test_choose_language_confirms_or_offers() -> None:
    messages, _ = run(
        ActionChooseLanguage(),
        tracker("in English", "choose_language", entities=[{"entity": "language", "value": "en"}]),
    )
    assert messages[0]["response"] == "utter_language_set"
    messages, _ = run(ActionChooseLanguage(), tracker("язык", "choose_language"))
    assert messages[0]["response"] == "utter_choose_language"


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        ("rest", {"snippet_id": "s.x.y", "topic": "s.x", "lang": "kk"}),
        (None, {"snippet_id": "s.x.y", "topic": "s.x", "lang": "kk"}),
        ("socketio", {"data": {"snippet_id": "s.x.y", "topic": "s.x", "lang": "kk"}}),
        ("telegram", None),
    ],
)
def test_custom_payload_in_the_form_each_channel_carries(
    channel: str | None, expected: Any
) -> None:
    from actions.answer import custom_payload

    assert custom_payload("s.x.y", "s.x", "kk", channel) == expected


def test_the_api_client_is_kept_within_a_loop_and_renewed_for_a_new_one(use_api: str) -> None:
    from actions import api_client

    async def two_searches() -> tuple[object, object]:
        await api_client.search("patent", "en")
        first = api_client._client()
        await api_client.search("school", "en")
        return first, api_client._client()

    first, second = asyncio.run(two_searches())
    assert first is second
    again, _ = asyncio.run(two_searches())
    assert again is not first
