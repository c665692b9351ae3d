"""Search snippets in kk, ru and en: normalise the query, mend typos, ask the engine."""

from __future__ import annotations

import difflib
import threading
import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Snippet, SnippetText
from app.search.backends import Hit, backend_for, merge
from app.search.normalize import query_terms

VOCAB_TTL_SECONDS = 30.0
CLOSE_MATCH_CUTOFF = 0.75


@dataclass(frozen=True)
class Result:
    snippet_id: str
    topic: str
    lang: str
    score: float


class _Vocabulary:
    """Index terms held in memory, so a misspelt query word can be mended to a real one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._terms: dict[str, set[str]] = {}
        self._by_prefix: dict[tuple[str, str], list[str]] = {}
        self._stamp: tuple[int, object] | None = None
        self._checked = 0.0

    def refresh(self, session: Session) -> None:
        now = time.monotonic()
        if now - self._checked < VOCAB_TTL_SECONDS and self._stamp is not None:
            return
        stamp = tuple(session.execute(select(func.count(), func.max(Snippet.updated_at))).one())
        with self._lock:
            self._checked = now
            if stamp == self._stamp:
                return
            terms: dict[str, set[str]] = {}
            rows = session.execute(
                select(SnippetText.lang, SnippetText.search_title, SnippetText.search_body)
                .join(Snippet)
                .where(Snippet.status == "approved")
            )
            for lang, title, body in rows:
                terms.setdefault(lang, set()).update(f"{title} {body}".split())
            self._terms = terms
            self._by_prefix = {}
            for lang, words in terms.items():
                for word in words:
                    self._by_prefix.setdefault((lang, word[:1]), []).append(word)
            self._stamp = stamp  # type: ignore[assignment]

    def mend(self, lang: str, terms: list[str]) -> list[str]:
        known = self._terms.get(lang, set())
        mended: list[str] = []
        for term in terms:
            if term in known:
                mended.append(term)
                continue
            # Same first letter: typos rarely hit it, and it keeps the candidate list short.
            candidates = self._by_prefix.get((lang, term[:1]), [])
            mended.extend(
                difflib.get_close_matches(term, candidates, n=2, cutoff=CLOSE_MATCH_CUTOFF)
            )
        return list(dict.fromkeys(mended))

    def invalidate(self) -> None:
        with self._lock:
            self._stamp = None
            self._checked = 0.0


vocabulary = _Vocabulary()


def search(
    session: Session, query: str, *, lang: str | None = None, limit: int = 5
) -> list[Result]:
    cyrillic, latin = query_terms(query)
    langs = [lang] if lang else ["kk", "ru", "en"]
    vocabulary.refresh(session)
    terms_by_lang = {
        code: vocabulary.mend(code, latin if code == "en" else cyrillic) for code in langs
    }
    backend = backend_for(session.get_bind().dialect.name)
    hits: list[Hit] = merge(backend.search(session, terms_by_lang, limit * 3), limit)
    if not hits:
        return []
    topics = dict(
        session.execute(
            select(Snippet.id, Snippet.topic).where(Snippet.id.in_([h.snippet_id for h in hits]))
        ).all()
    )
    return [Result(h.snippet_id, topics[h.snippet_id], h.lang, round(h.score, 4)) for h in hits]
