"""Every action, run on tracker JSON against the real API (started by conftest)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswerTopic, choose
from actions.cities import city_in_words
from actions.menus import ActionChooseLanguage, ActionHelpMenu
from actions.referrals import ActionHandoff, ActionLowConfidence, ActionReferrals
from actions.slots import ValidateSlotMappings, group_in_words, group_of


def tracker(
    text: str,
    intent: str,
    *,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    ranking: list[tuple[str, float]] | None = None,
    events: list[dict[str, Any]] | None = None,
) -> Tracker:
    confidence = ranking[0][1] if ranking else 0.9
    return Tracker.from_dict(
        {
            "sender_id": "u1",
            "slots": {"language": None, **(slots or {})},
            "events": events or [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": confidence},
                "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking or []],
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


def test_topic_that_depends_on_citizenship_asks_once_and_keeps_her_question(
    use_api: str,
) -> None:
    _, events = run(
        ActionAnswerTopic(), tracker("work permit", "work_eaeu", slots={"language": "en"})
    )
    assert events == [
        SlotSet("current_topic", "work.eaeu"),
        SlotSet("question", "work permit"),
        FollowupAction("citizenship_form"),
    ]
    # The form's answer is a button: her question comes back from the slot.
    slots = {
        "language": "en",
        "citizenship_group": "eaeu",
        "question": "work permit",
        "current_topic": "work.eaeu",
    }
    messages, events = run(
        ActionAnswerTopic(),
        tracker('/inform{"citizenship_group": "eaeu"}', "inform", slots=slots),
    )
    assert messages[0]["custom"]["snippet_id"] == "work.eaeu.fixture-no-permit"
    assert SlotSet("question", "work permit") in events


def test_the_source_line_is_in_her_language(use_api: str) -> None:
    messages, _ = run(
        ActionAnswerTopic(), tracker("школа", "child_school", slots={"language": "ru"})
    )
    assert messages[0]["snippet_sources"] == (
        "Портал электронного правительства, https://egov.kz/cms/en/services/mon-197-205"
    )


def test_one_answer_sent_and_her_second_question_offered_by_its_title(use_api: str) -> None:
    """Two questions in one message, the classifier unsure between them: the best answer
    is sent, the other question's answer offered as a button."""
    t = tracker(
        "как записать ребенка в школу и нужна ли регистрация",
        "child_school",
        slots={"language": "ru"},
        ranking=[("child_school", 0.5), ("stay_registration", 0.4), ("greet", 0.1)],
    )
    messages, _ = run(ActionAnswerTopic(), t)
    assert [m["response"] for m in messages] == ["utter_snippet", "utter_next_step_also"]
    shown = messages[0]["custom"]["snippet_id"]
    offered = messages[1]["also_payload"]
    assert {shown, offered.split('"')[3]} == {
        "child.school.fixture-enrol",
        "stay.registration.fixture-host-notifies",
    }
    assert messages[1]["also_title"] in {
        "Как записать ребенка в школу?",
        "Нужна ли регистрация после приезда?",
    }


def test_the_offered_answer_is_sent_when_she_taps_it(use_api: str) -> None:
    slots = {"language": "en", "current_topic": "child.school", "shown_snippets": []}
    entities = [{"entity": "snippet", "value": "stay.registration.fixture-host-notifies"}]
    messages, events = run(
        ActionAnswerTopic(), tracker("/more", "more", slots=slots, entities=entities)
    )
    assert messages[0]["custom"]["snippet_id"] == "stay.registration.fixture-host-notifies"
    assert SlotSet("current_topic", "stay.registration") in events


def _snippet(sid: str, topic: str, groups: list[str]) -> dict[str, Any]:
    return {"snippet_id": sid, "topic": topic, "applies_to": groups}


def test_choose_asks_citizenship_only_when_the_best_answer_depends_on_it() -> None:
    both, eaeu, other = (
        _snippet("w.a", "work.rights", ["eaeu", "non_eaeu"]),
        _snippet("w.b", "work.rights", ["eaeu"]),
        _snippet("w.c", "work.rights", ["non_eaeu"]),
    )
    # her words found the snippet true for everyone: no question
    choice = choose([eaeu, both, other], {"w.a": 0, "w.b": 1}, "work.rights", None, [])
    assert (choice.best, choice.ask_group) == (both, False)
    # her words found one for one group only: ask
    choice = choose([eaeu, both, other], {"w.b": 0}, "work.rights", None, [])
    assert choice.ask_group
    # known group: the snippets of the other group are never chosen nor offered
    choice = choose([eaeu, both, other], {"w.b": 0}, "work.rights", "non_eaeu", [])
    assert choice.best == other or choice.best == both
    assert eaeu not in (choice.best, choice.also)


