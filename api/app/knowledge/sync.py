"""Copy the validated knowledge files into the database, in one transaction.

Idempotent: a second run with the same files changes nothing. Snippets that
left the files are marked `retired` (kept for statistics, never served).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.knowledge.schema import ReferralFile, SnippetFile
from app.knowledge.validate import Knowledge
from app.models import Referral, Snippet, SnippetText
from app.search.backends import backend_for
from app.search.normalize import index_terms
from app.search.service import index_is_stale, rebuild_index, vocabulary


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0
    referrals_added: list[str] = field(default_factory=list)
    referrals_changed: list[str] = field(default_factory=list)
    referrals_retired: list[str] = field(default_factory=list)
    reindexed: int = 0

    def summary(self) -> str:
        return (
            f"snippets: {len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.retired)} retired, {self.unchanged} unchanged; referrals: "
            f"{len(self.referrals_added)} added, {len(self.referrals_changed)} changed, "
            f"{len(self.referrals_retired)} retired"
            + (f"; search index rebuilt for {self.reindexed} texts" if self.reindexed else "")
        )


def _hash(model: SnippetFile | ReferralFile, extra: str = "") -> str:
    payload = json.dumps(model.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256((payload + extra).encode()).hexdigest()


def _apply_snippet(row: Snippet, snippet: SnippetFile, source_file: str, digest: str) -> None:
    row.topic = snippet.topic
    row.applies_to = list(snippet.applies_to)
    row.status = snippet.status
    row.last_reviewed = snippet.last_reviewed
    row.sources = [s.model_dump(mode="json") for s in snippet.sources]
    row.source_file = source_file
    row.content_hash = digest
    texts = {t.lang: t for t in row.texts}
    for lang, body in snippet.text.items():
        title = getattr(snippet.title, lang)
        questions = "\n".join(getattr(snippet.questions, lang)) if snippet.questions else ""
        entry = texts.get(lang) or SnippetText(lang=lang)
        entry.title, entry.body, entry.questions = title, body, questions
        entry.search_title, entry.search_body = index_terms(title), index_terms(body)
        if lang not in texts:
            row.texts.append(entry)


def _apply_referral(row: Referral, ref: ReferralFile, digest: str) -> None:
    row.status = ref.status
    row.cities = list(ref.cities)
    row.services = list(ref.services)
    row.languages = list(ref.languages)
    row.last_verified = ref.last_verified
    row.content_hash = digest
    # Everything shown or filtered on besides the indexed columns; the second reader's
    # quote and dates stay in the file.
    row.data = ref.model_dump(
        mode="json",
        include={"name", "description", "kind", "serves", "address", "phone", "email"}
        | {"whatsapp", "telegram", "url", "hours", "source"},
    )


def sync_knowledge(session: Session, knowledge: Knowledge) -> SyncReport:
    """Apply `knowledge` (already validated) to the database and commit once."""
    if knowledge.problems:
        raise ValueError(f"refusing to sync: {len(knowledge.problems)} validation problems")
    report = SyncReport()
    touched: list[str] = []
    existing = {s.id: s for s in session.scalars(select(Snippet))}
    for source_file, snippet in knowledge.snippets:
        digest = _hash(snippet, source_file)
        row = existing.pop(snippet.id, None)
        if row is None:
            row = Snippet(id=snippet.id)
            _apply_snippet(row, snippet, source_file, digest)
            session.add(row)
            report.added.append(snippet.id)
        elif row.content_hash != digest:
            _apply_snippet(row, snippet, source_file, digest)
            report.changed.append(snippet.id)
        else:
            report.unchanged += 1
            continue
        touched.append(snippet.id)
    for row in existing.values():
        if row.status != "retired":
            row.status = "retired"
            row.content_hash = ""
            report.retired.append(row.id)
            touched.append(row.id)

    refs = {r.id: r for r in session.scalars(select(Referral))}
    for ref in knowledge.referrals:
        digest = _hash(ref)
        ref_row = refs.pop(ref.id, None)
        if ref_row is None:
            ref_row = Referral(id=ref.id)
            _apply_referral(ref_row, ref, digest)
            session.add(ref_row)
            report.referrals_added.append(ref.id)
        elif ref_row.content_hash != digest:
            _apply_referral(ref_row, ref, digest)
            report.referrals_changed.append(ref.id)
    for ref_row in refs.values():
        if ref_row.status != "retired":
            ref_row.status = "retired"
            ref_row.content_hash = ""
            report.referrals_retired.append(ref_row.id)

    session.flush()
    backend_for(session.get_bind().dialect.name).reindex(session, touched)
    # Unchanged snippets keep the stems an older release made; redo them all once.
    report.reindexed = rebuild_index(session) if index_is_stale(session) else 0
    session.commit()
    vocabulary.invalidate()
    return report
