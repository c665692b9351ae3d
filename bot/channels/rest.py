"""REST channel: Rasa's RestInput with checked input and the guard of bot/channels/guard.py.

Registered in bot/credentials*.yml as `channels.rest.RestInput`; the name stays "rest",
so the path stays POST /webhooks/rest/webhook and replies keep their shape.

Rasa's own handler reads `request.json`: a body that is not JSON makes Sanic answer
400 with an HTML page, and a `message` that is not a string (a number, a list) reaches
the NLU and fails inside. Here a bad request gets a 4xx with a JSON error naming the
field, and an accepted one always gets at least one reply (a message over
MAX_MESSAGE_CHARS too: she is asked in her language to write it shorter, as on the other
channels).
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.utils.endpoints import bool_arg
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from channels.forgetting import forgetting
from channels.guard import Guard, OnNewMessage, clean_text

MAX_SENDER_CHARS = 128
# Room for 100,000 characters in \uXXXX escapes; a longer message is still answered (the
# guard asks her to write shorter), a bigger body is refused unread.
MAX_BODY_BYTES = 1024 * 1024


class BadRequest(Exception):
    def __init__(self, error: str, status: int = 400) -> None:
        super().__init__(error)
        self.error = error
        self.status = status


def _error(error: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": error}, status=status)


class RestInput(RasaRestInput):
    def __init__(self) -> None:
        self.guard = Guard(self.name())

    @classmethod
    def name(cls) -> str:
        return "rest"

    def _body(self, request: Request) -> tuple[str, str, dict[str, Any] | None]:
        """sender, message and metadata of a request, or BadRequest."""
        if len(request.body or b"") > MAX_BODY_BYTES:
            raise BadRequest("request body too large", 413)
        try:
            body = json.loads(request.body or b"")
        except ValueError:  # also invalid UTF-8 (UnicodeDecodeError)
            raise BadRequest("the body must be a JSON object") from None
        if not isinstance(body, dict):
            raise BadRequest("the body must be a JSON object")
        sender = body.get("sender")
        if isinstance(sender, bool) or not isinstance(sender, (str, int)):
            raise BadRequest("sender: a string is required")
        sender = clean_text(str(sender)).strip()
        if not sender or len(sender) > MAX_SENDER_CHARS:
            raise BadRequest(f"sender: 1 to {MAX_SENDER_CHARS} characters")
        message = body.get("message")
        if not isinstance(message, str):
            raise BadRequest("message: a string is required")
        metadata = body.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise BadRequest("metadata: an object is required")
        return sender, clean_text(message), metadata

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        on_new_message = forgetting(on_new_message)
        module = inspect.getmodule(self)
        webhook = Blueprint(
            f"custom_webhook_{type(self).__name__}", module.__name__ if module else None
        )

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> ResponseStream | HTTPResponse:
            try:
                sender, text, metadata = self._body(request)
            except BadRequest as exc:
                return _error(exc.error, exc.status)
            agent = request.app.ctx.agent

            async def guarded(message: UserMessage) -> None:
                await self.guard.handle(agent, on_new_message, message)

            if bool_arg(request, "stream", default=False):
                return response.stream(
                    self.stream_response(guarded, text, sender, self.name(), metadata),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            await guarded(
                UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata)
            )
            return response.json(collector.messages)

        return webhook
