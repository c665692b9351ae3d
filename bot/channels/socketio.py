"""socket.io channel (the web widget): Rasa's SocketIOInput plus /forget.

Registered in bot/credentials.yml and credentials.telegram.yml as
`channels.socketio.SocketIOInput`; the name stays "socketio", so the widget connects to
/socket.io as before. "/forget" runs Rasa's forget rule, then deletes her conversation
from the tracker store (channels/privacy.py, as on Telegram) and only then sends the
confirmation; when deletion fails she is told so, in her language.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint, Sanic

from channels.privacy import FORGET_FAILED, HoldForget, forget_and_confirm

log = logging.getLogger(__name__)
FORGET = "/forget"


class _HoldForget(HoldForget):
    @classmethod
    def name(cls) -> str:
        return "socketio"


class SocketIOInput(RasaSocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        app: dict[str, Sanic] = {}

        async def handle(message: UserMessage) -> None:
            if (message.text or "").strip().lower() != FORGET:
                await on_new_message(message)
                return
            out = message.output_channel
            conversation = _HoldForget(out)
            await on_new_message(
                UserMessage(
                    message.text,
                    conversation,
                    message.sender_id,
                    input_channel=message.input_channel,
                    metadata=message.metadata,
                )
            )
            if not conversation.held:
                return
            agent = app["app"].ctx.agent
            if not await forget_and_confirm(agent, message.sender_id, out, conversation.held):
                await _say(agent, out, message.sender_id, FORGET_FAILED)

        blueprint = super().blueprint(handle)

        @blueprint.listener("before_server_start")
        async def keep_app(server: Sanic, _: Any) -> None:
            app["app"] = server

        return blueprint


async def _say(agent: Any, out: Any, sender_id: str, response: str) -> None:
    """A domain response in her language (the tracker's language slot picks the variation)."""
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None:
        return
    message = await agent.nlg.generate(response, tracker, out.name())
    if message:
        await out.send_response(sender_id, message)
