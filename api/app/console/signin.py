"""Sign-in, sign-out, the console's home and its static files."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import Form, HTTPException, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from app.console.accounts import authenticate, end_session, find_session, same_token, start_session
from app.console.deps import PRE_CSRF_COOKIE, SESSION_COOKIE, Posted, Staff
from app.console.render import CsrfRejected, render
from app.console.router import console_router
from app.core.config import Settings
from app.deps import SessionDep, SettingsDep
from app.handoffs import presence

router = console_router()
STATIC = Path(__file__).resolve().parents[1] / "static" / "console"
STATIC_FILES = {"console.css": "text/css", "console.js": "text/javascript"}


def _cookie(response: Response, settings: Settings, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=settings.console_secure_cookie,
    )


def _safe_next(target: str | None) -> str | None:
    """Only a path inside the console: never another site (open redirect)."""
    if target and target.startswith("/console/") and "//" not in target and "\\" not in target:
        return target
    return None


@router.get("/static/{name}", name="console_static")
def static(name: str) -> FileResponse:
    if name not in STATIC_FILES:
        raise HTTPException(404, "no such file")
    return FileResponse(STATIC / name, media_type=STATIC_FILES[name])


@router.post("/availability", name="console_availability")
def availability(
    me: Posted,
    db: SessionDep,
    available: Annotated[str, Form(max_length=1)] = "0",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """The header's toggle: available for hand-offs, or away. Back to the page she was on."""
    presence.set_available(db, me.user, available == "1")
    return RedirectResponse(_safe_next(next) or "/console/handoffs", status_code=303)


@router.get("/", name="console_home")
def home(me: Staff) -> RedirectResponse:
    return RedirectResponse("/console/lookup", status_code=303)


def _login_page(
    request: Request, settings: Settings, *, error: bool, status: int, next_path: str | None
) -> Response:
    token = request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(32)
    context: dict[str, Any] = {
        "me": None,
        "csrf": token,
        "error": error,
        "next": _safe_next(next_path) or "",
        "max_failed": settings.console_max_failed_logins,
        "lockout_minutes": settings.console_lockout_minutes,
    }
    response = render(request, "login.html", context, status)
    _cookie(response, settings, PRE_CSRF_COOKIE, token, 3600)
    return response


@router.get("/login", name="console_login_form")
def login_form(
    request: Request, settings: SettingsDep, db: SessionDep, next: str | None = None
) -> Response:
    if find_session(db, request.cookies.get(SESSION_COOKIE)) is not None:
        return RedirectResponse(_safe_next(next) or "/console/lookup", status_code=303)
    return _login_page(request, settings, error=False, status=200, next_path=next)


@router.post("/login", name="console_login")
def login(
    request: Request,
    settings: SettingsDep,
    db: SessionDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    # Double submit: the form's token must equal the cookie set with the form.
    if not same_token(csrf_token, request.cookies.get(PRE_CSRF_COOKIE) or ""):
        raise CsrfRejected
    user = authenticate(db, settings, username, password)
    if user is None:
        return _login_page(request, settings, error=True, status=401, next_path=next)
    signed = start_session(db, settings, user)
    response = RedirectResponse(_safe_next(next) or "/console/lookup", status_code=303)
    _cookie(response, settings, SESSION_COOKIE, signed.token, settings.console_session_hours * 3600)
    response.delete_cookie(PRE_CSRF_COOKIE, path="/console")
    return response


@router.post("/logout", name="console_logout")
def logout(me: Posted, db: SessionDep) -> Response:
    # Signed out is away: the bot must not promise her to anyone any more.
    presence.set_available(db, me.user, False)
    end_session(db, me.session)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response
