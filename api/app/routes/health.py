"""Liveness and readiness for the proxy, compose and the test fixtures."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import func, select

from app.deps import SessionDep
from app.models import Snippet

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(session: SessionDep) -> dict[str, object]:
    try:
        approved = session.scalar(select(func.count()).where(Snippet.status == "approved"))
    except Exception as exc:  # the database is down or not migrated
        raise HTTPException(503, "database not ready") from exc
    return {"status": "ready", "approved_snippets": approved}
