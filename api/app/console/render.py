"""Render console pages: Jinja2 per language, the security headers, the console's routes.

Every console response goes through `ConsoleRoute`, which adds the security headers
(a CSP that allows no inline script, no framing, no referrer) and turns "not signed in"
into a redirect to the sign-in page and "wrong role" into a 403 page.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.i18n import SOURCE_LANG, SUPPORTED
from app.i18n.translate import install

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
LANG_COOKIE = "console_lang"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


class NotSignedIn(Exception):
    """No valid session cookie: the page sends her to the sign-in form."""


class Forbidden(Exception):
    """Signed in, but her role does not include this page."""

    def __init__(self, current: Any) -> None:
        super().__init__("forbidden")
        self.current = current


class CsrfRejected(Exception):
    """A form came back without the CSRF token of its session (or of the sign-in page)."""

    def __init__(self, current: Any = None) -> None:
        super().__init__("csrf")
        self.current = current


@lru_cache(maxsize=len(SUPPORTED))
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return install(env, lang)


def page_lang(request: Request) -> str:
    """The interface language: ?lang= (the switcher), then the cookie, then the browser's."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in SUPPORTED:
            return candidate
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in SUPPORTED:
            return code
    return SOURCE_LANG


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    lang = page_lang(request)
    html = (
        environment(lang)
        .get_template(f"console/{template}")
        .render(request=request, lang=lang, langs=SUPPORTED, **context)
    )
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") in SUPPORTED:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="strict"
        )
    return response


class ConsoleRoute(APIRoute):
    """A console route: security headers on every answer, sign-in and role errors as pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def console_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except NotSignedIn:
                response = RedirectResponse(
                    request.url_for("console_login_form").include_query_params(
                        next=request.url.path
                    ),
                    status_code=303,
                )
            except Forbidden as exc:
                response = render(request, "forbidden.html", {"me": exc.current}, 403)
            except CsrfRejected as exc:
                response = render(request, "csrf.html", {"me": exc.current}, 403)
            response.headers.update(SECURITY_HEADERS)
            return response

        return console_handler
