"""GET /metrics: Prometheus counters and latency of the API, by route template and status."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_by_route_template_and_status(client: TestClient) -> None:
    before = scrape(client)
    snippet = "child.school.fixture-enrol"
    for _ in range(3):
        assert client.get(f"/v1/snippets/{snippet}", params={"lang": "kk"}).status_code == 200
    assert client.get("/v1/snippets/no.such.snippet", params={"lang": "kk"}).status_code == 404
    assert client.get(f"/v1/snippets/{snippet}", params={"lang": "xx"}).status_code == 422
    assert client.get("/nothing/here/at/all").status_code == 404
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    route = "/v1/snippets/{snippet_id}"
    assert delta("api_requests_total", method="GET", route=route, status="200") == 3
    assert delta("api_requests_total", method="GET", route=route, status="404") == 1
    assert delta("api_requests_total", method="GET", route=route, status="422") == 1
    assert delta("api_requests_total", method="GET", route="unrouted", status="404") == 1
    # The raw path never becomes a label.
    assert not any(snippet in str(labels) for _, labels in after)
    assert delta("api_request_duration_seconds_count", method="GET", route=route) == 5
    assert (
        value(after, "api_request_duration_seconds_bucket", method="GET", route=route, le="+Inf")
        >= 4
    )


def test_a_body_rejected_before_routing_is_counted(client: TestClient) -> None:
    before = scrape(client)
    response = client.post(
        "/v1/handoffs", content=b"x" * 20_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    after = scrape(client)
    labels = {"method": "POST", "route": "unrouted", "status": "413"}
    assert (
        value(after, "api_requests_total", **labels) - value(before, "api_requests_total", **labels)
        == 1
    )


def test_server_errors_are_counted(client: TestClient) -> None:
    app = client.app

    @app.get("/boom")  # type: ignore[attr-defined]
    def boom() -> None:
        raise RuntimeError("a bug")

    before = scrape(client)
    failing = TestClient(app, raise_server_exceptions=False)
    assert failing.get("/boom").status_code == 500
    after = scrape(client)
    labels = {"method": "GET", "route": "/boom"}
    assert (
        value(after, "api_errors_total", **labels) - value(before, "api_errors_total", **labels)
        == 1
    )
    assert value(after, "api_requests_total", status="500", **labels) >= 1
