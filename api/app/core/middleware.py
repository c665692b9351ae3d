"""Request ids, access logs without personal data and the body size cap.

Security headers are added around this by app/core/security_headers.py.
"""

from __future__ import annotations

import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.logging import request_id

log = logging.getLogger("app.access")


class RequestContext:
    """Pure ASGI (not BaseHTTPMiddleware) so streaming and errors pass through untouched."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            await _reject(send, rid, self.max_body_bytes)
            request_id.reset(token)
            return
        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, capped_receive, send_with_headers)
        except BodyTooLarge:
            await _reject(send, rid, self.max_body_bytes)
            status = 413
        finally:
            log.info(
                "request",
                extra={
                    "fields": {
                        "method": scope["method"],
                        # The route's template, not the path: a path can hold a sender id
                        # (DELETE /v1/conversations/{sender_id}).
                        "path": getattr(scope.get("route"), "path", scope["path"]),
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                },
            )
            request_id.reset(token)


class BodyTooLarge(Exception):
    pass


async def _reject(send: Send, rid: str, limit: int) -> None:
    body = (
        f'{{"error":"payload_too_large","detail":"request body over {limit} bytes",'
        f'"request_id":"{rid}"}}'
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
