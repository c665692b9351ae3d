"""Content review for editors: drafts, stale snippets, coverage gaps, unanswered questions."""

from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy import select

from app.console.deps import Editor
from app.console.render import render
from app.console.router import console_router
from app.deps import SessionDep, SettingsDep
from app.knowledge.report import MIN_PER_TOPIC, content_report
from app.knowledge.validate import load_knowledge
from app.models import Question

router = console_router()
UNANSWERED_SHOWN = 200


@router.get("/review", name="console_review")
def review(request: Request, me: Editor, db: SessionDep, settings: SettingsDep) -> Response:
    knowledge = load_knowledge(settings.knowledge_dir, check_language=False)
    report = content_report(
        knowledge, settings.knowledge_dir, stale_after_days=settings.stale_after_days
    )
    # Stored masked (app.privacy.mask) and deleted after RETENTION_DAYS.
    unanswered = db.scalars(
        select(Question)
        .where(Question.answered.is_(False), Question.text_masked.is_not(None))
        .order_by(Question.created_at.desc(), Question.id.desc())
        .limit(UNANSWERED_SHOWN)
    ).all()
    return render(
        request,
        "review.html",
        {
            "me": me,
            "report": report,
            "min_per_topic": MIN_PER_TOPIC,
            "unanswered": unanswered,
        },
    )
