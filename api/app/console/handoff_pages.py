"""The handoff queue and one handoff's page: read the conversation, take, reply, close.

Built on app.handoffs.service; the page refreshes its messages by fetching a fragment
(app/static/console/console.js), so a reply she sends appears without a reload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import RedirectResponse

from app.console.deps import Posted, Staff
from app.console.render import render
from app.console.router import console_router
from app.deps import SessionDep, SettingsDep
from app.handoffs import service
from app.handoffs.service import HandoffClosed, HandoffNotFound
from app.models import Handoff, utcnow
from app.routes.handoffs import HandoffId

router = console_router()
MAX_REPLY = 4000


def waiting_minutes(handoff: Handoff) -> int:
    """Minutes she has waited for a person (until taken), or waits still."""
    end = handoff.taken_at or utcnow()
    return max(0, int((end - handoff.created_at).total_seconds() // 60))


def _not_found(request: Request, me: Staff) -> Response:
    return render(request, "handoff_missing.html", {"me": me}, 404)


@router.get("/handoffs", name="console_handoffs")
def handoff_queue(request: Request, me: Staff, db: SessionDep) -> Response:
    rows = service.queue(db)
    return render(request, "handoffs.html", {"me": me, "rows": rows, "waiting": waiting_minutes})


@router.get("/handoffs/rows", name="console_handoff_rows")
def handoff_rows(request: Request, me: Staff, db: SessionDep) -> Response:
    rows = service.queue(db)
    return render(
        request, "handoff_rows.html", {"me": me, "rows": rows, "waiting": waiting_minutes}
    )


@router.get("/handoffs/{handoff_id}", name="console_handoff")
def handoff_page(request: Request, handoff_id: HandoffId, me: Staff, db: SessionDep) -> Response:
    handoff = service.get(db, handoff_id)
    if handoff is None:
        return _not_found(request, me)
    return render(
        request,
        "handoff.html",
        {"me": me, "h": handoff, "waiting": waiting_minutes(handoff), "max_reply": MAX_REPLY},
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
