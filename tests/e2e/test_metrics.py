"""Prometheus metrics of the action server (bot/actions/metrics.py), scraped from the real
process while it answers real action calls with the real API behind it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from stack import Stack, actions_service, api_service
from support_pg import free_port

from .conftest import prepare_database, service_env

pytestmark = pytest.mark.e2e
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(scope="module")
def actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(action server URL, metrics URL)."""
    tmp = tmp_path_factory.mktemp("metrics")
    env = service_env(tmp)
    prepare_database(env)
    api_port, actions_port, metrics_port = free_port(), free_port(), free_port()
    stack = Stack(
        [
            api_service(api_port, env),
            actions_service(
                actions_port,
                f"http://127.0.0.1:{api_port}",
                {**env, "ACTIONS_METRICS_PORT": str(metrics_port)},
            ),
        ],
        tmp / "logs",
    )
    stack.start(timeout=180)
    try:
        yield f"http://127.0.0.1:{actions_port}", f"http://127.0.0.1:{metrics_port}/metrics"
    finally:
        stack.stop()


def scrape(url: str) -> Samples:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def action_call(action: str, intent: str, text: str) -> dict[str, Any]:
    return {
        "next_action": action,
        "sender_id": "metrics-1",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "metrics-1",
            "slots": {"language": "en", "citizenship_group": "eaeu"},
            "latest_message": {
                "intent": {"name": intent, "confidence": 0.99},
                "text": text,
                "entities": [],
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def test_action_server_metrics_count_requests_latency_errors_and_answers(
    actions: tuple[str, str],
) -> None:
    server, metrics = actions
    before = scrape(metrics)
    answer = action_call("action_answer_topic", "child_school", "How do I enrol my child?")
    for _ in range(2):
        response = httpx.post(f"{server}/webhook", json=answer, timeout=30)
        assert response.status_code == 200
    sent = [m.get("custom") for m in response.json()["responses"] if m.get("custom")]
    assert sent and sent[0]["topic"] == "child.school"
    assert (
        httpx.post(f"{server}/webhook", json=action_call("action_nope", "greet", "hi")).status_code
        == 404
    )
    assert httpx.post(f"{server}/webhook", content=b"{not json").status_code in (400, 500)
    broken = {"next_action": "action_answer_topic", "tracker": {}}  # no sender, no slots
    assert httpx.post(f"{server}/webhook", json=broken, timeout=30).status_code == 500
    after = scrape(metrics)

    webhook = {"endpoint": "/webhook", "action": "action_answer_topic"}
    assert delta(before, after, "actions_requests_total", status="200", **webhook) == 2
    assert delta(before, after, "actions_requests_total", status="500", **webhook) == 1
    assert delta(before, after, "actions_errors_total", **webhook) == 1
    assert (
        delta(
            before,
            after,
            "actions_requests_total",
            endpoint="/webhook",
            action="action_nope",
            status="404",
        )
        == 1
    )
    assert delta(before, after, "actions_request_duration_seconds_count", **webhook) == 3
    # Two answers, each with the snippets of one topic, counted per topic and language.
    answers = delta(before, after, "actions_answers_total", topic="child.school", lang="en")
    assert answers == 2 * len(sent)
