"""/forget on every channel (REST, socket.io, Telegram).

The rule `forget -> utter_forgotten` only answers; deleting is the channel's job, because
only Rasa's process holds the tracker store. `forgetting` wraps the channel's message
handler: it holds back the confirmation, and once Rasa has handled the message it deletes
her conversation from the tracker store and her data in the API (channels/privacy.py),
and only then confirms. If that fails she is told so, in her language.

Whether she asked is read from the replies (the confirmation went out), not from her
stored conversation: reading that after every message cost a tenth of Rasa's CPU.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sanic.exceptions import SanicException

from channels.privacy import FORGET_FAILED, HoldForget, forget_and_confirm, say

log = logging.getLogger(__name__)
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


def forgetting(on_new_message: Handler) -> Handler:
    """Rasa's handler, then the deletion when the message asked for it."""

    async def handle(message: UserMessage) -> None:
        hold = HoldForget(message.output_channel)
        message.output_channel = hold
        await on_new_message(message)
        if not hold.held:
            return
        agent = _agent()
        tracker = await agent.tracker_store.retrieve(message.sender_id)
        if not await forget_and_confirm(agent, message.sender_id, hold.out, hold.held):
            await say(agent, hold.out, tracker, FORGET_FAILED)

    return handle
