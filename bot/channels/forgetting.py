"""/forget on the REST channel (channels/rest.py), as the Telegram channel does it.

The rule `forget -> utter_forgotten` only answers; deleting is the channel's job, because
only Rasa's process holds the tracker store. `forgetting` wraps the channel's message
handler: once Rasa has handled a message whose intent is `forget`, it deletes her
conversation from the tracker store and her data in the API (channels/privacy.py). If
that fails she is told so, in her language. (socket.io holds its confirmation back
until the deletion is done: channels/socket_io.py.)
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import Sanic
from sanic.exceptions import SanicException

from channels.privacy import forget_everywhere

log = logging.getLogger(__name__)
FORGET_INTENT = "forget"
FORGET_FAILED = "utter_forget_failed"
# The names rasa/core/run.py and rasa/server.py give Rasa's Sanic app.
RASA_APPS = ("rasa_core_no_api", "rasa_server")
Handler = Callable[[UserMessage], Awaitable[Any]]


def _agent() -> Any:
    for name in RASA_APPS:
        try:
            return Sanic.get_app(name).ctx.agent
        except (SanicException, AttributeError):
            continue
    raise RuntimeError("Rasa's app is not running in this process")


def _response_text(agent: Any, name: str, language: str | None) -> str | None:
    variations = agent.domain.responses.get(name) or []
    chosen = next(
        (
            v
            for v in variations
            if any(c.get("value") == language for c in v.get("condition") or [])
        ),
        variations[-1] if variations else None,
    )
    return str(chosen["text"]) if chosen and chosen.get("text") else None


def forgetting(on_new_message: Handler) -> Handler:
    """Rasa's handler, then the deletion when the message asked for it."""

    async def handle(message: UserMessage) -> None:
        await on_new_message(message)
        agent = _agent()
        sender = message.sender_id
        tracker = await agent.tracker_store.retrieve(sender)
        if tracker is None or tracker.latest_message.intent.get("name") != FORGET_INTENT:
            return
        language = tracker.get_slot("language")
        try:
            async with agent.lock_store.lock(sender):
                await forget_everywhere(agent.tracker_store, sender)
        except Exception as exc:  # the store, the lock or the API failed: say so
            log.error("could not delete a conversation: %s", exc)
            out = message.output_channel
            if isinstance(out, CollectingOutputChannel):
                out.messages.clear()  # REST: the "deleted" answer has not left yet
            text = _response_text(agent, FORGET_FAILED, language)
            if text:
                await out.send_text_message(sender, text)

    return handle
