"""A person takes over: open the handoff once she agreed, then relay what she writes.

A person is asked for only when one is there (GET /v1/handoffs/availability); out of hours
or with nobody free she is told when they are back and chooses: a message for later, a
callback, or the lines open day and night. While the slot `handoff_id` is set,
components/handoff_policy.py sends her messages to `action_relay_to_staff`, except cries
for help, a few commands, and, until a person has taken it, the questions the bot
understands: those are answered and copied to the person (`action_answer_while_waiting`).
Staff replies
reach her outside Rasa: pushed to Telegram by the API, fetched by the web widget.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from babel.dates import format_datetime
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import api_client
from actions.answer import ActionAnswerTopic, language_of
from actions.api_client import ApiUnavailable
from actions.contacts import send_contacts
from actions.payload import for_channel

log = logging.getLogger(__name__)

TRANSCRIPT_LENGTH = 10
API_CHANNELS = ("telegram", "socketio", "rest")
MAX_TEXT = 2000  # the API's limit for one message
# "вторник, 8 декабря, 09:00": the day and time a person is back, in her language.
WHEN_FORMAT = "EEEE, d MMMM, HH:mm"
# A phone number she can be called back on: the API accepts 7 to 20 digits.
CALLBACK_DIGITS = (7, 20)


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


def when_back(next_open: str | None, lang: str) -> str:
    """The start of the next staffed hours, as she reads a day and time in her language."""
    if not next_open:
        return ""
    moment = dt.datetime.fromisoformat(next_open)
    return format_datetime(moment, WHEN_FORMAT, tzinfo=moment.tzinfo, locale=lang)


def phone_in(text: str) -> str | None:
    """The phone number she typed for a callback, as she typed it; None if it is not one."""
    digits = re.sub(r"\D", "", text)
    return text.strip() if CALLBACK_DIGITS[0] <= len(digits) <= CALLBACK_DIGITS[1] else None


async def _open(
    dispatcher: CollectingDispatcher, tracker: Tracker, mode: str, phone: str | None = None
) -> dict[str, Any] | None:
    """Open the hand-off in `mode`; None (and the contacts) when the API refuses."""
    lang = language_of(tracker)
    body = {
        "channel": channel_of(tracker),
        "sender_id": tracker.sender_id,
        "lang": lang,
        "topic": tracker.get_slot("current_topic"),
        "consent": True,
        "transcript": transcript(tracker),
        "mode": mode,
        **({"callback_phone": phone} if phone else {}),
    }
    try:
        return await api_client.open_handoff(body)
    except ApiUnavailable as exc:
        log.warning("handoff not opened: %s", exc)
        dispatcher.utter_message(response="utter_handoff_unavailable")
        await send_contacts(dispatcher, tracker, lang)
        return None


def _opened(handoff: dict[str, Any]) -> list[EventType]:
    return [
        SlotSet("handoff_id", handoff["id"]),
        SlotSet("handoff_relayed", False),
    ]


class ActionOpenHandoff(Action):
    """She agreed that a person reads the conversation: pass it on when a person is there;
    otherwise say so, when they are back, and what she can do until then."""

    def name(self) -> str:
        return "action_open_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = language_of(tracker)
        consent = [SlotSet("handoff_consent", True)]
        try:
            now = await api_client.availability()
        except ApiUnavailable as exc:
            log.warning("staff availability unknown: %s", exc)
            dispatcher.utter_message(response="utter_handoff_unavailable")
            await send_contacts(dispatcher, tracker, lang)
            return []
        if not now["available"]:
            if now["in_hours"]:
                dispatcher.utter_message(response="utter_handoff_nobody_now")
            else:
                when = when_back(now.get("next_open"), lang)
                dispatcher.utter_message(response="utter_handoff_closed_hours", when=when)
            return consent
        handoff = await _open(dispatcher, tracker, "live")
        if handoff is None:
            return consent
        dispatcher.utter_message(
            response="utter_handoff_opened",
            json_message=handoff_payload(handoff["id"], lang, channel_of(tracker)),
        )
        if handoff.get("position"):
            dispatcher.utter_message(
                response="utter_handoff_position", position=handoff["position"]
            )
        return consent + _opened(handoff)


class ActionHandoffChoice(Action):
    """Her choice when nobody can answer now, or when nobody took her conversation yet:
    leave a message, be called back, the lines open day and night, keep waiting, or go back
    to the bot."""

    def name(self) -> str:
        return "action_handoff_choice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        waiting = tracker.get_slot("handoff_id") is not None
        if intent == "handoff_lines":
            dispatcher.utter_message(response="utter_handoff_lines")
            return []
        if intent == "handoff_back":
            dispatcher.utter_message(response="utter_handoff_left_queue")
            dispatcher.utter_message(response="utter_help_menu")
            return [SlotSet("handoff_id", None), SlotSet("handoff_relayed", None)]
        if intent == "handoff_wait":
            if waiting and await _still_open(int(tracker.get_slot("handoff_id"))):
                dispatcher.utter_message(response="utter_handoff_waiting")
                return []
            # Nothing to wait for (she went back to the bot, or staff or the sweep closed
            # it while the button stayed on her screen): say so, rather than promise a
            # person who will not come.
            dispatcher.utter_message(response="utter_handoff_back")
            dispatcher.utter_message(response="utter_help_menu")
            return [SlotSet("handoff_id", None), SlotSet("handoff_relayed", None)]
        if not tracker.get_slot("handoff_consent"):
            # A button from an old conversation: nobody reads hers before she agrees.
            dispatcher.utter_message(response="utter_handoff_consent")
            return []
        if intent == "handoff_callback" and not waiting:
            dispatcher.utter_message(response="utter_ask_callback_phone")
            return [SlotSet("callback_phone_asked", True)]
        if intent == "handoff_leave_message" and not waiting:
            handoff = await _open(dispatcher, tracker, "message")
            if handoff is None:
                return []
            dispatcher.utter_message(
                response="utter_handoff_message_left",
                json_message=handoff_payload(
                    handoff["id"], language_of(tracker), channel_of(tracker)
                ),
            )
            return _opened(handoff)
        # Already waiting: whatever she chose, her next words go to the person.
        dispatcher.utter_message(response="utter_handoff_message_left")
        return []


class ActionTakeCallbackPhone(Action):
    """The number she typed after "call me back" (components/handoff_policy.py sends her
    next message here): open the hand-off as a callback; ask again once if it is no number."""

    def name(self) -> str:
        return "action_take_callback_phone"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        phone = phone_in(text)
        if phone is None and re.search(r"\d", text) and not tracker.get_slot("callback_retried"):
            dispatcher.utter_message(response="utter_callback_phone_invalid")
            return [SlotSet("callback_retried", True)]
        done = [SlotSet("callback_phone_asked", False), SlotSet("callback_retried", False)]
        if phone is None:
            dispatcher.utter_message(response="utter_callback_cancelled")
            return done
        handoff = await _open(dispatcher, tracker, "callback", phone)
        if handoff is None:
            return done
        dispatcher.utter_message(
            response="utter_handoff_callback_taken",
            json_message=handoff_payload(handoff["id"], language_of(tracker), channel_of(tracker)),
        )
        return done + _opened(handoff)


async def _still_open(handoff_id: int) -> bool:
    """Whether her hand-off still waits for a person; when the API cannot tell, it is
    taken to (what she was last told stays true until the API says otherwise)."""
    try:
        return await api_client.handoff_status(handoff_id) != "closed"
    except ApiUnavailable as exc:
        log.warning("handoff status unknown: %s", exc)
        return True


async def relay(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> tuple[str | None, list[EventType]]:
    """Pass her message to the person: the hand-off's status ("open", "taken"; "closed"
    when it is over), None when the API could not take it; and what to say and set."""
    handoff_id = tracker.get_slot("handoff_id")
    text = (tracker.latest_message.get("text") or "").strip()[:MAX_TEXT]
    if handoff_id is None:
        return "closed", []
    try:
        status = await api_client.relay_to_staff(int(handoff_id), text) if text else "open"
    except ApiUnavailable as exc:
        log.warning("message not relayed: %s", exc)
        dispatcher.utter_message(response="utter_handoff_relay_failed")
        return None, []
    if status == "closed":
        dispatcher.utter_message(response="utter_handoff_back")
        dispatcher.utter_message(response="utter_help_menu")
        return status, [SlotSet("handoff_id", None), SlotSet("handoff_relayed", None)]
    return status, []


def relayed(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Said once per hand-off; marked every time: the channel guard reads the mark as
    "silent on purpose, not broken"."""
    if not tracker.get_slot("handoff_relayed"):
        dispatcher.utter_message(response="utter_handoff_relayed")
    return [SlotSet("handoff_relayed", True)]


class ActionRelayToStaff(Action):
    """A message she wrote while a person has the conversation: pass it on, quietly."""

    def name(self) -> str:
        return "action_relay_to_staff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("handoff_id") is None:
            return []
        status, events = await relay(dispatcher, tracker)
        if status in (None, "closed"):
            return events
        return relayed(dispatcher, tracker)


class ActionAnswerWhileWaiting(Action):
    """A question the bot understands, while she waits for a person: the person gets it,
    and, until a person has taken her conversation, she gets the bot's answer too."""

    def name(self) -> str:
        return "action_answer_while_waiting"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        status, events = await relay(dispatcher, tracker)
        if status == "taken":
            return relayed(dispatcher, tracker)
        # "open": answered; "closed": the bot is back, and answers; None: not passed on,
        # but not left unanswered either.
        return events + await ActionAnswerTopic().run(dispatcher, tracker, domain)