def test_choose_never_asks_before_an_urgent_answer() -> None:
    only_eaeu = _snippet("h.e.x", "health.emergency", ["eaeu"])
    for_all = _snippet("h.e.y", "health.emergency", ["eaeu", "non_eaeu"])
    choice = choose([only_eaeu, for_all], {"h.e.x": 0}, "health.emergency", None, [], True)
    assert (choice.best, choice.ask_group) == (for_all, False)
    # a question about emergency care, no alarm: her group decides the answer
    choice = choose([only_eaeu, for_all], {"h.e.x": 0}, "health.emergency", None, [])
    assert choice.ask_group


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("я узбечка, как получить патент", "non_eaeu"),
        ("Мы из Кыргызстана", "eaeu"),
        ("I'm Kyrgyz, do I need a permit", "eaeu"),
        ("uzbek citizen work permit", "non_eaeu"),
        ("Өзбекстан азаматшасымын", "non_eaeu"),
        ("қырғызбын жұмыс рұқсаты керек пе", "eaeu"),
        ("ЕАЭС гражданам нужна регистрация?", "eaeu"),
        ("гражданка РФ", "eaeu"),
        ("кандаспын, тіркелу керек пе", "non_eaeu"),
        ("на русском пожалуйста", None),  # a language, not a passport
        ("russian courses for adults", None),
        ("я из России, муж узбек", None),  # both: not a guess
        ("/inform", None),
    ],
)
def test_citizenship_group_from_her_words(text: str, group: str | None) -> None:
    assert group_in_words(text) == group


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


def test_low_confidence_answers_a_strong_match_in_her_language(use_api: str) -> None:
    messages, events = run(
        ActionLowConfidence(),
        tracker("zapisat rebenka v shkolu", "nlu_fallback", slots={"language": "ru"}),
    )
    assert messages[0]["response"] == "utter_snippet"
    assert messages[0]["custom"]["snippet_id"] == "child.school.fixture-enrol"
    assert SlotSet("question", "zapisat rebenka v shkolu") in events


def test_low_confidence_offers_matching_topics(use_api: str) -> None:
    """A match in another language than hers is a guess: offered, in her language."""
    messages, events = run(
        ActionLowConfidence(),
        tracker("zapisat rebenka v shkolu", "nlu_fallback", slots={"language": "en"}),
    )
    assert messages[0]["response"] == "utter_did_you_mean"
    assert messages[0]["buttons"][0] == {
        "title": "How do I enrol my child in school?",
        "payload": "/child_school",
    }
    assert SlotSet("question", "zapisat rebenka v shkolu") in events


def test_low_confidence_with_nothing_found_offers_people(use_api: str) -> None:
    messages, _ = run(
        ActionLowConfidence(), tracker("🙂🙂🙂", "nlu_fallback", slots={"language": "en"})
    )
    assert [m["response"] for m in messages] == ["utter_not_understood"]


def _referrals(messages: list[dict[str, Any]]) -> list[str]:
    return [m["referral_name"] for m in messages if m["response"] == "utter_referral"]


def test_referrals_show_city_help_first(use_api: str) -> None:
    slots = {"language": "en", "city": "almaty", "current_topic": "legal.aid"}
    messages, events = run(
        ActionReferrals(), tracker("who can help", "contacts_referral", slots=slots)
    )
    assert _referrals(messages) == ["Legal aid Almaty", "Refugee help Almaty"]
    assert messages[0]["response"] == "utter_referrals_intro"
    assert messages[0]["custom"] == {
        "topic": "contacts.referral",
        "referral_ids": ["fixture-almaty-legal", "fixture-almaty-refugee"],
        "lang": "en",
    }
    assert messages[-1]["response"] == "utter_next_step"
    assert SlotSet("referrals_shown", ["fixture-almaty-legal", "fixture-almaty-refugee"]) in events


