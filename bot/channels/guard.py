"""What every channel (REST, socket.io, Telegram) does around Rasa for one message.

- Text is cleaned: NUL and other control characters and lone surrogates (from JSON
  escapes) are removed, so no store (PostgreSQL text cannot hold NUL) and no log chokes.
- A message longer than MAX_MESSAGE_CHARS is not processed: she is asked, in her
  language, to write it shorter.
- Per-sender rate limit (SENDER_RATE_LIMIT, `limits` notation): over the limit she gets
  a kind "please wait" in her language, except for a cry for help, which always goes
  through (the same safety detector the NLU pipeline uses).
- When this Rasa process already works on MAX_MESSAGES_IN_PROGRESS messages, she is told
  at once that many people are writing and to write again in a minute, rather than wait
  in a queue as long as the crowd; a cry for help gets its emergency response first.
- When Rasa produced no reply at all (the action server is down: Rasa logs the failed
  action and goes on silently) or failed (the tracker or lock store is down), she gets
  utter_api_down: "back soon", with the emergency numbers, in her language; a cry for
  help gets its emergency response before it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels import texts
from common.language import her_language
from common.settings import Settings, get_settings
from safety.detector import detect

log = logging.getLogger(__name__)

API_DOWN = "utter_api_down"
# The emergency response for each safety category (bot/data/rules.yml says the same).
EMERGENCY = {
    "domestic_violence": "utter_emergency_domestic_violence",
    "child_danger": "utter_emergency_domestic_violence",
    "trafficking": "utter_emergency_trafficking",
    "medical_emergency": "utter_emergency_medical",
    "child_abduction_threat": "utter_emergency_domestic_violence",
    "documents_withheld": "utter_emergency_trafficking",
}
EMERGENCY_FOR_PAYLOAD = {
    "/safety_domestic_violence": "utter_emergency_domestic_violence",
    "/safety_trafficking": "utter_emergency_trafficking",
    "/health_emergency": "utter_emergency_medical",
}
# C0 controls except tab, newline and carriage return; DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
# Messages this process is working on, over all channels (one event loop: no lock needed).
_in_progress = [0]


def clean_text(text: str) -> str:
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become "?"
    return CONTROL.sub("", text)


def emergency_response(text: str) -> str | None:
    """The emergency response a message needs, if it is a cry for help."""
    if text.startswith("/"):
        return next((r for p, r in EMERGENCY_FOR_PAYLOAD.items() if text.startswith(p)), None)
    alarm = detect(text)
    return EMERGENCY[alarm.category] if alarm is not None else None


def is_safety(text: str) -> bool:
    return emergency_response(text) is not None


class _Counting(OutputChannel):
    """Passes every reply on and counts them."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent = 0

    # Rasa picks channel-specific response variations by the instance's name().
    def name(self) -> str:  # type: ignore[override]
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sent += 1
        await self.inner.send_response(recipient_id, message)


