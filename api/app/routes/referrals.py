"""Referral contacts: who can help, by city, service, language and kind."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.deps import SessionDep, SettingsDep
from app.i18n import Lang
from app.knowledge.schema import ReferralKind, digits_of
from app.referrals import find_referrals
from app.routes.caching import etag_response
from app.schemas import ErrorOut, PhoneOut, ReferralList, ReferralOut

router = APIRouter(prefix="/v1", tags=["referrals"])


@router.get("/referrals", response_model=ReferralList, responses={422: {"model": ErrorOut}})
def list_referrals(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    city: Annotated[
        str | None, Query(max_length=60, pattern=r"^[a-z_-]+$", examples=["almaty"])
    ] = None,
    service: Annotated[
        str | None,
        Query(max_length=80, pattern=r"^[a-z_.]+$", examples=["safety.domestic_violence"]),
    ] = None,
    lang: Lang | None = None,
    kind: ReferralKind | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    """Approved organisations for a need near a city, the most specific first: the city's
    own, then its regional centre's (`city_used` says which), then nationwide lines."""
    found = find_referrals(
        session, settings.knowledge_dir, city=city, service=service, lang=lang, kind=kind
    )
    results = []
    for r in found.referrals[:limit]:
        data = dict(r.data)
        phones = [PhoneOut(**p, tel="tel:" + digits_of(p["number"])) for p in data.pop("phone")]
        results.append(
            ReferralOut(
                id=r.id,
                services=r.services,
                cities=r.cities,
                languages=r.languages,
                last_verified=r.last_verified,
                phone=phones,
                **data,
            )
        )
    listing = ReferralList(city=city, service=service, city_used=found.city_used, results=results)
    return etag_response(request, listing)