def test_referral_is_one_short_message_with_dialable_phones(use_api: str) -> None:
    slots = {"language": "ru", "city": "shymkent", "current_topic": "safety.domestic_violence"}
    messages, _ = run(ActionReferrals(), tracker("куда идти", "contacts_referral", slots=slots))
    first = next(m for m in messages if m["response"] == "utter_referral")
    assert first["referral_name"] == "Кризисный центр Шымкент"
    assert first["referral_contacts"].split("\n") == [
        "+7 700 000 00 02 – Телефон",
        "Шымкент, Первая улица 1",
        "Круглосуточно",
    ]


def test_violence_in_her_city_names_the_crisis_centre_then_111_then_police(use_api: str) -> None:
    slots = {"language": "kk", "city": "shymkent", "current_topic": "safety.domestic_violence"}
    messages, _ = run(ActionReferrals(), tracker("көмек", "contacts_referral", slots=slots))
    assert messages[0]["custom"]["referral_ids"] == [
        "fixture-shymkent-crisis",
        "fixture-111",
        "emergency",
    ]


def test_a_town_without_help_says_where_the_help_is(use_api: str) -> None:
    slots = {"language": "ru", "city": "temirtau", "current_topic": "safety.domestic_violence"}
    messages, _ = run(ActionReferrals(), tracker("помогите", "contacts_referral", slots=slots))
    assert messages[0]["response"] == "utter_referrals_near"
    assert (messages[0]["city"], messages[0]["near"]) == ("Темиртау", "Караганда")
    assert _referrals(messages)[0] == "Кризисный центр Караганда"
    slots["city"] = "astana"
    messages, _ = run(ActionReferrals(), tracker("помогите", "contacts_referral", slots=slots))
    assert messages[0]["response"] == "utter_referrals_nationwide"
    assert messages[0]["city"] == "Астана"


def test_more_organisations_gives_the_next_ones(use_api: str) -> None:
    slots = {"language": "en", "city": "almaty", "current_topic": "safety.trafficking"}
    messages, events = run(ActionReferrals(), tracker("help", "contacts_referral", slots=slots))
    assert len(_referrals(messages)) == 3
    assert messages[-1]["response"] == "utter_referrals_more"
    shown = next(e["value"] for e in events if e["name"] == "referrals_shown")
    slots["referrals_shown"] = shown
    messages, events = run(
        ActionReferrals(), tracker("/more_referrals", "more_referrals", slots=slots)
    )
    assert _referrals(messages) == ["Refugee help Almaty"]
    assert messages[-1]["response"] == "utter_next_step"
    assert SlotSet("referrals_shown", [*shown, "fixture-almaty-refugee"]) in events


def test_city_unknown_is_asked_once_with_buttons(use_api: str) -> None:
    slots = {"language": "kk", "current_topic": "legal.aid"}
    messages, events = run(
        ActionReferrals(), tracker("кім көмектеседі", "contacts_referral", slots=slots)
    )
    assert [m["response"] for m in messages] == ["utter_ask_city"]
    assert events == [SlotSet("city_asked", True)]
    # asked already, and she did not say: the nationwide lines, not the question again
    slots["city_asked"] = True
    messages, _ = run(
        ActionReferrals(), tracker("кім көмектеседі", "contacts_referral", slots=slots)
    )
    assert "utter_ask_city" not in [m["response"] for m in messages]
    # "another city": nationwide help, no question
    slots.update(city="other", current_topic="safety.domestic_violence")
    messages, _ = run(
        ActionReferrals(), tracker("/contacts_referral", "contacts_referral", slots=slots)
    )
    assert messages[0]["response"] == "utter_referrals_intro"
    assert messages[0]["custom"]["referral_ids"][:2] == ["fixture-111", "emergency"]


def test_in_danger_the_help_comes_before_the_city_question(use_api: str) -> None:
    t = tracker(
        "он меня бьёт, куда бежать с детьми",
        "contacts_referral",
        slots={"language": "ru", "current_topic": "safety.domestic_violence"},
    )
    t.latest_message["safety_alarm"] = "domestic_violence"
    messages, events = run(ActionReferrals(), t)
    responses = [m["response"] for m in messages]
    assert responses[0] == "utter_referrals_intro"
    assert responses[-1] == "utter_ask_city"
    assert messages[0]["custom"]["referral_ids"][0] == "fixture-111"
    assert SlotSet("city_asked", True) in events


