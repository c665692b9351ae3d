"""The widget's routes: the script bundle, the demo page, public feedback, CORS."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.core.config import Settings, get_settings
from app.db import get_session
from app.main import create_app
from app.models import Feedback
from app.widget.bundle import SCRIPT
from app.widget.strings import WIDGET

SNIPPET = "child.school.fixture-enrol"
SITE = "https://ngo.example.org"


def feedback(**changes: Any) -> dict[str, Any]:
    return {"snippet_id": SNIPPET, "helpful": True, "lang": "kk", "channel": "socketio", **changes}


@pytest.fixture
def widget_client(synced: Session, settings: Settings) -> Iterator[TestClient]:
    """A client whose app has a small feedback limit and one embedding site."""
    limited = settings.model_copy(
        update={"widget_feedback_rate_limit": "3/minute", "widget_origins": [SITE]}
    )
    app = create_app(limited)
    app.dependency_overrides[get_session] = lambda: synced
    app.dependency_overrides[get_settings] = lambda: limited
    with TestClient(app) as test_client:
        yield test_client


def test_script_carries_the_translated_strings_and_the_socket_client(client: TestClient) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "public, max-age=300"
    body = response.text
    assert "Socket.IO v4.8.1" in body
    for text in ("Жылдам шығу", "Быстрый выход", "Quick exit", "Сұрағыңызды жазыңыз"):
        assert text in body


def test_script_is_revalidated_with_its_etag(client: TestClient) -> None:
    etag = client.get("/widget.js").headers["etag"]
    again = client.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_script_fits_the_size_budget(client: TestClient) -> None:
    """widget.js, the socket.io client, the CSS and the strings: under 60 KB gzip."""
    assert len(gzip.compress(client.get("/widget.js").content, 9)) < 60_000


def test_widget_source_holds_no_interface_text() -> None:
    source = SCRIPT.read_text()
    for text in WIDGET.values():
        assert f'"{text}"' not in source
    # no innerHTML anywhere: bot text only goes into textContent
    assert "innerHTML" not in source
    assert "localStorage." not in source
    assert "document.cookie" not in source


@pytest.mark.parametrize(
    ("lang", "title"),
    [("kk", "Ана Көмек веб-чаты"), ("ru", "Веб-чат Ана Комек"), ("en", "Ana Komek web chat")],
)
def test_demo_page_in_each_language(client: TestClient, lang: str, title: str) -> None:
    response = client.get("/", params={"lang": lang})
    assert response.status_code == 200
    page = response.text
    assert f'<html lang="{lang}">' in page
    assert f"<h1>{title}</h1>" in page
    tag = re.search(r"<script src=\"([^\"]+)\" data-lang=\"(\w+)\"", page)
    assert tag is not None
    assert tag.groups() == ("http://testserver/widget.js", lang)


def test_demo_page_refuses_an_unknown_language(client: TestClient) -> None:
    response = client.get("/", params={"lang": "de"})
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"


def test_public_feedback_is_stored_without_a_key(
    widget_client: TestClient, synced: Session
) -> None:
    response = widget_client.post("/v1/widget/feedback", json=feedback(helpful=False))
    assert response.status_code == 201
    row = synced.get(Feedback, response.json()["id"])
    assert row is not None
    assert (row.snippet_id, row.helpful, row.lang, row.channel) == (
        SNIPPET,
        False,
        "kk",
        "socketio",
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (feedback(snippet_id="no.such.snippet"), 404),
        (feedback(helpful="yes"), 422),
        (feedback(lang="de"), 422),
        (feedback(extra=1), 422),
        ({"snippet_id": SNIPPET}, 422),
    ],
)
def test_bad_public_feedback_is_a_json_4xx(
    widget_client: TestClient, body: dict[str, Any], status: int
) -> None:
    response = widget_client.post("/v1/widget/feedback", json=body)
    assert response.status_code == status
    assert "error" in response.json()


def test_public_feedback_is_rate_limited_per_client(widget_client: TestClient) -> None:
    codes = [
        widget_client.post("/v1/widget/feedback", json=feedback()).status_code for _ in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    assert widget_client.post("/v1/widget/feedback", json=feedback()).json()["error"] == (
        "rate_limited"
    )


def test_embedding_site_may_post_feedback_cross_origin(widget_client: TestClient) -> None:
    preflight = {
        "Origin": SITE,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    allowed = widget_client.options("/v1/widget/feedback", headers=preflight)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == SITE
    other = widget_client.options(
        "/v1/widget/feedback", headers={**preflight, "Origin": "https://evil.example"}
    )
    assert other.status_code == 400
    assert "access-control-allow-origin" not in other.headers


def test_service_key_stays_out_of_reach_of_browsers(widget_client: TestClient) -> None:
    preflight = {
        "Origin": SITE,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-service-key",
    }
    assert widget_client.options("/v1/feedback", headers=preflight).status_code == 400


@pytest.mark.parametrize(
    "changes",
    [
        {"widget_feedback_rate_limit": "often"},
        {"widget_exit_url": "javascript:alert(1)"},
        {"widget_socket_url": "ws//nowhere"},
    ],
)
def test_bad_widget_settings_fail_at_start(changes: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Settings(environment="test", service_api_key="t" * 32, **changes)  # type: ignore[arg-type]
