"""The handoff queue and one handoff's page: read the conversation, take, reply, close.

Built on app.handoffs.service; the page refreshes its messages by fetching a fragment
(app/static/console/console.js), so a reply she sends appears without a reload. The
navigation's count of waiting handoffs polls /console/handoffs/count.

The queue reads as staff speak (app.handoffs.labels): topic and channel names in the
console's language, how long she has waited, and how she asked. A callback number is
masked everywhere except on the handoff's page for the staff member who took it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from app.console.deps import Posted, Staff
from app.console.render import render
from app.console.router import console_router
from app.deps import SessionDep, SettingsDep
from app.handoffs import labels, service
from app.handoffs.callback import mask_phone
from app.handoffs.schemas import HandoffId
from app.handoffs.service import HandoffClosed, HandoffNotFound, NoCallback, NotTakenByYou
from app.models import Handoff

router = console_router()
MAX_REPLY = 4000


def phone_for(handoff: Handoff, username: str) -> str | None:
    """The callback number in full for the staff member who took it; masked for anyone
    else; None when she asked for no callback (or the handoff closed)."""
    if handoff.callback_phone is None:
        return None
    if handoff.status == "taken" and handoff.taken_by == username:
        return handoff.callback_phone
    return mask_phone(handoff.callback_phone)


def _view(handoff: Handoff) -> dict[str, object]:
    """What the templates show of a handoff, as msgids they translate."""
    return {
        "topic": labels.topic_msgid(handoff.topic),
        "channel": labels.CHANNELS[handoff.channel],
        "language": labels.LANGUAGES.get(handoff.lang, handoff.lang),
        "state": labels.state_msgid(handoff),
        "waited": labels.duration_parts(labels.waited(handoff)),
    }


def _not_found(request: Request, me: Staff) -> Response:
    return render(request, "handoff_missing.html", {"me": me}, 404)


def _queue(db: SessionDep) -> list[tuple[Handoff, dict[str, object]]]:
    return [(h, _view(h)) for h in service.queue(db)]


@router.get("/handoffs", name="console_handoffs")
def handoff_queue(request: Request, me: Staff, db: SessionDep) -> Response:
    return render(request, "handoffs.html", {"me": me, "rows": _queue(db)})


@router.get("/handoffs/rows", name="console_handoff_rows")
def handoff_rows(request: Request, me: Staff, db: SessionDep) -> Response:
    return render(request, "handoff_rows.html", {"me": me, "rows": _queue(db)})


@router.get("/handoffs/count", name="console_handoff_count")
def handoff_count(me: Staff, db: SessionDep) -> Response:
    """Hand-offs open and not taken, for the navigation's count (polled every 15 s)."""
    return JSONResponse({"waiting": service.waiting_count(db)})


@router.get("/handoffs/{handoff_id}", name="console_handoff")
def handoff_page(request: Request, handoff_id: HandoffId, me: Staff, db: SessionDep) -> Response:
    handoff = service.get(db, handoff_id)
    if handoff is None:
        return _not_found(request, me)
    return render(
        request,
        "handoff.html",
        {
            "me": me,
            "h": handoff,
            "view": _view(handoff),
            "phone": phone_for(handoff, me.user.username),
            "max_reply": MAX_REPLY,
        },
    )


@router.get("/handoffs/{handoff_id}/messages", name="console_handoff_messages")
def handoff_messages(
    request: Request, handoff_id: HandoffId, me: Staff, db: SessionDep
) -> Response:
    handoff = service.get(db, handoff_id)
    if handoff is None:
        return _not_found(request, me)
    return render(request, "handoff_messages.html", {"me": me, "h": handoff})


def _back(handoff_id: int) -> Response:
    return RedirectResponse(f"/console/handoffs/{handoff_id}", status_code=303)


def _closed(request: Request, me: Staff, handoff_id: int) -> Response:
    return render(request, "handoff_closed.html", {"me": me, "handoff_id": handoff_id}, 409)


def _act(request: Request, me: Staff, handoff_id: int, action: Callable[[], object]) -> Response:
    """Run one staff action on a handoff; back to its page, or say why it could not be done."""
    try:
        action()
    except HandoffNotFound:
        return _not_found(request, me)
    except HandoffClosed:
        return _closed(request, me, handoff_id)
    except (NotTakenByYou, NoCallback):
        # The button is only on her page when it applies: a stale page, or a colleague
        # took it meanwhile. The page then says who has it.
        return _back(handoff_id)
    return _back(handoff_id)


@router.post("/handoffs/{handoff_id}/take", name="console_handoff_take")
def take(request: Request, handoff_id: HandoffId, me: Staff, _: Posted, db: SessionDep) -> Response:
    return _act(request, me, handoff_id, lambda: service.take(db, handoff_id, me.user.username))


@router.post("/handoffs/{handoff_id}/reply", name="console_handoff_reply")
def reply(
    request: Request,
    handoff_id: HandoffId,
    me: Staff,
    _: Posted,
    db: SessionDep,
    settings: SettingsDep,
    text: Annotated[str, Form(min_length=1, max_length=MAX_REPLY)],
) -> Response:
    if not text.strip():
        return _back(handoff_id)
    return _act(
        request,
        me,
        handoff_id,
        lambda: service.reply(db, settings, handoff_id, me.user.username, text.strip()),
    )


@router.post("/handoffs/{handoff_id}/close", name="console_handoff_close")
def close(
    request: Request,
    handoff_id: HandoffId,
    me: Staff,
    _: Posted,
    db: SessionDep,
    settings: SettingsDep,
) -> Response:
    return _act(
        request, me, handoff_id, lambda: service.close(db, settings, handoff_id, me.user.username)
    )


@router.post("/handoffs/{handoff_id}/called-back", name="console_handoff_called_back")
def called_back(
    request: Request, handoff_id: HandoffId, me: Staff, _: Posted, db: SessionDep
) -> Response:
    return _act(
        request, me, handoff_id, lambda: service.called_back(db, handoff_id, me.user.username)
    )
