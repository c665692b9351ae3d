"""Her words to the person who has her conversation, when the bot answered them too."""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions import api_client
from actions.api_client import ApiUnavailable

log = logging.getLogger(__name__)

MAX_TEXT = 2000  # the API's limit for one message


async def copy_to_staff(tracker: Tracker) -> list[EventType]:
    """While she waits for a person, a question the bot answered goes to the person too."""
    handoff_id = tracker.get_slot("handoff_id")
    text = (tracker.latest_message.get("text") or "").strip()[:MAX_TEXT]
    if handoff_id is None or not text or text.startswith("/"):
        return []
    try:
        status = await api_client.relay_to_staff(int(handoff_id), text)
    except ApiUnavailable as exc:
        log.warning("answered question not copied to the person: %s", exc)
        return []
    if status == "closed":
        return [SlotSet("handoff_id", None), SlotSet("handoff_relayed", None)]
    return [SlotSet("handoff_status", status)]
