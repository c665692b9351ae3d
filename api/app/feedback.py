"""Feedback on answers: "helpful" or "not helpful" under one snippet, from the action
server (POST /v1/feedback) and from the web widget (POST /v1/widget/feedback)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.models import Feedback, Snippet
from app.schemas import FeedbackIn


class UnknownSnippet(NotFound):
    """The rated snippet does not exist (any more): a 404."""


def record_feedback(session: Session, body: FeedbackIn) -> Feedback:
    """Store one rating; UnknownSnippet when there is no such snippet."""
    if session.scalar(select(Snippet.id).where(Snippet.id == body.snippet_id)) is None:
        raise UnknownSnippet(f"no snippet {body.snippet_id!r}")
    row = Feedback(**body.model_dump())
    session.add(row)
    session.commit()
    return row
