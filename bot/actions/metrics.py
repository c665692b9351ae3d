"""Prometheus metrics of the action server, on their own port (ACTIONS_METRICS_PORT).

rasa-sdk builds its Sanic app itself and takes no extra routes, so the metrics get their
own small HTTP server (prometheus_client.start_http_server), and the requests are timed by
middleware on rasa-sdk's app, which already exists when rasa-sdk imports this package.
Nothing runs when the port is not set (unit tests, `make run` by default).
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from prometheus_client import Counter, Histogram, start_http_server

from common.settings import get_settings

log = logging.getLogger(__name__)
RASA_SDK_APP = "rasa_sdk"  # the name rasa_sdk.endpoint.create_app gives its Sanic app
ACTION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

REQUESTS = Counter(
    "actions_requests_total",
    "Requests to the action server by endpoint, action and HTTP status.",
    ["endpoint", "action", "status"],
)
LATENCY = Histogram(
    "actions_request_duration_seconds",
    "Time to answer a request to the action server.",
    ["endpoint", "action"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ERRORS = Counter(
    "actions_errors_total",
    "Requests the action server failed with a server error (HTTP 5xx).",
    ["endpoint", "action"],
)
ANSWERS = Counter(
    "actions_answers_total",
    "Knowledge snippets sent as answers, by taxonomy topic and language.",
    ["topic", "lang"],
)


def count_answer(topic: str, lang: str) -> None:
    ANSWERS.labels(topic=topic, lang=lang).inc()


def _action_of(request: Any) -> str:
    """The action a /webhook call asks for; a bounded label whatever the body holds."""
    if request.path != "/webhook":
        return ""
    try:
        name = (request.json or {}).get("next_action")
    except Exception:  # not JSON, or compressed: the endpoint itself answers 400
        return "unreadable"
    return name if isinstance(name, str) and ACTION_NAME.match(name) else "other"


async def _started(request: Any) -> None:
    request.ctx.metrics_started = time.perf_counter()
    request.ctx.metrics_action = _action_of(request)


async def _finished(request: Any, response: Any) -> None:
    started = getattr(request.ctx, "metrics_started", None)
    if started is None:
        return
    endpoint = request.path if request.path in ("/webhook", "/health", "/actions") else "other"
    action = request.ctx.metrics_action
    LATENCY.labels(endpoint, action).observe(time.perf_counter() - started)
    REQUESTS.labels(endpoint, action, str(response.status)).inc()
    if response.status >= 500:
        ERRORS.labels(endpoint, action).inc()


def install() -> None:
    """Serve metrics on ACTIONS_METRICS_PORT and time rasa-sdk's requests; no-op when unset."""
    port = get_settings().actions_metrics_port
    if port is None:
        return
    from sanic import Sanic
    from sanic.exceptions import SanicException

    try:
        app = Sanic.get_app(RASA_SDK_APP)
    except SanicException:
        log.warning("ACTIONS_METRICS_PORT is set but rasa-sdk's app is not running here")
        return
    app.register_middleware(_started, "request")
    app.register_middleware(_finished, "response")
    start_http_server(port, addr=get_settings().actions_metrics_host)
    log.info("metrics on port %s", port)


# rasa-sdk imports every module of the actions package while it builds its app, so this
# runs in the action server only; Rasa's process, which imports common.settings for
# /forget (channels/privacy.py), never loads this module.
install()
