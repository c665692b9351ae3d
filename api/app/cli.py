"""Command line for the knowledge base: validate, sync, report.

python -m app.cli validate
python -m app.cli sync
python -m app.cli report [--json] [--stale-days N]
python -m app.cli purge [--days N]
python -m app.cli handoff-sweep
python -m app.cli create-admin USERNAME [--role staff|editor|admin]
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.db import get_engine
from app.knowledge.report import content_report, format_report
from app.knowledge.sync import sync_knowledge
from app.knowledge.translations import (
    TARGET_LANGS,
    TranslationError,
    export_po,
    import_po,
    write_catalog,
)
from app.knowledge.validate import load_knowledge
from app.privacy import purge_expired
from app.tracker_retention import purge_tracker_events


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


def _purge(retention_days: int, tracker_database_url: str) -> int:
    with Session(get_engine()) as session:
        deleted = purge_expired(session, retention_days)
    if tracker_database_url:
        deleted["tracker_events"] = purge_tracker_events(tracker_database_url, retention_days)
    print(f"purged rows older than {retention_days} days: " + json.dumps(deleted))
    return 0


def _handoff_sweep() -> int:
    """Run by the stack every minute (scripts/run.py; the handoff-sweep compose service)."""
    from app.handoffs.service import sweep

    with Session(get_engine()) as session:
        done = sweep(session, get_settings())
    print(
        f"handoff sweep: told {len(done.untaken_notified)} nobody took it yet, "
        f"closed {len(done.closed_stale)} stale"
    )
    return 0


def _export_po(knowledge_dir: Path, lang: str, out: Path) -> int:
    try:
        catalog = export_po(knowledge_dir, lang)
    except TranslationError as exc:
        print(f"not exported: {exc}", file=sys.stderr)
        return 1
    write_catalog(catalog, out)
    print(f"wrote {len(catalog)} {lang} messages to {out}")
    return 0


def _import_po(knowledge_dir: Path, lang: str, po_path: Path) -> int:
    try:
        report = import_po(knowledge_dir, po_path, lang)
    except TranslationError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(report.summary())
    if report.approved_changed:
        print(
            "warning: the text of these approved snippets changed; an editor must re-review "
            "them against their sources (docs/CONTENT_GUIDE.md):",
            file=sys.stderr,
        )
        for snippet_id in report.approved_changed:
            print(f"  {snippet_id}", file=sys.stderr)
    if report.problems:
        for problem in report.problems:
            print(problem, file=sys.stderr)
        print(
            f"{len(report.problems)} problem(s) in the imported snippets: "
            "fix them in the YAML files (or in the PO file and import again)",
            file=sys.stderr,
        )
        return 1
    return 0


PASSWORD_ENV = "CONSOLE_NEW_PASSWORD"  # noqa: S105 - the name of a variable, not a secret


def _create_user(username: str, role: str) -> int:
    """A console account; the password comes from CONSOLE_NEW_PASSWORD or a prompt.

    Never from an argument: arguments end up in shell history and in `ps` output.
    """
    from app.console.accounts import AccountError, create_user

    password = os.environ.get(PASSWORD_ENV)
    if not password:
        password = getpass.getpass(f"password for {username}: ")
        if password != getpass.getpass("again: "):
            print("not created: the two passwords differ", file=sys.stderr)
            return 1
    try:
        with Session(get_engine(), expire_on_commit=False) as session:
            user = create_user(session, username=username, password=password, role=role)
    except AccountError as exc:
        print(f"not created: {exc}", file=sys.stderr)
        return 1
    print(f"created {user.role} {user.username}; sign in at /console/login")
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
    purge = sub.add_parser(
        "purge", help="delete conversations and tracker events past RETENTION_DAYS"
    )
    purge.add_argument("--days", type=int, default=settings.retention_days)
    sub.add_parser(
        "handoff-sweep",
        help="tell her once when nobody took her handoff in time; close stale handoffs",
    )
    export = sub.add_parser("export-po", help="write snippet titles and texts to a PO file")
    export.add_argument("--lang", required=True, choices=TARGET_LANGS)
    export.add_argument("--out", type=Path, help="default: locales/knowledge/<lang>.po")
    imp = sub.add_parser("import-po", help="write translations from a PO file into knowledge/")
    imp.add_argument("--lang", required=True, choices=TARGET_LANGS)
    imp.add_argument("po_path", metavar="PATH", type=Path)
    admin = sub.add_parser(
        "create-admin", help=f"add a console account (password from {PASSWORD_ENV} or a prompt)"
    )
    admin.add_argument("username")
    admin.add_argument("--role", default="admin", choices=("staff", "editor", "admin"))
    args = parser.parse_args(argv)
    if args.command == "create-admin":
        return _create_user(args.username, args.role)
    if args.command == "validate":
        return _validate(args.knowledge_dir)
    if args.command == "sync":
        return _sync(args.knowledge_dir)
    if args.command == "export-po":
        out = args.out or settings.locales_dir / "knowledge" / f"{args.lang}.po"
        return _export_po(args.knowledge_dir, args.lang, out)
    if args.command == "import-po":
        return _import_po(args.knowledge_dir, args.lang, args.po_path)
    if args.command == "handoff-sweep":
        return _handoff_sweep()
    if args.command == "purge":
        if args.days < 1:
            parser.error("--days must be at least 1")
        return _purge(args.days, settings.tracker_database_url)
    return _report(args.knowledge_dir, args.json, args.stale_days)


if __name__ == "__main__":
    sys.exit(main())
