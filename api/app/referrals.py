"""Who can help her: approved organisations chosen by her need and her city.

Used by GET /v1/referrals (the bot and the widget) and the console's referral lookup, so
staff see what the bot would say. The order is the bot's: the most specific first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.knowledge.schema import City
from app.knowledge.validate import NATIONWIDE, Problem, read_cities
from app.models import Referral

# What else serves a need once the organisations for the topic itself are named: a legal
# question goes to free legal aid, work to the labour inspection and then legal aid.
# Keys are topics or areas; the topic's own area always comes right after the topic.
ALSO_SERVES: dict[str, tuple[str, ...]] = {
    "safety.trafficking": ("legal.aid",),
    "safety.lost_documents": ("legal.aid",),
    "stay": ("legal.aid",),
    "work": ("work.rights", "legal.aid"),
    "child": ("legal.aid",),
    "legal": ("legal.aid",),
}


@dataclass(frozen=True)
class Found:
    referrals: list[Referral]
    # The city whose organisations came first: hers, the regional centre near it when she
    # has none for this need, or "nationwide". None when no city was asked for.
    city_used: str | None


@lru_cache(maxsize=4)
def cities(knowledge_dir: Path) -> dict[str, City]:
    problems: list[Problem] = []
    return {c.id: c for c in read_cities(knowledge_dir, problems)}


def needs(service: str | None) -> tuple[str, ...]:
    """The services that answer a topic, most specific first ("" = any organisation)."""
    if not service:
        return ()
    area = service.split(".", 1)[0]
    order = [service, area, *ALSO_SERVES.get(service, ()), *ALSO_SERVES.get(area, ())]
    return tuple(dict.fromkeys(order))


def _fit(ref: Referral, wanted: tuple[str, ...]) -> tuple[int, int, int] | None:
    """How closely it serves her need, smaller is closer: which need it serves, whether it
    names that need or only its whole area, and how central that need is to it (its order
    of services). None: it does not serve her need."""
    if not wanted:
        return (0, 0, 0)
    for level, need in enumerate(wanted):
        for position, offered in enumerate(ref.services):
            if _covers(offered, need):
                return (level, 0 if offered == need else 1, position)
    return None


def _covers(offered: str, need: str) -> bool:
    """A service covers a need when they are the same, or one is the area of the other."""
    area_of = offered.split(".", 1)[0] if "." not in need else None
    return offered == need or area_of == need or need.startswith(offered + ".")


def find_referrals(
    session: Session,
    knowledge_dir: Path,
    *,
    city: str | None,
    service: str | None,
    lang: str | None = None,
    kind: str | None = None,
) -> Found:
    """Approved organisations for her need near her: her city's first, then the regional
    centre's, then nationwide lines; within each, the ones made for her need first."""
    known = cities(knowledge_dir)
    near = known[city].near if city in known else None
    places = [p for p in (city, near) if p]
    wanted = needs(service)
    ranked = []
    for ref in session.scalars(select(Referral).where(Referral.status == "approved")):
        if (kind and ref.data.get("kind") != kind) or (lang and lang not in ref.languages):
            continue
        fit = _fit(ref, wanted)
        place = next((n for n, p in enumerate(places) if p in ref.cities), None)
        if place is None and NATIONWIDE in ref.cities:
            place = len(places)
        elif place is None and not city:
            place = 1  # no city asked: every city's, after the nationwide lines
        if fit is None or place is None:
            continue
        ranked.append(((fit[0], place, *fit[1:], ref.id), ref))
    ranked.sort(key=lambda pair: pair[0])
    rows = [ref for _, ref in ranked]
    used = None
    if city:
        local = [places[key[1]] for key, _ in ranked if key[1] < len(places)]
        used = min(local, key=places.index) if local else NATIONWIDE
    return Found(rows, used)
