"""Security headers on every response of the API, the staff console and the widget host.

Pure ASGI and outermost, so errors, 413s and rate-limit answers carry them too. Pages are
not framed anywhere (clickjacking on the console), except the widget's own paths, which an
NGO's site embeds. A route that sets its own Content-Security-Policy keeps it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
]
# Pages of our own: scripts, styles and requests only from this origin, never framed.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The widget's pages run inside the NGO's site and talk to the bot's socket.io endpoint,
# which may be another origin (Rasa's port in development, the proxy in production).
WIDGET_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self' https: wss: http: ws:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors *"
)
# FastAPI's API docs load Swagger UI and ReDoc from jsDelivr and start them inline.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https:; "
    "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
EMBEDDABLE = ("/widget",)  # /widget.js, /widget/... : embedded in NGO sites
DOCS = ("/docs", "/redoc")
# The demo page embeds the widget (so it talks to Rasa's socket.io origin) but is not framed.
DEMO = "/"
DEMO_CSP = WIDGET_CSP.replace("frame-ancestors *", "frame-ancestors 'none'")
HSTS = (b"strict-transport-security", b"max-age=31536000")


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, https_only: bool) -> None:
        self.app = app
        # HSTS only where the site is served over HTTPS (production, behind the proxy);
        # on a developer's http://localhost it would make the browser refuse the site.
        self.https_only = https_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        embeddable = path.startswith(EMBEDDABLE)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {key.lower() for key, _ in headers}
                extra = [h for h in ALWAYS if h[0] not in names]
                if not embeddable and b"x-frame-options" not in names:
                    extra.append((b"x-frame-options", b"DENY"))
                if _is_html(headers) and b"content-security-policy" not in names:
                    if embeddable:
                        csp = WIDGET_CSP
                    elif path == DEMO:
                        csp = DEMO_CSP
                    else:
                        csp = DOCS_CSP if path in DOCS else PAGE_CSP
                    extra.append((b"content-security-policy", csp.encode()))
                if self.https_only:
                    extra.append(HSTS)
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
