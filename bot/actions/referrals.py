"""Point her to people: referral contacts, a person (handoff), and the no-answer path."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import api_client
from actions.answer import answer, language_of
from actions.api_client import ApiUnavailable
from actions.cities import city_in_words
from actions.contacts import (
    FETCH,
    PER_REPLY,
    intro_for,
    send_contacts,
    send_referrals,
)
from actions.topics import intent_for

MAX_TOPIC_BUTTONS = 3
# Search scores below this are noise rather than a match.
MIN_SEARCH_SCORE = 1.0
# A hit this strong in her language is her answer even when the classifier was unsure:
# answered, not offered (README "Measurements": the relevance benchmark).
ANSWER_SCORE = 3.0
# Her answer to "which city?" typed instead of tapped: a city name and little else.
MAX_WORDS_OF_A_CITY_ANSWER = 3


class ActionReferrals(Action):
    """Who can help with her need in her city: at most three, the most specific first."""

    def name(self) -> str:
        return "action_referrals"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = language_of(tracker)
        channel = tracker.get_latest_input_channel()
        more = (tracker.latest_message.get("intent") or {}).get("name") == "more_referrals"
        shown = list(tracker.get_slot("referrals_shown") or []) if more else []
        asked = tracker.get_slot("city_asked")
        if tracker.get_slot("city") is None and not asked and not more:
            in_danger = bool(tracker.latest_message.get("safety_alarm"))
            if not in_danger:
                return self.ask_city(dispatcher)
        topic, city = tracker.get_slot("current_topic"), tracker.get_slot("city")
        try:
            found = await api_client.referrals(topic, city, None, limit=FETCH)
            if not found["results"]:
                found = await api_client.referrals(None, city, None, limit=FETCH)
        except ApiUnavailable:
            dispatcher.utter_message(response="utter_api_down")
            return []
        fresh = [r for r in found["results"] if r["id"] not in shown]
        now = fresh[:PER_REPLY]
        intro, intro_slots = intro_for(city, found.get("city_used"), lang)
        send_referrals(dispatcher, now, lang, channel, intro, **intro_slots)
        events: list[EventType] = [SlotSet("referrals_shown", shown + [r["id"] for r in now])]
        if city is None and not asked:
            # Help first when she may be in danger; then her city, for help near her.
            return events + self.ask_city(dispatcher)
        next_step = "utter_referrals_more" if len(fresh) > len(now) else "utter_next_step"
        dispatcher.utter_message(response=next_step)
        return events

    @staticmethod
    def ask_city(dispatcher: CollectingDispatcher) -> list[EventType]:
        """Asked once: her answer, a button or "another city", is remembered."""
        dispatcher.utter_message(response="utter_ask_city")
        return [SlotSet("city_asked", True)]


class ActionHandoff(Action):
    """She asked for a person: give the contacts of people who help now."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_handoff")
        await send_contacts(dispatcher, tracker, language_of(tracker))
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
        if _answers_city_question(tracker, text):
            return await ActionReferrals().run(dispatcher, tracker, domain)
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


def _answers_city_question(tracker: Tracker, text: str) -> bool:
    """She typed her city ("Тараз", "в Актобе") after "which city?" instead of a button."""
    asked_last = tracker.get_last_event_for("bot")
    said = (asked_last or {}).get("metadata", {}).get("utter_action")
    short = len(text.split()) <= MAX_WORDS_OF_A_CITY_ANSWER
    return said == "utter_ask_city" and short and city_in_words(text) is not None
