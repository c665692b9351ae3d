"""Command line for the knowledge base: validate, sync, report.

python -m app.cli validate
python -m app.cli sync
python -m app.cli report [--json] [--stale-days N]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.db import get_engine
from app.knowledge.report import content_report, format_report
from app.knowledge.sync import sync_knowledge
from app.knowledge.validate import load_knowledge


def _validate(knowledge_dir: Path) -> int:
    knowledge = load_knowledge(knowledge_dir)
    for problem in knowledge.problems:
        print(problem, file=sys.stderr)
    if knowledge.problems:
        print(f"{len(knowledge.problems)} problem(s) in {knowledge_dir}", file=sys.stderr)
        return 1
    approved = sum(1 for _, s in knowledge.snippets if s.status == "approved")
    print(
        f"ok: {len(knowledge.snippets)} snippets ({approved} approved), "
        f"{len(knowledge.referrals)} referrals"
    )
    return 0


def _sync(knowledge_dir: Path) -> int:
    knowledge = load_knowledge(knowledge_dir)
    if knowledge.problems:
        for problem in knowledge.problems:
            print(problem, file=sys.stderr)
        print("not synced: fix the problems above first", file=sys.stderr)
        return 1
    with Session(get_engine()) as session:
        report = sync_knowledge(session, knowledge)
    print(report.summary())
    return 0


def _report(knowledge_dir: Path, as_json: bool, stale_days: int) -> int:
    knowledge = load_knowledge(knowledge_dir, check_language=False)
    report = content_report(knowledge, knowledge_dir, stale_after_days=stale_days)
    print(json.dumps(report, ensure_ascii=False, indent=2) if as_json else format_report(report))
    return 0


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m app.cli", description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge-dir", type=Path, default=settings.knowledge_dir)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("validate", help="check every knowledge file; exit 1 on any problem")
    sub.add_parser("sync", help="validate, then copy knowledge into the database")
    report = sub.add_parser("report", help="coverage, drafts and stale snippets")
    report.add_argument("--json", action="store_true")
    report.add_argument("--stale-days", type=int, default=settings.stale_after_days)
    args = parser.parse_args(argv)
    if args.command == "validate":
        return _validate(args.knowledge_dir)
    if args.command == "sync":
        return _sync(args.knowledge_dir)
    return _report(args.knowledge_dir, args.json, args.stale_days)


if __name__ == "__main__":
    sys.exit(main())
