"""Security headers on every answer of the API (app/core/security_headers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app

from .conftest import FIXTURE_KNOWLEDGE

DEMO = "<!doctype html><title>demo</title><script src='/widget.js'></script>"


def _client(environment: str) -> TestClient:
    settings = Settings(
        environment=environment,  # type: ignore[arg-type]
        knowledge_dir=FIXTURE_KNOWLEDGE,
        service_api_key="t" * 32,
        rate_limit="100000/minute",
        max_body_bytes=10_000,
    )
    app = create_app(settings)

    # Pages shaped like the widget's, the console's and one with its own policy.
    @app.get("/widget.js")
    def widget_script() -> PlainTextResponse:
        return PlainTextResponse("/* widget */", media_type="text/javascript")

    @app.get("/widget/demo")
    def widget_demo() -> HTMLResponse:
        return HTMLResponse(DEMO)

    @app.get("/console/page")
    def console_page() -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>console</title>")

    @app.get("/own-policy")
    def own_policy() -> HTMLResponse:
        return HTMLResponse(
            "<p>x</p>",
            headers={"Content-Security-Policy": "sandbox", "X-Frame-Options": "SAMEORIGIN"},
        )

    return TestClient(app)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with _client("test") as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/healthz", 200), ("GET", "/v1/nowhere", 404), ("POST", "/v1/topics", 405)],
)
def test_every_answer_has_the_basic_headers_and_cannot_be_framed(
    client: TestClient, method: str, path: str, status: int
) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    # JSON is not a page: no policy for pages on it, and no HSTS outside production.
    assert "content-security-policy" not in response.headers
    assert "strict-transport-security" not in response.headers


def test_a_rejected_oversized_body_has_them_too(client: TestClient) -> None:
    response = client.post(
        "/v1/topics", content=b"x" * 20_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_html_pages_get_a_strict_content_security_policy(client: TestClient) -> None:
    response = client.get("/console/page")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy  # no inline scripts, no other origins
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"


def test_the_api_docs_may_load_swagger_from_its_cdn_but_not_be_framed(
    client: TestClient,
) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in policy
    assert "frame-ancestors 'none'" in policy


def test_the_widget_stays_embeddable(client: TestClient) -> None:
    script = client.get("/widget.js")
    assert "x-frame-options" not in script.headers
    assert "content-security-policy" not in script.headers  # a script, not a page
    assert script.headers["x-content-type-options"] == "nosniff"
    demo = client.get("/widget/demo")
    assert "x-frame-options" not in demo.headers
    assert "frame-ancestors *" in demo.headers["content-security-policy"]


def test_a_route_keeps_its_own_policy(client: TestClient) -> None:
    response = client.get("/own-policy")
    assert response.headers.get_list("content-security-policy") == ["sandbox"]
    assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]


def test_production_adds_hsts() -> None:
    with _client("production") as client:
        response = client.get("/healthz")
    assert response.headers["strict-transport-security"] == "max-age=31536000"
    assert response.headers["x-frame-options"] == "DENY"


def test_the_demo_page_may_reach_the_bots_socket_but_not_be_framed(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "connect-src 'self' https: wss: http: ws:" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
