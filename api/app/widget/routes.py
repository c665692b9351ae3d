"""The widget's routes: the script, the demo page at `/`, and public feedback.

The feedback route needs no service key (the widget runs in her browser), so it is rate
limited per client and answers cross-origin only to the sites in WIDGET_ORIGINS.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from string import Template
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.deps import SessionDep, SettingsDep
from app.feedback import record_feedback
from app.i18n import SUPPORTED, Lang
from app.routes.errors import NO_SNIPPET, WRITE, error
from app.schemas import CreatedOut, FeedbackIn
from app.widget.bundle import build
from app.widget.strings import DEMO, translated

router = APIRouter()
DEMO_PAGE = Template((Path(__file__).with_name("demo.html")).read_text(encoding="utf-8"))
LANG_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def feedback_rate_limit(request: Request, settings: SettingsDep) -> None:
    """429 when one client (IP) posts more than WIDGET_FEEDBACK_RATE_LIMIT."""
    state = request.app.state
    if not hasattr(state, "widget_limiter"):
        state.widget_limiter = MovingWindowRateLimiter(MemoryStorage())
    client = request.client.host if request.client else "unknown"
    if not state.widget_limiter.hit(parse(settings.widget_feedback_rate_limit), "fb", client):
        raise HTTPException(429, "too many ratings from this address; try again later")


@router.get(
    "/widget.js",
    response_class=Response,
    responses={200: {"content": {"text/javascript": {}}}, 304: {"description": "not modified"}},
    tags=["widget"],
)
def widget_script(request: Request, settings: SettingsDep) -> Response:
    """The chat widget, one file: embed it with `<script src=".../widget.js" data-lang="kk">`."""
    bundle = build(settings.locales_dir, settings.widget_exit_url)
    headers = {"ETag": bundle.etag, "Cache-Control": "public, max-age=300"}
    if bundle.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(bundle.body, media_type="text/javascript; charset=utf-8", headers=headers)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def demo_page(
    request: Request,
    settings: SettingsDep,
    lang: Annotated[Lang, Query()] = "kk",
) -> HTMLResponse:
    """A neutral page that embeds the widget, so `make run` shows it working."""
    text = translated(settings.locales_dir, lang, DEMO)
    links = "".join(
        f'<li><a href="/?lang={code}" lang="{code}"'
        + (' aria-current="page"' if code == lang else "")
        + f">{LANG_NAMES[code]}</a></li>"
        for code in SUPPORTED
    )
    base = str(request.base_url).rstrip("/")
    socket = settings.widget_socket_url
    page = DEMO_PAGE.substitute(
        lang=lang,
        title=escape(text["demo_title"]),
        text=escape(text["demo_text"]),
        languages=escape(text["demo_languages"]),
        links=links,
        script=escape(f"{base}/widget.js"),
        api_url=escape(base),
        socket_attr=f' data-socket-url="{escape(socket)}"' if socket else "",
    )
    return HTMLResponse(page, headers={"Cache-Control": "no-cache"})


FEEDBACK: dict[int | str, dict[str, Any]] = {
    **{k: v for k, v in WRITE.items() if k != 401},
    **NO_SNIPPET,
    429: error("too many ratings from this client"),
}


@router.post(
    "/v1/widget/feedback",
    status_code=201,
    response_model=CreatedOut,
    responses=FEEDBACK,
    dependencies=[Depends(feedback_rate_limit)],
    tags=["feedback"],
)
def widget_feedback(body: FeedbackIn, session: SessionDep) -> CreatedOut:
    """Helpful / not helpful from the web widget: no key, the same checks as /v1/feedback."""
    return CreatedOut(id=record_feedback(session, body).id)  # 404: UnknownSnippet
