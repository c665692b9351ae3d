"""GET /v1/stats: the anonymised statistics (app/statistics.py counts and withholds)."""

from __future__ import annotations

from fastapi import APIRouter

from app import statistics
from app.deps import ServiceKey, SessionDep, SettingsDep
from app.routes.errors import AUTH
from app.schemas import StatsOut

router = APIRouter(prefix="/v1", tags=["stats"], dependencies=[ServiceKey])


@router.get("/stats", response_model=StatsOut, responses=AUTH)
def stats(session: SessionDep, settings: SettingsDep) -> StatsOut:
    """What people ask, in which language and channel, and what the bot could not answer.

    Covers everything still kept (at most RETENTION_DAYS). Counts under `min_count` are
    `null` with `"suppressed": true`. Within a list, withheld counts always hide at least
    two cells holding `min_count` or more together, so a withheld count cannot be worked
    out from the total: that is why some larger counts are withheld too. Texts of
    unanswered questions appear only once asked `min_count` times, masked.
    """
    return statistics.report(session, settings.retention_days)
