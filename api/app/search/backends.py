"""One search interface, two engines: SQLite FTS5 (default) and PostgreSQL full text.

Both index the stems made by `normalize.index_terms` (stored on snippet_texts).
An engine only *finds* candidates: the snippet texts in one language that contain
any of the given stems, best first by its own ranking (FTS5 bm25; in PostgreSQL
the sum of the weights of the terms found), each with its indexed title and body.
The search service then ranks every candidate with one scorer, so both engines
answer alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

TITLE_WEIGHT = 4.0
_BM25 = f"bm25(0.0, 0.0, {TITLE_WEIGHT}, 1.0)"  # snippet_id, lang, title, body
ANALYZE_AFTER = 500  # snippets synced at once


@dataclass(frozen=True)
class Hit:
    snippet_id: str
    lang: str
    score: float
    # The indexed stems of the text, for the service's scorer.
    title: str = ""
    body: str = ""


class SearchBackend(Protocol):
    def reindex(self, session: Session, snippet_ids: Iterable[str]) -> None: ...

    def search(self, session: Session, lang: str, terms: dict[str, float], limit: int) -> list[Hit]:
        """Up to `limit` texts in `lang` holding any of the terms, best first.

        `terms` maps each term to its weight (how much finding it says); an engine may
        rank by them or by its own statistics. No terms, no hits.
        """
        ...


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

    def search(self, session: Session, lang: str, terms: dict[str, float], limit: int) -> list[Hit]:
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        # `rank MATCH` + ORDER BY rank lets FTS5 sort inside itself, so the language
        # (an unindexed column) is read only for the rows that come out on top; a
        # bm25() in the select list would read it for every match (3x slower).
        rows = session.execute(
            text(
                "SELECT snippet_id, lang, title, body, rank "
                "FROM snippet_fts WHERE snippet_fts MATCH :match AND rank MATCH :ranking "
                "AND lang = :lang ORDER BY rank LIMIT :limit"
            ),
            {"match": match, "ranking": _BM25, "lang": lang, "limit": limit},
        )
        return [Hit(r.snippet_id, r.lang, -float(r.rank), r.title, r.body) for r in rows]


class PostgresFullText(SearchBackend):
    """tsvector matches through the GIN expression index, ranked by the terms' weights.

    Each term is one bitmap scan of the index; a text's rank is the sum of the weights
    of the terms it holds. ts_rank would re-parse every matching text into a tsvector
    (the index keeps none): 0.2-1 s a query on 20,000 snippets, against some 20 ms.
    """

    def reindex(self, session: Session, snippet_ids: Iterable[str]) -> None:
        # Expression indexes on snippet_texts follow the rows by themselves; after a
        # large sync, fresh statistics keep the planner on the index.
        if len(list(snippet_ids)) >= ANALYZE_AFTER:
            session.execute(text("ANALYZE snippet_texts"))
            session.execute(text("ANALYZE snippets"))

    def search(self, session: Session, lang: str, terms: dict[str, float], limit: int) -> list[Hit]:
        if not terms:
            return []
        params: dict[str, object] = {"lang": lang, "limit": limit, "top": 2 * limit}
        for i, (term, weight) in enumerate(terms.items()):
            params[f"t{i}"], params[f"w{i}"] = _pg_quote(term), weight
        # Only the numbered names of bound parameters are written into the SQL.
        matches = " UNION ALL ".join(_PG_MATCH.format(i=i) for i in range(len(terms)))
        rows = session.execute(text(_PG_SEARCH.format(matches=matches)), params)
        return [
            Hit(r.snippet_id, lang, float(r.score), r.search_title, r.search_body) for r in rows
        ]


# One term: the texts of the language holding it, through the GIN index, with the
# term's weight. `lang || ''` checks the language on the rows found rather than through
# the (snippet_id, lang) key, which the planner would otherwise read whole.
_PG_MATCH = (
    "SELECT t.snippet_id, CAST(:w{i} AS float8) AS w, "
    "octet_length(t.search_title) + octet_length(t.search_body) AS size "
    "FROM snippet_texts t "
    "WHERE to_tsvector('simple', t.search_title || ' ' || t.search_body) "
    "@@ to_tsquery('simple', :t{i}) AND t.lang || '' = :lang"
)
# The texts by the summed weight of their terms; equal weights, the shorter first (as
# bm25 would have it). Only approved snippets, and their stems for the scorer.
_PG_SEARCH = (
    "SELECT a.snippet_id, a.score, t.search_title, t.search_body FROM ("
    "SELECT snippet_id, sum(w) AS score, min(size) AS size FROM ({matches}) m "
    "GROUP BY snippet_id ORDER BY score DESC, size, snippet_id LIMIT :top) a "
    "JOIN snippets s ON s.id = a.snippet_id AND s.status = 'approved' "
    "JOIN snippet_texts t ON t.snippet_id = a.snippet_id AND t.lang = :lang "
    "ORDER BY a.score DESC, a.size, a.snippet_id LIMIT :limit"
)


def _pg_quote(term: str) -> str:
    return "'" + term.replace("'", "").replace("\\", "") + "'"


def backend_for(dialect: str) -> SearchBackend:
    return PostgresFullText() if dialect == "postgresql" else SqliteFts()


def merge(hits: Sequence[Hit], limit: int) -> list[Hit]:
    """Best hit per snippet, best first (ties by id, so the order is stable)."""
    best: dict[str, Hit] = {}
    for hit in hits:
        if hit.snippet_id not in best or hit.score > best[hit.snippet_id].score:
            best[hit.snippet_id] = hit
    return sorted(best.values(), key=lambda h: (-h.score, h.snippet_id))[:limit]
