"""What NGO editors need to know: coverage per topic and language, drafts, stale snippets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from app.knowledge.taxonomy import load_taxonomy
from app.knowledge.validate import Knowledge

LANGS = ("kk", "ru", "en")
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
            coverage[topic] = {lang: 0 for lang in LANGS}
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
        "stale_referrals": [
            {"id": r.id, "last_verified": r.last_verified.isoformat()}
            for r in knowledge.referrals
            if r.status == "approved" and r.last_verified < cutoff
        ],
    }


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
    if report["stale_referrals"]:
        lines += ["", f"Stale referrals: {len(report['stale_referrals'])}"]
        lines += [f"  {item['id']}" for item in report["stale_referrals"]]
    return "\n".join(lines)
