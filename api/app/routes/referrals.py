"""Referral contacts: who can help, by city, service and language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.deps import SessionDep
from app.models import Referral
from app.routes.caching import etag_response
from app.schemas import ErrorOut, Lang, ReferralList, ReferralOut

router = APIRouter(prefix="/v1", tags=["referrals"])
NATIONWIDE = "nationwide"


def _closeness(ref: Referral, city: str | None, service: str | None) -> tuple[int, int, str]:
    """Smaller is closer: her city before nationwide, her exact topic before its area."""
    place = 0 if city and city in ref.cities else 1
    fit = 0 if not service or service in ref.services else 1
    return (place, fit, ref.id)


def _serves(ref: Referral, service: str) -> bool:
    area = service.split(".", 1)[0]
    return any(s in (service, area) or s.startswith(service + ".") for s in ref.services)


def find_referrals(
    session: Session, *, city: str | None, service: str | None, lang: str | None
) -> list[Referral]:
    """Approved referrals for a city, service and language (the API and the console)."""
    rows = [r for r in session.scalars(select(Referral).where(Referral.status == "approved"))]
    if city:
        rows = [r for r in rows if city in r.cities or NATIONWIDE in r.cities]
    if service:
        rows = [r for r in rows if _serves(r, service)]
    if lang:
        rows = [r for r in rows if lang in r.languages]
    rows.sort(key=lambda r: _closeness(r, city, service))
    return rows


@router.get("/referrals", response_model=ReferralList, responses={422: {"model": ErrorOut}})
def list_referrals(
    request: Request,
    session: SessionDep,
    city: Annotated[
        str | None, Query(max_length=60, pattern=r"^[a-z_-]+$", examples=["almaty"])
    ] = None,
    service: Annotated[
        str | None,
        Query(max_length=80, pattern=r"^[a-z_.]+$", examples=["safety.domestic_violence"]),
    ] = None,
    lang: Lang | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    """Approved organisations; nationwide ones are always included; closest help first."""
    rows = find_referrals(session, city=city, service=service, lang=lang)
    return etag_response(
        request,
        ReferralList(
            results=[
                ReferralOut(
                    id=r.id,
                    services=r.services,
                    cities=r.cities,
                    languages=r.languages,
                    last_verified=r.last_verified,
                    **r.data,
                )
                for r in rows[:limit]
            ]
        ),
    )
