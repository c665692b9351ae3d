"""Handoffs to a person: the action server opens them and relays her messages (service key);
the web widget fetches staff replies (public, rate limited like every route)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from app.deps import ServiceKey, SessionDep, SettingsDep
from app.handoffs import service
from app.handoffs.callback import InvalidPhone
from app.handoffs.schemas import (
    MAX_ID,
    AvailabilityOut,
    ButtonOut,
    HandoffCreated,
    HandoffDetail,
    HandoffId,
    HandoffIn,
    HandoffOut,
    MessageOut,
    RepliesOut,
    ReplyOut,
    SweepOut,
    UserMessageIn,
)
from app.models import Handoff
from app.routes.errors import AUTH, WRITE, check_topic
from app.schemas import ErrorOut

# The public route must be registered before /v1/handoffs/{handoff_id} (see app.main).
public = APIRouter(prefix="/v1/handoffs", tags=["handoffs"])
router = APIRouter(prefix="/v1/handoffs", tags=["handoffs"], dependencies=[ServiceKey])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "no such handoff (or deleted by the purge)"}
}
CLOSED: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorOut, "description": "the handoff is closed: the bot answers her again"}
}


@public.get(
    "/replies",
    response_model=RepliesOut,
    responses={422: {"model": ErrorOut, "description": "session shorter than 16 characters"}},
)
def handoff_replies(
    session: SessionDep,
    settings: SettingsDep,
    session_id: Annotated[
        str,
        Query(
            alias="session",
            min_length=16,
            max_length=200,
            description="the widget's socket.io session id (her sender id)",
            examples=["b1946ac92492d2347c6235b4d2611184"],
        ),
    ],
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="id of the last message already shown")
    ] = 0,
) -> RepliesOut:
    """Staff replies for the web widget, which polls this while a handoff is active.

    Lists the staff messages (replies and the closing notice) of her latest handoff from
    this session with an id above `after`, and that handoff's status; `status` is null when
    the session never had a handoff. No key: the session id is the secret, known only to
    her browser.
    """
    status, messages = service.replies_for(session, settings, session_id, after)
    return RepliesOut(
        status=status,
        messages=[
            ReplyOut(
                id=m.id,
                text=m.text_masked,
                created_at=m.created_at,
                buttons=[
                    ButtonOut(title=title, payload=payload) for title, payload in m.buttons or []
                ],
            )
            for m in messages
        ],
    )


@router.get("/availability", response_model=AvailabilityOut, responses=AUTH)
def availability(session: SessionDep, settings: SettingsDep) -> AvailabilityOut:
    """Before she asks for a person: are staff hours on, how many staff are available now,
    how many wait already, and when hours start again (STAFF_HOURS, Kazakhstan time).

    `available` counts staff who marked themselves available in the console and were seen
    there in the last 30 minutes, in hours or not.
    """
    found = service.availability(session, settings)
    return AvailabilityOut(
        in_hours=found.in_hours,
        available=found.available,
        waiting=found.waiting,
        next_open=found.next_open,
    )


@router.post("/sweep", response_model=SweepOut, responses=AUTH)
def sweep(session: SessionDep, settings: SettingsDep) -> SweepOut:
    """Tell her once when nobody took her hand-off in time; close stale ones.

    The same as `python -m app.cli handoff-sweep`, which the stack runs every minute.
    Idempotent.
    """
    done = service.sweep(session, settings)
    return SweepOut(untaken_notified=done.untaken_notified, closed_stale=done.closed_stale)


@router.post("", status_code=201, response_model=HandoffCreated, responses=WRITE)
def create_handoff(body: HandoffIn, session: SessionDep, settings: SettingsDep) -> HandoffCreated:
    """She asked for a person and agreed that staff read the conversation.

    The transcript is stored with phone, e-mail and document numbers masked; the sender id
    as a keyed hash, and once more as the address staff replies are delivered to, until
    the handoff closes. `mode` says how she asked: now (live), a message for when staff
    are back, or a callback on `callback_phone`. The answer gives her place in the queue
    (`position`: how many wait before her) and whether staff hours are on.
    """
    check_topic(body.topic, settings)
    try:
        handoff = service.open_handoff(
            session,
            settings,
            channel=body.channel,
            sender_id=body.sender_id,
            lang=body.lang,
            topic=body.topic,
            consent=body.consent,
            transcript=[(item.author, item.text) for item in body.transcript],
            mode=body.mode,
            callback_phone=body.callback_phone,
        )
    except InvalidPhone as exc:  # checked by HandoffIn already; kept for the service's word
        raise HTTPException(422, [f"body.callback_phone: {exc}"]) from None
    return HandoffCreated(
        id=handoff.id,
        status="open",
        position=service.position(session, handoff),
        in_hours=bool(handoff.in_hours),
    )


def _found(handoff: Handoff | None, handoff_id: int) -> Handoff:
    if handoff is None:
        raise HTTPException(404, f"no handoff {handoff_id}")
    return handoff


@router.post(
    "/{handoff_id}/messages",
    status_code=201,
    response_model=HandoffOut,
    responses={**WRITE, **NOT_FOUND, **CLOSED},
)
def add_message(handoff_id: HandoffId, body: UserMessageIn, session: SessionDep) -> HandoffOut:
    """A message she wrote while a person has the conversation; answers the status.

    409 once staff closed it (and 404 after the purge): the bot then answers her again.
    """
    try:
        handoff = service.add_user_message(session, handoff_id, body.text)
    except service.HandoffNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except service.HandoffClosed as exc:
        raise HTTPException(409, str(exc)) from None
    return HandoffOut(id=handoff.id, status=handoff.status)


BAD_ID: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorOut, "description": "an id that is not a positive integer"}
}


@router.get(
    "/{handoff_id}", response_model=HandoffDetail, responses={**AUTH, **NOT_FOUND, **BAD_ID}
)
def read_handoff(handoff_id: HandoffId, session: SessionDep) -> HandoffDetail:
    """Status and (masked) messages of one handoff, oldest first."""
    handoff = _found(service.get(session, handoff_id), handoff_id)
    return HandoffDetail(
        id=handoff.id,
        status=handoff.status,
        channel=handoff.channel,
        lang=handoff.lang,
        topic=handoff.topic,
        created_at=handoff.created_at,
        taken_by=handoff.taken_by,
        taken_at=handoff.taken_at,
        closed_at=handoff.closed_at,
        mode=handoff.mode,
        in_hours=handoff.in_hours,
        position=service.position(session, handoff),
        messages=[
            MessageOut(
                id=m.id,
                author=m.author,
                text=m.text_masked,
                created_at=m.created_at,
                delivered_at=m.delivered_at,
                delivery_error=m.delivery_error,
            )
            for m in handoff.messages
        ],
    )
