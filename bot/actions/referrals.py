"""Point her to people: referral contacts, a person (handoff), and the no-answer path."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import api_client
from actions.answer import answer, for_channel, language_of
from actions.api_client import ApiUnavailable
from actions.topics import intent_for

MAX_TOPIC_BUTTONS = 3
# Search scores below this are noise rather than a match.
MIN_SEARCH_SCORE = 1.0
# A hit this strong in her language is her answer even when the classifier was unsure:
# answered, not offered (README "Measurements": the relevance benchmark).
ANSWER_SCORE = 3.0


def _in(lang: str, localized: dict[str, str]) -> str:
    return localized.get(lang) or localized.get("ru") or next(iter(localized.values()), "")


def send_referrals(
    dispatcher: CollectingDispatcher,
    referrals: list[dict[str, Any]],
    lang: str,
    channel: str | None,
) -> None:
    payload = {"topic": "contacts.referral", "referral_ids": [r["id"] for r in referrals]}
    dispatcher.utter_message(
        response="utter_referrals_intro",
        json_message=for_channel({**payload, "lang": lang}, channel),
    )
    for ref in referrals:
        phones = ", ".join(f"{_in(lang, p['label'])} {p['number']}" for p in ref["phone"])
        dispatcher.utter_message(
            response="utter_referral",
            referral_name=_in(lang, ref["name"]),
            referral_phones=phones,
            referral_hours=_in(lang, ref["hours"]),
        )


async def referrals_for(topic: str | None, tracker: Tracker) -> list[dict[str, Any]]:
    return await api_client.referrals(topic, tracker.get_slot("city"), None)


class ActionReferrals(Action):
    def name(self) -> str:
        return "action_referrals"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = language_of(tracker)
        topic = tracker.get_slot("current_topic")
        try:
            found = await referrals_for(topic, tracker) or await referrals_for(None, tracker)
        except ApiUnavailable:
            dispatcher.utter_message(response="utter_api_down")
            return []
        send_referrals(dispatcher, found, lang, tracker.get_latest_input_channel())
        dispatcher.utter_message(response="utter_next_step")
        return []


class ActionHandoff(Action):
    """She asked for a person: give the contacts of people who help now."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = language_of(tracker)
        dispatcher.utter_message(response="utter_handoff")
        try:
            found = await referrals_for(tracker.get_slot("current_topic"), tracker)
        except ApiUnavailable:
            return []
        if found:
            send_referrals(dispatcher, found, lang, tracker.get_latest_input_channel())
        return []


class ActionLowConfidence(Action):
    """Not sure what she meant: offer the best matching topics, else people who can help."""

    def name(self) -> str:
        return "action_low_confidence"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = language_of(tracker)
        text = tracker.latest_message.get("text") or ""
        try:
            hits = await api_client.search(text, None, limit=8) if text.strip() else []
        except ApiUnavailable:
            dispatcher.utter_message(response="utter_api_down")
            return []
        best = hits[0] if hits else None
        if best and best["score"] >= ANSWER_SCORE and best["lang"] == lang:
            topics = list(dict.fromkeys(h["topic"] for h in hits[:3]))
            return await answer(dispatcher, tracker, topics, text)
        buttons: list[dict[str, str]] = []
        seen: set[str] = set()
        for hit in hits:
            if hit["score"] < MIN_SEARCH_SCORE or hit["topic"] in seen:
                continue
            seen.add(hit["topic"])
            snippet_title = await _title_in(hit["snippet_id"], lang) or hit["title"]
            buttons.append({"title": snippet_title, "payload": "/" + intent_for(hit["topic"])})
            if len(buttons) == MAX_TOPIC_BUTTONS:
                break
        if buttons:
            dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)
            # A topic she taps is answered by what she wrote here.
            return [SlotSet("current_topic", None), SlotSet("question", text or None)]
        dispatcher.utter_message(response="utter_not_understood")
        return []


async def _title_in(snippet_id: str, lang: str) -> str | None:
    try:
        data = await api_client.snippet(snippet_id, lang)
    except ApiUnavailable:
        return None
    return data["texts"].get(lang, {}).get("title")
