"""socket.io channel: Rasa's SocketIOInput with checked input and the guard of
bot/channels/guard.py.

Registered in bot/credentials*.yml as `channels.socket_io.SocketIOInput`; the name stays
"socketio", so the path and the events stay the same for the widget.

/forget (the button, or asked in words) runs Rasa's forget rule, then deletes her data
everywhere and only then sends the confirmation, as the REST channel does
(channels/forgetting.py); when deletion fails she is told so, in her language.

Rasa's handler of `user_uttered` assumes a dict with a string message and metadata that
is a dict or JSON text; anything else raises inside the handler and the client hears
nothing. Here such a payload gets an `input_error` event with a JSON error (socket.io's
counterpart of a 4xx), and an accepted message always gets at least one reply.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint, Sanic

from channels.forgetting import forgetting
from channels.guard import Guard, OnNewMessage, clean_text

log = logging.getLogger(__name__)

ERROR_EVENT = "input_error"
MAX_SESSION_CHARS = 128


class BadPayload(Exception):
    pass


class SocketIOInput(RasaSocketIOInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guard = Guard(self.name())
        self._app: Sanic | None = None

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def _sender(self, sid: str, data: dict[str, Any]) -> str:
        if not self.session_persistence:
            return sid
        session = data.get("session_id")
        if not isinstance(session, str) or not 0 < len(session) <= MAX_SESSION_CHARS:
            raise BadPayload(
                f"session_id: a string of 1 to {MAX_SESSION_CHARS} characters is required"
            )
        return session

    def _metadata(self, data: dict[str, Any]) -> dict[str, Any]:
        metadata = data.get(self.metadata_key)
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                raise BadPayload(f"{self.metadata_key}: not valid JSON") from None
        if metadata is None:
            return {}
        if not isinstance(metadata, dict):
            raise BadPayload(f"{self.metadata_key}: an object is required")
        return metadata

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        forgetful = forgetting(on_new_message)
        sio = self.sio

        @webhook.listener("before_server_start")
        async def keep_app(app: Sanic, _: Any) -> None:
            self._app = app

        # Replaces Rasa's handler of the same event (python-socketio keeps one per event).
        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            try:
                if not isinstance(data, dict):
                    raise BadPayload("the payload must be an object")
                sender = self._sender(sid, data)
                text = data.get("message")
                if not isinstance(text, str):
                    raise BadPayload("message: a string is required")
                metadata = self._metadata(data)
            except BadPayload as exc:
                await sio.emit(ERROR_EVENT, {"error": str(exc)}, room=sid, namespace=self.namespace)
                return
            agent = self._app.ctx.agent if self._app is not None else None
            message = UserMessage(
                clean_text(text),
                SocketIOOutput(sio, self.bot_message_evt),
                sender,
                input_channel=self.name(),
                metadata=metadata,
            )
            await self.guard.handle(agent, forgetful, message)

        return webhook
