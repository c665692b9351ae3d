"""Prometheus metrics of the API: requests by route and status, latency, errors.

Labels use the route's template (/v1/snippets/{snippet_id}), never the raw path, so the
number of series stays bounded whatever clients send. GET /metrics serves them; the proxy
keeps it inside the compose network (deploy/Caddyfile).
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter(
    "api_requests_total",
    "Requests by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "api_request_duration_seconds",
    "Time to answer a request, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
ERRORS = Counter(
    "api_errors_total", "Requests answered with a server error (5xx).", ["method", "route"]
)
# Answers given before a route was chosen, in one series: a path no route knows (404), a
# body over the limit (413), the rate limit (429).
UNROUTED = "unrouted"

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _route_of(scope: Scope) -> str:
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNROUTED


class Metrics:
    """Pure ASGI, outermost but for the security headers: it sees every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            method, route = scope["method"], _route_of(scope)
            LATENCY.labels(method, route).observe(time.perf_counter() - started)
            REQUESTS.labels(method, route, str(status)).inc()
            if status >= 500:
                ERRORS.labels(method, route).inc()