class Guard:
    """One per channel instance; `agent` is read from the Sanic app when a message comes."""

    def __init__(self, channel: str, settings: Settings | None = None) -> None:
        settings = settings or get_settings()
        self.channel = channel
        self.max_chars = settings.max_message_chars
        self.max_in_progress = settings.max_messages_in_progress
        self.rates: list[RateLimitItem] = parse_many(settings.sender_rate_limit)
        # limits 2.x keeps only a weak reference to its storage: hold it here.
        self.storage = storage_from_string(settings.sender_rate_limit_storage)
        self.limiter = MovingWindowRateLimiter(self.storage)
        self._key = settings.service_api_key.encode()

    def too_long(self, text: str) -> bool:
        return len(text) > self.max_chars

    def allowed(self, sender_id: str, text: str) -> bool:
        """Counts the message against her limit; a cry for help is always allowed."""
        # A keyed hash: the limiter's store (Redis in production) never sees her id.
        key = hmac.new(self._key, f"{self.channel}:{sender_id}".encode(), hashlib.sha256)
        try:
            within = [self.limiter.hit(rate, key.hexdigest()[:32]) for rate in self.rates]
        except Exception as exc:  # the limiter's Redis is down: let her through
            log.warning("sender rate limit not checked: %s", exc)
            return True
        return all(within) or is_safety(text)

    async def handle(
        self, agent: Any, on_new_message: OnNewMessage, message: UserMessage, *more: UserMessage
    ) -> None:
        """Run one message (or the messages of one Telegram update, which /start turns into
        two) through Rasa with the checks above, as one; never raises."""
        messages = (message, *more)
        said = [m.text or "" for m in messages]
        if any(self.too_long(text) for text in said):
            await self.say(agent, message, texts.TOO_LONG, limit=self.max_chars)
            return
        if not self.allowed(message.sender_id, " ".join(said)):
            log.info("%s: sender over SENDER_RATE_LIMIT, message not processed", self.channel)
            await self.say(agent, message, texts.TOO_FAST)
            return
        if _in_progress[0] >= self.max_in_progress:
            log.warning("%s: MAX_MESSAGES_IN_PROGRESS reached, asked to write again", self.channel)
            await self._emergency(agent, message.output_channel, message, said)
            # Her language from the message only: the stores are as busy as this process.
            await self.say(None, message, texts.BUSY)
            return
        counting = _Counting(message.output_channel)
        for each in messages:
            each.output_channel = counting
        _in_progress[0] += 1
        try:
            for each in messages:
                await on_new_message(each)
        except Exception:
            log.exception("%s: Rasa failed on a message", self.channel)
        finally:
            _in_progress[0] -= 1
        if counting.sent == 0 and not await relayed_to_a_person(agent, message.sender_id):
            # Rasa failed before its NLU ran (the tracker or lock store is down): a cry
            # for help still gets the emergency numbers, from here.
            await self._emergency(agent, counting.inner, message, said)
            await self.respond(agent, counting.inner, message, API_DOWN)

    async def _emergency(
        self, agent: Any, output: OutputChannel, message: UserMessage, said: list[str]
    ) -> None:
        """The emergency response, when one of her messages is a cry for help."""
        emergency = next(filter(None, map(emergency_response, said)), None)
        if emergency:
            await self.respond(agent, output, message, emergency)

    # ------------------------------------------------------------ her language

    async def _tracker(self, agent: Any, message: UserMessage) -> DialogueStateTracker:
        """Her tracker with her language, for choosing a response variation; never saved."""
        tracker = None
        try:
            tracker = await agent.tracker_store.retrieve(message.sender_id)
        except Exception as exc:  # the tracker store is down: answer all the same
            log.warning("tracker not read for a channel answer: %s", exc)
        if tracker is None:
            tracker = DialogueStateTracker(message.sender_id, agent.domain.slots)
        language = her_language(metadata=message.metadata, current=tracker.get_slot("language"))
        if language and language != tracker.get_slot("language"):
            tracker.update(SlotSet("language", language))
        return tracker

    async def language(self, agent: Any, message: UserMessage) -> str | None:
        """Her language (common/language.py): her choice, her conversation's, the channel's
        hint. Without `agent` only what the message itself says (no store is read)."""
        if agent is not None:
            return str((await self._tracker(agent, message)).get_slot("language") or "") or None
        return her_language(metadata=message.metadata)

    # ------------------------------------------------------------ answers

    async def say(self, agent: Any, message: UserMessage, msgid: str, **values: object) -> None:
        """A text of this layer (channels/texts.py), in her language (all three when unknown)."""
        text = texts.translate(msgid, await self.language(agent, message), **values)
        await self._send(message.output_channel, message.sender_id, {"text": text})

    async def respond(
        self, agent: Any, output: OutputChannel, message: UserMessage, name: str
    ) -> None:
        """A domain response in her language, without storing anything."""
        if agent is None:
            return
        try:
            tracker = await self._tracker(agent, message)
            reply = await agent.nlg.generate(name, tracker, output.name())
        except Exception:
            log.exception("%s: could not build %s", self.channel, name)
            return
        if reply:
            await self._send(output, message.sender_id, reply)

    async def _send(self, output: OutputChannel, recipient: str, reply: dict[str, Any]) -> None:
        try:
            await output.send_response(recipient, reply)
        except Exception:
            log.exception("%s: could not send a reply", self.channel)


async def relayed_to_a_person(agent: Any, sender_id: str) -> bool:
    """Whether her last message went to a person during a handoff: the relay action says
    nothing on purpose then, and marks each relayed message with SlotSet(handoff_relayed)
    (actions/handoff.py). A relay that failed leaves no such event."""
    try:
        tracker = await agent.tracker_store.retrieve(sender_id)
    except Exception:  # the store is down: that silence is a failure
        return False
    for event in reversed(tracker.events if tracker is not None else []):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, SlotSet) and event.key == "handoff_relayed" and event.value:
            return True
    return False
