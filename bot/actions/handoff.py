"""A person takes over: open the handoff once she agreed, then relay what she writes.

While the slot `handoff_id` is set, components/handoff_policy.py sends every message
(except cries for help and a few commands) to `action_relay_to_staff`. Staff replies reach
her outside Rasa: pushed to Telegram by the API, fetched by the web widget.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import api_client
from actions.answer import language_of
from actions.api_client import ApiUnavailable
from actions.contacts import referrals_for, send_referrals
from actions.payload import for_channel

log = logging.getLogger(__name__)

TRANSCRIPT_LENGTH = 10
MAX_TEXT = 2000  # the API's limit for one message
API_CHANNELS = ("telegram", "socketio", "rest")


def transcript(tracker: Tracker, length: int = TRANSCRIPT_LENGTH) -> list[dict[str, str]]:
    """Her last messages and the bot's answers, oldest first. Button payloads ("/affirm")
    say nothing to a person and are left out."""
    items: list[dict[str, str]] = []
    for event in tracker.events:
        text = (event.get("text") or "").strip()
        if not text or event.get("event") not in ("user", "bot"):
            continue
        if event["event"] == "user" and text.startswith("/"):
            continue
        items.append({"author": event["event"], "text": text[:MAX_TEXT]})
    return items[-length:]


def channel_of(tracker: Tracker) -> str:
    channel = tracker.get_latest_input_channel()
    return channel if channel in API_CHANNELS else "rest"


def handoff_payload(handoff_id: int, lang: str, channel: str) -> dict[str, Any] | None:
    """Tells the web widget to fetch staff replies; never sent to Telegram."""
    return for_channel({"handoff_id": handoff_id, "lang": lang}, channel)


async def send_contacts(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> None:
    try:
        found = await referrals_for(tracker.get_slot("current_topic"), tracker)
    except ApiUnavailable:
        dispatcher.utter_message(response="utter_api_down")
        return
    if found:
        send_referrals(dispatcher, found, lang, tracker.get_latest_input_channel())


class ActionOpenHandoff(Action):
    """She agreed that a person reads the conversation: open the handoff."""

    def name(self) -> str:
        return "action_open_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = language_of(tracker)
        channel = channel_of(tracker)
        body = {
            "channel": channel,
            "sender_id": tracker.sender_id,
            "lang": lang,
            "topic": tracker.get_slot("current_topic"),
            "consent": True,
            "transcript": transcript(tracker),
        }
        try:
            handoff_id = await api_client.open_handoff(body)
        except ApiUnavailable as exc:
            log.warning("handoff not opened: %s", exc)
            dispatcher.utter_message(response="utter_handoff_unavailable")
            await send_contacts(dispatcher, tracker, lang)
            return []
        dispatcher.utter_message(
            response="utter_handoff_opened",
            json_message=handoff_payload(handoff_id, lang, channel),
        )
        return [SlotSet("handoff_id", handoff_id), SlotSet("handoff_relayed", False)]


class ActionRelayToStaff(Action):
    """A message she wrote while a person has the conversation: pass it on, quietly."""

    def name(self) -> str:
        return "action_relay_to_staff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        handoff_id = tracker.get_slot("handoff_id")
        text = (tracker.latest_message.get("text") or "").strip()[:MAX_TEXT]
        if handoff_id is None:
            return []
        try:
            status = await api_client.relay_to_staff(int(handoff_id), text) if text else "open"
        except ApiUnavailable as exc:
            log.warning("message not relayed: %s", exc)
            dispatcher.utter_message(response="utter_handoff_relay_failed")
            return []
        if status == "closed":
            dispatcher.utter_message(response="utter_handoff_back")
            dispatcher.utter_message(response="utter_help_menu")
            return [SlotSet("handoff_id", None), SlotSet("handoff_relayed", None)]
        if not tracker.get_slot("handoff_relayed"):
            dispatcher.utter_message(response="utter_handoff_relayed")
        # Set every time: the channel guard reads it as "silent on purpose, not broken".
        return [SlotSet("handoff_relayed", True)]