def test_a_typed_city_answers_the_city_question(use_api: str) -> None:
    asked = {"event": "bot", "text": "Which city?", "metadata": {"utter_action": "utter_ask_city"}}
    slots = {"language": "ru", "city": "shymkent", "city_asked": True}
    slots["current_topic"] = "safety.domestic_violence"
    t = tracker("Шымкент", "nlu_fallback", slots=slots, events=[asked])
    messages, _ = run(ActionLowConfidence(), t)
    assert _referrals(messages)[0] == "Кризисный центр Шымкент"


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("Шымкентте күйеуім ұрады, балалармен қайда барамын", "shymkent"),
        ("muzh b'et, ya v shymkente, kuda idti", "shymkent"),
        ("in Almaty who helps migrant women", "almaty"),
        ("живу в Караганде с детьми", "karaganda"),
        ("Қарағандыда тұрамын", "karaganda"),
        ("Karagandy, need a lawyer", "karaganda"),
        ("я в Семее", "semey"),
        ("Оралда тұрамын", "oral"),
        ("Усть-Каменогорск, нужен юрист", "oskemen"),
        ("Өскемендемін", "oskemen"),
        ("Нур-Султан, приют", "astana"),
        ("Ақтөбеде тұрамыз", "aktobe"),
        ("Туркестанда", "turkestan"),
        # words that are not cities
        ("для семей с детьми", None),
        ("он орал на меня", None),
        ("мы из Туркменистана", None),
        ("oral exam at school", None),
    ],
)
def test_city_in_her_words(text: str, city: str | None) -> None:
    assert city_in_words(text) == city


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
    assert any("112" in m.get("referral_contacts", "") for m in messages)


def test_handoff_with_the_api_down_still_names_numbers_that_need_no_api(api_down: None) -> None:
    messages, _ = run(
        ActionHandoff(),
        tracker("хочу поговорить с человеком", "human_handoff", slots={"language": "ru"}),
    )
    # "call these numbers" must be followed by numbers, even when the contacts cannot be read
    assert [m["response"] for m in messages] == ["utter_handoff", "utter_api_down"]


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
        # Kazakh and Russian in Latin letters are not English (2026-12-07)
        ("kursy dlya migrantov v astane", {}, [], {}, "ru"),
        ("detskiy sad bez iin mojno", {}, [], {}, "ru"),
        ("balabaqsha kezek", {}, [], {}, "kk"),
        ("tajikpin ayaghym auyr UZI tegin be", {}, [], {}, "kk"),
        ("school documents for my son", {}, [], {}, "en"),
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
    from actions.payload import custom_payload

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


def test_an_offered_answer_retired_since_gives_the_best_of_her_topic(use_api: str) -> None:
    slots = {"language": "en", "current_topic": "child.school", "shown_snippets": []}
    entities = [{"entity": "snippet", "value": "child.school.retired-since"}]
    messages, _ = run(ActionAnswerTopic(), tracker("/more", "more", slots=slots, entities=entities))
    assert messages[0]["custom"]["snippet_id"] == "child.school.fixture-enrol"


def test_after_a_cry_for_help_the_answer_is_followed_by_people_near_her(use_api: str) -> None:
    from actions.contacts import people_near

    slots = {"language": "ru", "city": "shymkent"}
    dispatcher = CollectingDispatcher()
    t = tracker("муж бьёт, мы в Шымкенте", "safety_domestic_violence", slots=slots)
    named = asyncio.run(people_near(dispatcher, t, "safety.domestic_violence", "ru"))
    assert named == ["fixture-shymkent-crisis", "fixture-111", "emergency"]
    assert dispatcher.messages[0]["custom"]["referral_ids"] == named
    # not for other topics, and not before her city is known
    assert asyncio.run(people_near(CollectingDispatcher(), t, "child.school", "ru")) == []
    unknown = tracker("муж бьёт", "safety_domestic_violence", slots={"language": "ru"})
    assert (
        asyncio.run(people_near(CollectingDispatcher(), unknown, "safety.domestic_violence", "ru"))
        == []
    )
