"""One search interface, two engines: SQLite FTS5 (default) and PostgreSQL full text + trigrams.

Both index the stems made by `normalize.index_terms` (stored on snippet_texts),
so they rank the same words; each engine does the ranking it is good at.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

TITLE_WEIGHT = 4.0


@dataclass(frozen=True)
class Hit:
    snippet_id: str
    lang: str
    score: float


class SearchBackend(Protocol):
    def reindex(self, session: Session, snippet_ids: Iterable[str]) -> None: ...

    def search(
        self, session: Session, terms_by_lang: dict[str, list[str]], limit: int
    ) -> list[Hit]: ...


class SqliteFts(SearchBackend):
    """FTS5 over the stems; bm25 with the title weighted above the body."""

    def reindex(self, session: Session, snippet_ids: Iterable[str]) -> None:
        ids = list(snippet_ids)
        delete = text("DELETE FROM snippet_fts WHERE snippet_id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        insert = text(
            "INSERT INTO snippet_fts (snippet_id, lang, title, body) "
            "SELECT t.snippet_id, t.lang, t.search_title, t.search_body "
            "FROM snippet_texts t JOIN snippets s ON s.id = t.snippet_id "
            "WHERE s.status = 'approved' AND t.snippet_id IN :ids"
        ).bindparams(bindparam("ids", expanding=True))
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            session.execute(delete, {"ids": chunk})
            session.execute(insert, {"ids": chunk})

    def search(
        self, session: Session, terms_by_lang: dict[str, list[str]], limit: int
    ) -> list[Hit]:
        hits: list[Hit] = []
        for lang, terms in terms_by_lang.items():
            if not terms:
                continue
            match = " OR ".join(f'"{t}"' for t in terms)
            rows = session.execute(
                text(
                    "SELECT snippet_id, lang, bm25(snippet_fts, 0, 0, :tw, 1.0) AS rank "
                    "FROM snippet_fts WHERE snippet_fts MATCH :match AND lang = :lang "
                    "ORDER BY rank LIMIT :limit"
                ),
                {"match": match, "lang": lang, "limit": limit, "tw": TITLE_WEIGHT},
            )
            hits.extend(Hit(r.snippet_id, r.lang, -float(r.rank)) for r in rows)
        return hits


class PostgresFullText(SearchBackend):
    """tsvector ranking over the stems plus pg_trgm similarity, so near-miss words still count."""

    def reindex(self, session: Session, snippet_ids: Iterable[str]) -> None:
        # Expression indexes on snippet_texts follow the rows by themselves.
        return None

    def search(
        self, session: Session, terms_by_lang: dict[str, list[str]], limit: int
    ) -> list[Hit]:
        hits: list[Hit] = []
        for lang, terms in terms_by_lang.items():
            if not terms:
                continue
            rows = session.execute(
                text(
                    "SELECT t.snippet_id, t.lang, "
                    "ts_rank_cd(setweight(to_tsvector('simple', t.search_title), 'A') || "
                    "setweight(to_tsvector('simple', t.search_body), 'B'), q) "
                    "+ 0.5 * similarity(t.search_title, :plain) AS score "
                    "FROM snippet_texts t JOIN snippets s ON s.id = t.snippet_id, "
                    "to_tsquery('simple', :tsq) AS q "
                    "WHERE s.status = 'approved' AND t.lang = :lang AND "
                    "(to_tsvector('simple', t.search_title || ' ' || t.search_body) @@ q "
                    " OR t.search_title % :plain) "
                    "ORDER BY score DESC LIMIT :limit"
                ),
                {
                    "tsq": " | ".join(_pg_quote(t) for t in terms),
                    "plain": " ".join(terms),
                    "lang": lang,
                    "limit": limit,
                },
            )
            hits.extend(Hit(r.snippet_id, r.lang, float(r.score)) for r in rows)
        return hits


def _pg_quote(term: str) -> str:
    return "'" + term.replace("'", "") + "'"


def backend_for(dialect: str) -> SearchBackend:
    return PostgresFullText() if dialect == "postgresql" else SqliteFts()


def merge(hits: Sequence[Hit], limit: int) -> list[Hit]:
    """Best hit per snippet, best first."""
    best: dict[str, Hit] = {}
    for hit in hits:
        if hit.snippet_id not in best or hit.score > best[hit.snippet_id].score:
            best[hit.snippet_id] = hit
    return sorted(best.values(), key=lambda h: h.score, reverse=True)[:limit]
