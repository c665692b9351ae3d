"""Console sign-in on SQLite and PostgreSQL: passwords, lockout, sessions, CSRF, headers."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.console_helpers import PASSWORD, add_user, form_token, login, signed_in
from app.console.accounts import AccountError, create_user
from app.console.models import StaffSession, StaffUser
from app.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_sign_in_sets_a_strict_httponly_session_cookie(client: TestClient, synced: Session) -> None:
    add_user(synced, "staff", "aigerim")
    response = login(client, "Aigerim")  # names are case-insensitive
    assert response.status_code == 303
    assert response.headers["location"] == "/console/lookup"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("console_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/console" in cookie
    assert "Secure" not in cookie  # ENVIRONMENT=test, plain http
    page = client.get("/console/lookup")
    assert page.status_code == 200
    assert "aigerim" in page.text
    # Only the token's hash is stored.
    token = client.cookies.get("console_session")
    stored = synced.scalars(select(StaffSession.token_hash)).all()
    assert token and token not in stored and len(stored) == 1


def test_secure_cookie_follows_the_setting(synced: Session, settings: Settings) -> None:
    from app.core.config import get_settings
    from app.db import get_session
    from app.main import create_app

    secure = settings.model_copy(update={"console_cookie_secure": True})
    app = create_app(secure)
    app.dependency_overrides[get_session] = lambda: synced
    app.dependency_overrides[get_settings] = lambda: secure
    add_user(synced, "staff", "dana")
    with TestClient(app, base_url="https://testserver") as https_client:
        response = login(https_client, "dana")
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("console_session=")
    )
    assert "Secure" in cookie


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient, synced: Session) -> None:
    add_user(synced, "staff", "aigerim")
    wrong = login(client, "aigerim", "not the password")
    unknown = login(client, "nobody", "not the password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Wrong username or password" in response.text
        assert "console_session=" not in response.headers.get("set-cookie", "")
    assert client.get("/console/lookup", follow_redirects=False).status_code == 303


def test_lockout_after_repeated_failures_then_unlocks(
    client: TestClient, synced: Session, settings: Settings
) -> None:
    add_user(synced, "staff", "aigerim")
    for _ in range(settings.console_max_failed_logins):
        assert login(client, "aigerim", "guess").status_code == 401
    user = synced.scalars(select(StaffUser).where(StaffUser.username == "aigerim")).one()
    assert user.locked_until is not None
    # Locked: even the right password is refused.
    assert login(client, "aigerim", PASSWORD).status_code == 401
    user.locked_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    synced.commit()
    assert login(client, "aigerim", PASSWORD).status_code == 303


def test_a_success_resets_the_failure_count(
    client: TestClient, synced: Session, settings: Settings
) -> None:
    add_user(synced, "staff", "aigerim")
    for _ in range(settings.console_max_failed_logins - 1):
        login(client, "aigerim", "guess")
    assert login(client, "aigerim", PASSWORD).status_code == 303
    user = synced.scalars(select(StaffUser).where(StaffUser.username == "aigerim")).one()
    assert user.failed_logins == 0 and user.locked_until is None


def test_login_without_the_form_token_is_rejected(client: TestClient, synced: Session) -> None:
    add_user(synced, "staff", "aigerim")
    client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": "aigerim", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "Form expired" in response.text
    assert "console_session" not in client.cookies


def test_posts_need_the_session_csrf_token(client: TestClient, synced: Session) -> None:
    add_user(synced, "admin", "boss")
    token = signed_in(client, "boss")
    for data in ({}, {"csrf_token": "x" * 43}):
        response = client.post(
            "/console/staff",
            data={**data, "username": "intruder", "password": "p" * 14, "role": "admin"},
        )
        assert response.status_code == 403
        assert client.post("/console/logout", data=data).status_code == 403
    assert synced.scalar(select(StaffUser).where(StaffUser.username == "intruder")) is None
    assert client.get("/console/lookup").status_code == 200  # still signed in
    response = client.post("/console/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/console/lookup", follow_redirects=False).status_code == 303
    assert synced.scalars(select(StaffSession)).all() == []


def test_a_second_sign_in_with_sessions_loaded(synced: Session, settings: Settings) -> None:
    """Stored moments come back aware on both engines.

    On SQLite they came back naive, and signing in while a session row was loaded in the
    same database session raised TypeError: the clean-up of expired sessions is checked
    against the loaded rows in Python.
    """
    from app.console.accounts import start_session

    user = create_user(synced, username="aigerim", password=PASSWORD, role="staff")
    start_session(synced, settings, user)
    loaded = synced.scalars(select(StaffSession)).one()
    assert loaded.expires_at.tzinfo is not None and user.created_at.tzinfo is not None
    start_session(synced, settings, user)
    assert len(synced.scalars(select(StaffSession)).all()) == 2


def test_expired_session_signs_out(client: TestClient, synced: Session) -> None:
    add_user(synced, "staff", "aigerim")
    signed_in(client, "aigerim")
    row = synced.scalars(select(StaffSession)).one()
    row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    synced.commit()
    response = client.get("/console/referrals", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("/console/login?next=%2Fconsole%2Freferrals")


def test_next_never_leaves_the_console(client: TestClient, synced: Session) -> None:
    add_user(synced, "staff", "aigerim")
    for target, expected in (
        ("/console/referrals", "/console/referrals"),
        ("https://evil.example/", "/console/lookup"),
        ("//evil.example/console/", "/console/lookup"),
        ("/console/..//evil.example", "/console/lookup"),
    ):
        page = client.get("/console/login")
        response = client.post(
            "/console/login",
            data={
                "username": "aigerim",
                "password": PASSWORD,
                "csrf_token": form_token(page.text),
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == expected
        client.cookies.clear()


def test_security_headers_on_console_pages(client: TestClient, synced: Session) -> None:
    add_user(synced, "staff", "aigerim")
    for response in (
        client.get("/console/login"),
        client.get("/console/static/console.css"),
        login(client, "aigerim", "wrong"),
    ):
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
    assert "content-security-policy" not in client.get("/v1/topics").headers


def test_passwords_are_argon2_and_rules_hold(synced: Session) -> None:
    user = create_user(synced, username="Aigerim", password=PASSWORD, role="editor")
    assert user.username == "aigerim"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    for kwargs in (
        {"username": "short", "password": "short", "role": "staff"},
        {"username": "aigerim", "password": PASSWORD, "role": "staff"},
        {"username": "x y", "password": PASSWORD, "role": "staff"},
        {"username": "newname", "password": PASSWORD, "role": "root"},
    ):
        with pytest.raises(AccountError):
            create_user(synced, **kwargs)


def test_interface_language_switch(client: TestClient) -> None:
    page = client.get("/console/login?lang=kk")
    assert page.status_code == 200
    assert '<html lang="kk">' in page.text
    assert "Кіру" in page.text  # "Sign in"
    assert page.cookies.get("console_lang") == "kk"
    assert '<html lang="kk">' in client.get("/console/login").text  # the cookie keeps it
    assert "Войти" in client.get("/console/login?lang=ru").text
    client.cookies.clear()
    browser_ru = client.get("/console/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert '<html lang="ru">' in browser_ru.text
    assert '<html lang="en">' in client.get("/console/login?lang=xx").text


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_create_admin_command_reads_the_password_from_env(engine: object, tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "ENVIRONMENT": "test",
        "SERVICE_API_KEY": "c" * 32,
        "PYTHONPATH": str(ROOT / "api"),
    }
    run = [sys.executable, "-m", "alembic", "upgrade", "head"]
    assert subprocess.run(run, cwd=ROOT / "api", env=env, capture_output=True).returncode == 0
    cli = [sys.executable, "-m", "app.cli", "create-admin", "first-admin"]
    ok = subprocess.run(
        cli,
        cwd=ROOT / "api",
        env={**env, "CONSOLE_NEW_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert "created admin first-admin" in ok.stdout
    weak = subprocess.run(
        [*cli[:-1], "second"],
        cwd=ROOT / "api",
        env={**env, "CONSOLE_NEW_PASSWORD": "short"},
        capture_output=True,
        text=True,
    )
    assert weak.returncode == 1 and "at least 12 characters" in weak.stderr
    import sqlite3

    rows = sqlite3.connect(db).execute("SELECT username, role, password_hash FROM staff_users")
    (name, role, hashed), *rest = list(rows)
    assert (name, role, rest) == ("first-admin", "admin", [])
    assert hashed.startswith("$argon2id$")
