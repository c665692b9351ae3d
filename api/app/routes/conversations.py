"""Writes from the action server: handoffs to a person, feedback on answers, questions asked.

Every route needs the service key. Free text is masked before it is stored, the sender id
is kept only as a keyed hash, and everything is deleted after the retention period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from app.deps import ServiceKey, SessionDep, SettingsDep
from app.knowledge.taxonomy import topic_ids
from app.models import Feedback, Handoff, HandoffMessage, Question, Snippet
from app.privacy import mask, purge_expired, sender_hash
from app.schemas import (
    CreatedOut,
    ErrorOut,
    FeedbackIn,
    HandoffIn,
    HandoffOut,
    PurgeOut,
    QuestionIn,
)

router = APIRouter(prefix="/v1", dependencies=[ServiceKey])
AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "missing or wrong X-Service-Key"}
}
WRITE: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "body that cannot be read (not UTF-8)"},
    **AUTH,
    413: {"model": ErrorOut, "description": "request body over the configured size"},
    422: {"model": ErrorOut, "description": "invalid body, or a topic not in the taxonomy"},
}


def _check_topic(topic: str | None, settings: SettingsDep) -> None:
    if topic is not None and topic not in topic_ids(settings.knowledge_dir):
        raise HTTPException(422, [f"body.topic: unknown topic {topic!r}"])


@router.post(
    "/handoffs", status_code=201, response_model=HandoffOut, responses=WRITE, tags=["handoffs"]
)
def create_handoff(body: HandoffIn, session: SessionDep, settings: SettingsDep) -> HandoffOut:
    """She asked for a person and agreed that staff read the conversation.

    The transcript is stored with phone, e-mail and document numbers masked; the sender id
    only as a keyed hash, so her handoffs can be linked without knowing who she is.
    """
    _check_topic(body.topic, settings)
    handoff = Handoff(
        channel=body.channel,
        sender_hash=sender_hash(body.sender_id, settings.sender_salt),
        lang=body.lang,
        topic=body.topic,
        consent=body.consent,
        status="open",
        messages=[
            HandoffMessage(author=item.author, text_masked=mask(item.text))
            for item in body.transcript
        ],
    )
    session.add(handoff)
    session.commit()
    return HandoffOut(id=handoff.id, status="open")


@router.post(
    "/feedback",
    status_code=201,
    response_model=CreatedOut,
    responses={**WRITE, 404: {"model": ErrorOut, "description": "no such snippet"}},
    tags=["feedback"],
)
def create_feedback(body: FeedbackIn, session: SessionDep) -> CreatedOut:
    """She pressed "helpful" or "not helpful" under an answer."""
    return record_feedback(body, session)


def record_feedback(body: FeedbackIn, session: SessionDep) -> CreatedOut:
    """Store one rating; 404 for an unknown snippet. Also used by the widget's public route."""
    if session.scalar(select(Snippet.id).where(Snippet.id == body.snippet_id)) is None:
        raise HTTPException(404, f"no snippet {body.snippet_id!r}")
    row = Feedback(**body.model_dump())
    session.add(row)
    session.commit()
    return CreatedOut(id=row.id)


@router.post(
    "/questions", status_code=201, response_model=CreatedOut, responses=WRITE, tags=["questions"]
)
def create_question(body: QuestionIn, session: SessionDep, settings: SettingsDep) -> CreatedOut:
    """A question she asked. Its text is kept (masked) only when the bot could not answer it."""
    _check_topic(body.topic, settings)
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
