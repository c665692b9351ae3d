"""Writes from the action server: feedback on answers, questions asked (handoffs: handoffs.py).

Every route needs the service key. Free text is masked before it is stored, the sender id
is kept only as a keyed hash, and everything is deleted after the retention period.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Path
from sqlalchemy import delete, select

from app.deps import ServiceKey, SessionDep, SettingsDep
from app.feedback import record_feedback
from app.models import Handoff, HandoffMessage, Question
from app.privacy import mask, purge_expired, sender_hash
from app.routes.errors import AUTH, NO_SNIPPET, WRITE, check_topic
from app.schemas import (
    CreatedOut,
    ErrorOut,
    FeedbackIn,
    ForgottenOut,
    PurgeOut,
    QuestionIn,
)

router = APIRouter(prefix="/v1", dependencies=[ServiceKey])


@router.post(
    "/feedback",
    status_code=201,
    response_model=CreatedOut,
    responses={**WRITE, **NO_SNIPPET},
    tags=["feedback"],
)
def create_feedback(body: FeedbackIn, session: SessionDep) -> CreatedOut:
    """She pressed "helpful" or "not helpful" under an answer."""
    return CreatedOut(id=record_feedback(session, body).id)  # 404: UnknownSnippet


@router.post(
    "/questions", status_code=201, response_model=CreatedOut, responses=WRITE, tags=["questions"]
)
def create_question(body: QuestionIn, session: SessionDep, settings: SettingsDep) -> CreatedOut:
    """A question she asked. Its text is kept (masked) only when the bot could not answer it."""
    check_topic(body.topic, settings)
    row = Question(
        channel=body.channel,
        lang=body.lang,
        topic=body.topic,
        answered=body.answered,
        text_masked=None if body.answered else mask(body.text),
    )
    session.add(row)
    session.commit()
    return CreatedOut(id=row.id)


@router.post("/privacy/purge", response_model=PurgeOut, responses=AUTH, tags=["privacy"])
def purge(session: SessionDep, settings: SettingsDep) -> PurgeOut:
    """Delete handoffs, messages, feedback and questions older than RETENTION_DAYS.

    Also run daily by `python -m app.cli purge`; safe to call any time.
    """
    now = dt.datetime.now(dt.UTC)
    deleted = purge_expired(session, settings.retention_days, now=now)
    return PurgeOut(cutoff=now - dt.timedelta(days=settings.retention_days), deleted=deleted)


@router.delete(
    "/conversations/{sender_id:path}",
    response_model=ForgottenOut,
    responses={
        **AUTH,
        # The path cannot carry a line break: such an id matches no route.
        404: {"model": ErrorOut, "description": "a sender id with a line break"},
        422: {"model": ErrorOut, "description": "sender id too long"},
    },
    tags=["privacy"],
)
def forget(
    session: SessionDep,
    settings: SettingsDep,
    sender_id: str = Path(min_length=1, max_length=256),
) -> ForgottenOut:
    """She asked the bot to forget her (/forget): delete her handoffs and their messages.

    The raw sender id is hashed here, as when her handoffs were stored, and not kept.
    Feedback and questions carry no sender at all, so nothing of hers is left in them.
    The bot deletes her conversation from Rasa's tracker store itself.
    """
    owner = sender_hash(sender_id, settings.sender_salt)
    hers = select(Handoff.id).where(Handoff.sender_hash == owner)
    messages = session.execute(delete(HandoffMessage).where(HandoffMessage.handoff_id.in_(hers)))
    handoffs = session.execute(delete(Handoff).where(Handoff.sender_hash == owner))
    session.commit()
    return ForgottenOut(
        deleted={
            "handoffs": int(handoffs.rowcount),  # type: ignore[attr-defined]
            "handoff_messages": int(messages.rowcount),  # type: ignore[attr-defined]
        }
    )
