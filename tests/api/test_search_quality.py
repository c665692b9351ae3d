"""Search quality on the real knowledge: recall@1 and recall@3 per language, both engines.

The queries in tests/data/search_queries.yaml are typed the way migrant mothers type:
typos, Kazakh without its letters, Kazakh and Russian in Latin letters, other word
forms. A query is a hit at k when the snippet it expects (`expect_snippet`) is among
the first k results or, when it names no snippet, when a result of its expected topic
is. The language of the query is not given to the search (lang=None), as in the bot.

`evaluate` and `markdown_table` are also used by tests/bench/test_search_bench.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from app.knowledge.sync import sync_knowledge
from app.knowledge.taxonomy import topic_ids
from app.knowledge.validate import Knowledge, load_knowledge
from app.models import SnippetText
from app.search.normalize import index_terms
from app.search.service import search

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"
QUERIES = ROOT / "tests" / "data" / "search_queries.yaml"
LANGS = ("kk", "ru", "en")
MIN_RECALL_AT_3 = 0.95
MIN_QUERIES_PER_LANG = 30


@dataclass(frozen=True)
class Query:
    query: str
    lang: str
    expect_topic: str
    expect_snippet: str | None = None

    def rank_of_hit(self, results: Sequence[tuple[str, str]]) -> int | None:
        """1-based rank of the first result that answers this query, given (id, topic) pairs."""
        for rank, (snippet_id, topic) in enumerate(results, start=1):
            if self.expect_snippet:
                if snippet_id == self.expect_snippet:
                    return rank
            elif topic == self.expect_topic:
                return rank
        return None


@dataclass
class LangScore:
    total: int = 0
    at1: int = 0
    at3: int = 0
    # Queries not answered first: (query, rank of the answer or None, result ids).
    misses: list[tuple[str, int | None, list[str]]] = field(default_factory=list)

    @property
    def recall_at_1(self) -> float:
        return self.at1 / self.total if self.total else 0.0

    @property
    def recall_at_3(self) -> float:
        return self.at3 / self.total if self.total else 0.0


def load_queries(path: Path = QUERIES) -> list[Query]:
    return [Query(**entry) for entry in yaml.safe_load(path.read_text(encoding="utf-8"))]


def load_real_knowledge() -> Knowledge:
    knowledge = load_knowledge(KNOWLEDGE)
    assert not knowledge.problems, knowledge.problems
    return knowledge


def evaluate(
    session: Session,
    queries: Iterable[Query],
    limit: int = 3,
    timings: list[float] | None = None,
) -> dict[str, LangScore]:
    """Run every query through the search service and count hits per language.

    With `timings`, each search's wall time in seconds is appended to it (the benchmark).
    """
    scores = {lang: LangScore() for lang in LANGS}
    for q in queries:
        start = time.perf_counter()
        results = search(session, q.query, lang=None, limit=limit)
        if timings is not None:
            timings.append(time.perf_counter() - start)
        rank = q.rank_of_hit([(r.snippet_id, r.topic) for r in results])
        score = scores[q.lang]
        score.total += 1
        score.at1 += rank == 1
        score.at3 += rank is not None and rank <= 3
        if rank != 1:
            score.misses.append((q.query, rank, [r.snippet_id for r in results]))
    return scores


def summary(scores: Mapping[str, LangScore]) -> dict[str, dict[str, Any]]:
    """Plain numbers, for JSON."""
    return {
        lang: {
            "queries": s.total,
            "recall_at_1": round(s.recall_at_1, 3),
            "recall_at_3": round(s.recall_at_3, 3),
        }
        for lang, s in scores.items()
    }


def markdown_table(by_engine: Mapping[str, Mapping[str, LangScore]]) -> str:
    lines = [
        "| engine | lang | queries | recall@1 | recall@3 |",
        "|---|---|---:|---:|---:|",
    ]
    for engine, scores in by_engine.items():
        for lang, s in scores.items():
            lines.append(
                f"| {engine} | {lang} | {s.total} | {s.recall_at_1:.3f} | {s.recall_at_3:.3f} |"
            )
    return "\n".join(lines)


# --------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def queries() -> list[Query]:
    return load_queries()


@pytest.fixture(scope="module")
def real_knowledge() -> Knowledge:
    return load_real_knowledge()


def test_query_set_is_well_formed(queries: list[Query], real_knowledge: Knowledge) -> None:
    counts = {lang: sum(q.lang == lang for q in queries) for lang in LANGS}
    assert set(q.lang for q in queries) <= set(LANGS)
    assert all(n >= MIN_QUERIES_PER_LANG for n in counts.values()), counts
    assert len(queries) >= 90
    texts = [q.query.lower() for q in queries]
    assert len(set(texts)) == len(texts), "duplicate queries"
    topics = topic_ids(KNOWLEDGE)
    approved = {s.id: s for _, s in real_knowledge.snippets if s.status == "approved"}
    titles = {t.lower().rstrip("?") for s in approved.values() for _, t in s.title.items()}
    for q in queries:
        assert q.expect_topic in topics, q
        assert q.query.lower().rstrip("?") not in titles, f"copy of a title: {q.query}"
        if q.expect_snippet:
            assert q.expect_snippet in approved, f"not an approved snippet: {q}"
            assert approved[q.expect_snippet].topic == q.expect_topic, q


def test_search_quality_on_real_knowledge(
    engine: Engine,
    session: Session,
    queries: list[Query],
    real_knowledge: Knowledge,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sync_knowledge(session, real_knowledge)
    scores = evaluate(session, queries)
    with capsys.disabled():
        print(f"\n\nSearch quality, {engine.dialect.name}, {len(queries)} queries")
        print(markdown_table({engine.dialect.name: scores}))
        for lang, s in scores.items():
            for query, rank, got in s.misses:
                if rank is None:
                    print(f"  not in the first 3 [{lang}] {query!r} -> {', '.join(got)}")
    for lang, s in scores.items():
        assert s.recall_at_3 >= MIN_RECALL_AT_3, (
            f"{engine.dialect.name} {lang}: recall@3 {s.recall_at_3:.3f}, misses {s.misses}"
        )


def test_index_made_by_an_older_normalisation_is_rebuilt_by_sync(
    synced: Session, fixture_knowledge: Knowledge
) -> None:
    """Sync skips unchanged snippets, so it re-indexes stems the release no longer makes."""
    synced.execute(update(SnippetText).values(search_title="old", search_body="stems"))
    if synced.get_bind().dialect.name == "sqlite":
        synced.execute(text("UPDATE snippet_fts SET title = 'old', body = 'stems'"))
    report = sync_knowledge(synced, fixture_knowledge)
    assert report.reindexed == 12 and report.unchanged == 4
    results = search(synced, "запесать ребёнка в шклу", limit=1)
    assert [r.snippet_id for r in results] == ["child.school.fixture-enrol"]
    for title, stored in synced.execute(select(SnippetText.title, SnippetText.search_title)):
        assert stored == index_terms(title)
