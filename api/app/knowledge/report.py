"""What NGO editors need to know: coverage per topic and language, drafts, stale snippets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from app.i18n import SUPPORTED
from app.knowledge.taxonomy import load_taxonomy
from app.knowledge.validate import NATIONWIDE, Knowledge

MIN_PER_TOPIC = 3


def content_report(
    knowledge: Knowledge,
    knowledge_dir: Path,
    *,
    stale_after_days: int,
    today: dt.date | None = None,
) -> dict[str, Any]:
    today = today or dt.date.today()
    taxonomy = load_taxonomy(knowledge_dir)
    approved = [s for _, s in knowledge.snippets if s.status == "approved"]
    coverage: dict[str, dict[str, int]] = {}
    for topics in taxonomy.values():
        for topic in topics:
            coverage[topic] = {lang: 0 for lang in SUPPORTED}
    for snippet in approved:
        for lang, body in snippet.text.items():
            if body and snippet.topic in coverage:
                coverage[snippet.topic][lang] += 1
    cells = [n for per_lang in coverage.values() for n in per_lang.values()]
    covered = sum(1 for n in cells if n >= MIN_PER_TOPIC)
    cutoff = today - dt.timedelta(days=stale_after_days)
    return {
        "generated": today.isoformat(),
        "stale_after_days": stale_after_days,
        "totals": {
            "snippets": len(knowledge.snippets),
            "approved": len(approved),
            "draft": sum(1 for _, s in knowledge.snippets if s.status == "draft"),
            "retired": sum(1 for _, s in knowledge.snippets if s.status == "retired"),
            "referrals": len(knowledge.referrals),
        },
        "coverage_percent": round(100 * covered / len(cells), 1) if cells else 0.0,
        "coverage": coverage,
        "gaps": [
            {"topic": t, "lang": lang, "approved": n}
            for t, per_lang in coverage.items()
            for lang, n in per_lang.items()
            if n < MIN_PER_TOPIC
        ],
        "drafts": [{"id": s.id, "file": f} for f, s in knowledge.snippets if s.status == "draft"],
        "stale": [
            {"id": s.id, "file": f, "last_reviewed": s.last_reviewed.isoformat()}
            for f, s in knowledge.snippets
            if s.status == "approved" and s.last_reviewed < cutoff
        ],
        "referral_coverage": referral_coverage(knowledge, list(taxonomy)),
        "referral_drafts": [
            {"id": r.id, "cities": r.cities, "phones": len(r.phone)}
            for r in knowledge.referrals
            if r.status == "draft"
        ],
        "stale_referrals": [
            {"id": r.id, "last_verified": r.last_verified.isoformat()}
            for r in knowledge.referrals
            if r.status == "approved" and r.last_verified < cutoff
        ],
    }


def referral_coverage(knowledge: Knowledge, areas: list[str]) -> dict[str, dict[str, int]]:
    """Approved organisations per city and area of need (nationwide lines in their own row):
    where a mother in that city would be told only of the national lines."""
    cities = [c.id for c in knowledge.cities] + [NATIONWIDE]
    table = {city: dict.fromkeys(areas, 0) for city in cities}
    for ref in knowledge.referrals:
        if ref.status != "approved":
            continue
        served = {s.split(".", 1)[0] for s in ref.services}
        for city in ref.cities:
            for area in served & set(areas):
                table.setdefault(city, dict.fromkeys(areas, 0))[area] += 1
    return table


def format_report(report: dict[str, Any]) -> str:
    lines = [
        f"Knowledge report ({report['generated']}, stale after {report['stale_after_days']} days)",
        "snippets: {snippets} ({approved} approved, {draft} draft, {retired} retired); "
        "referrals: {referrals}".format(**report["totals"]),
        f"coverage (>= {MIN_PER_TOPIC} approved per topic and language): "
        f"{report['coverage_percent']}%",
        "",
        f"{'topic':34} {'kk':>4} {'ru':>4} {'en':>4}",
    ]
    for topic, per_lang in report["coverage"].items():
        flag = "" if min(per_lang.values()) >= MIN_PER_TOPIC else "  <- gap"
        lines.append(
            f"{topic:34} {per_lang['kk']:>4} {per_lang['ru']:>4} {per_lang['en']:>4}{flag}"
        )
    for title, key in (("Drafts", "drafts"), ("Stale snippets", "stale")):
        lines += ["", f"{title}: {len(report[key])}"]
        lines += [f"  {item['id']} ({item['file']})" for item in report[key]]
    coverage = report["referral_coverage"]
    areas = list(next(iter(coverage.values()), {}))
    lines += ["", "Approved referrals per city and need (0: only nationwide lines there)"]
    lines.append(f"{'city':14}" + "".join(f"{a[:7]:>8}" for a in areas))
    for city, per_area in coverage.items():
        lines.append(f"{city:14}" + "".join(f"{per_area[a]:>8}" for a in areas))
    lines += ["", f"Referral drafts (not shown to users): {len(report['referral_drafts'])}"]
    lines += [
        f"  {d['id']} ({', '.join(d['cities'])}; "
        + (f"{d['phones']} phone(s) to confirm)" if d["phones"] else "no phone found yet)")
        for d in report["referral_drafts"]
    ]
    if report["stale_referrals"]:
        lines += ["", f"Stale referrals: {len(report['stale_referrals'])}"]
        lines += [f"  {item['id']}" for item in report["stale_referrals"]]
    return "\n".join(lines)
