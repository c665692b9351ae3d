"""Answer lookup (one box, three languages side by side) and referral lookup."""

from __future__ import annotations

from typing import Annotated, get_args

from fastapi import Query, Request, Response

from app.console.deps import Staff
from app.console.render import render
from app.console.router import console_router
from app.deps import SessionDep, SettingsDep
from app.i18n import SUPPORTED
from app.knowledge.schema import ReferralKind
from app.knowledge.taxonomy import load_taxonomy
from app.models import Snippet
from app.referrals import cities, find_referrals
from app.search.service import search

router = console_router()
MAX_RESULTS = 8
KINDS = get_args(ReferralKind)


@router.get("/lookup", name="console_lookup")
def lookup(
    request: Request,
    me: Staff,
    db: SessionDep,
    q: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    q = q.strip()
    snippets: list[Snippet] = []
    if q:
        seen: set[str] = set()
        # The search ranks one text per language; staff want each answer once, in all three.
        for hit in search(db, q, lang=None, limit=MAX_RESULTS * 3):
            if hit.snippet_id in seen:
                continue
            seen.add(hit.snippet_id)
            row = db.get(Snippet, hit.snippet_id)
            if row is not None and row.status == "approved":
                snippets.append(row)
            if len(snippets) == MAX_RESULTS:
                break
    return render(
        request,
        "lookup.html",
        {"me": me, "q": q, "snippets": snippets, "text_langs": SUPPORTED},
    )


@router.get("/referrals", name="console_referrals")
def referrals(
    request: Request,
    me: Staff,
    db: SessionDep,
    settings: SettingsDep,
    city: Annotated[str, Query(max_length=60, pattern=r"^[a-z_-]*$")] = "",
    service: Annotated[str, Query(max_length=80, pattern=r"^[a-z_.]*$")] = "",
    lang: Annotated[str, Query(alias="speaks", max_length=2, pattern=r"^(kk|ru|en)?$")] = "",
    kind: Annotated[str, Query(max_length=20, pattern=r"^(state|ngo|international)?$")] = "",
) -> Response:
    """The same choice as the bot's (app.referrals), so staff see what she is told."""
    services = [
        s for area, topics in load_taxonomy(settings.knowledge_dir).items() for s in (area, *topics)
    ]
    searched = bool(city or service or lang or kind)
    found = (
        find_referrals(
            db,
            settings.knowledge_dir,
            city=city or None,
            service=service or None,
            lang=lang or None,
            kind=kind or None,
        )
        if searched
        else None
    )
    return render(
        request,
        "referrals.html",
        {
            "me": me,
            "cities": cities(settings.knowledge_dir),
            "services": services,
            "kinds": KINDS,
            "city": city,
            "service": service,
            "in_lang": lang,
            "kind": kind,
            "searched": searched,
            "rows": found.referrals if found else [],
            "city_used": found.city_used if found else None,
        },
    )
