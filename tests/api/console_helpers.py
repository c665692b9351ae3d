"""Sign-in helpers of the console tests: staff accounts and a signed-in TestClient."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.console.accounts import create_user

PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_user(session: Session, role: str, username: str | None = None) -> str:
    name = username or f"{role}-user"
    create_user(session, username=name, password=PASSWORD, role=role)
    return name


def form_token(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> object:
    page = client.get("/console/login")
    assert page.status_code == 200
    return client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": form_token(page.text)},
        follow_redirects=False,
    )


def signed_in(client: TestClient, username: str) -> str:
    """Sign in; return the session's CSRF token (read from a signed-in page)."""
    response = login(client, username)
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    page = client.get("/console/lookup")
    assert page.status_code == 200
    return form_token(page.text)
