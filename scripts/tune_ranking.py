"""How well do her words pick the right snippet of a topic? Measured on the snippets' own
questions, half of them held out, so the benchmark sets in tests/ stay unseen.

Each approved snippet carries 4 to 8 questions per language (knowledge/, `questions:`).
The questions at even positions are kept; those at odd positions are asked. A question
counts as right when, among the search hits of its snippet's topic, its snippet comes
first (the answer action ranks a topic's snippets this way). The second half of the table
asks the relevance benchmark's even-numbered questions (tests/data/relevance: the half
kept for choosing; the odd half is only ever measured), every snippet question kept, and
counts the first hit of the question's topic that is in its answer key. Variants: the
stem search alone (BM25F over title and body), with the question match
(search/questions.py) added at several weights, and the question match alone.

    PYTHONPATH=api .venv-api/bin/python scripts/tune_ranking.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from catalogs import LANGUAGES
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "api"))

from app.models import Snippet, SnippetText  # noqa: E402
from app.search import service  # noqa: E402

WEIGHTS = (1.0, 2.0, 4.0, 8.0)


def build(db: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "PYTHONPATH": str(ROOT / "api")}
    py = sys.executable
    for args in (["-m", "alembic", "upgrade", "head"], ["-m", "app.cli", "sync"]):
        subprocess.run([py, *args], cwd=ROOT / "api", env=env, check=True, capture_output=True)


def all_questions(session: Session) -> dict[tuple[str, str], str]:
    rows = session.execute(select(SnippetText.snippet_id, SnippetText.lang, SnippetText.questions))
    return {(sid, lang): q for sid, lang, q in rows}


def held_out(session: Session) -> list[tuple[str, str, str, str]]:
    """(lang, question, snippet id, topic) for the odd-position questions; the even ones
    stay in the database."""
    asked = []
    rows = session.execute(
        select(SnippetText.snippet_id, SnippetText.lang, SnippetText.questions, Snippet.topic)
        .join(Snippet, Snippet.id == SnippetText.snippet_id)
        .where(Snippet.status == "approved")
    ).all()
    for sid, lang, questions, topic in rows:
        lines = [q for q in questions.split("\n") if q]
        asked += [(lang, q, sid, topic) for q in lines[1::2]]
        session.execute(
            update(SnippetText)
            .where(SnippetText.snippet_id == sid, SnippetText.lang == lang)
            .values(questions="\n".join(lines[0::2]))
        )
    return asked


def restore(session: Session, saved: dict[tuple[str, str], str]) -> None:
    for (sid, lang), q in saved.items():
        session.execute(
            update(SnippetText)
            .where(SnippetText.snippet_id == sid, SnippetText.lang == lang)
            .values(questions=q)
        )
    service.vocabulary.invalidate()


@contextmanager
def question_weight(weight: float) -> Iterator[None]:
    before = service.QUESTION_WEIGHT
    service.QUESTION_WEIGHT = weight
    try:
        yield
    finally:
        service.QUESTION_WEIGHT = before


def score(session: Session, asked: list[tuple[str, str, str, str]]) -> dict[str, float]:
    right = dict.fromkeys(LANGUAGES, 0)
    total = dict.fromkeys(LANGUAGES, 0)
    for lang, question, sid, topic in asked:
        hits = service.search(session, question, lang=lang, limit=20)
        first = next((h.snippet_id for h in hits if h.topic == topic), None)
        total[lang] += 1
        right[lang] += first == sid
    return {lang: round(right[lang] / total[lang], 3) for lang in LANGUAGES if total[lang]}


def benchmark_half(lang: str) -> list[tuple[str, str, str, set[str]]]:
    """The even-numbered questions of the relevance benchmark (tests/data/relevance): the
    half used to choose; the odd half is only measured (README)."""
    items = yaml.safe_load((ROOT / "tests" / "data" / "relevance" / f"{lang}.yaml").read_text())
    return [
        (lang, item["q"], item["topic"], set(item["answers"]))
        for item in items[0::2]
        if item.get("answers")
    ]


def score_benchmark(session: Session) -> dict[str, float]:
    """First hit of the question's own topic is in its key (the topic given, so only the
    ranking is measured)."""
    figures = {}
    for lang in LANGUAGES:
        asked = benchmark_half(lang)
        right = 0
        for _, question, topic, key in asked:
            hits = service.search(session, question, lang=lang, limit=20)
            right += next((h.snippet_id for h in hits if h.topic == topic), None) in key
        figures[lang] = round(right / len(asked), 3)
    return figures


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "rank.db"
        build(db)
        engine = create_engine(f"sqlite:///{db}")
        with Session(engine) as session:
            every = all_questions(session)
            asked = held_out(session)
            halved = all_questions(session)
            print(f"{len(asked)} held-out questions; right = first of its topic's hits")
            print(
                "| variant | held-out questions kk | ru | en | benchmark, even half kk | ru | en |"
            )
            print("| --- |" + " --- |" * 2 * len(LANGUAGES))
            variants = [
                ("stem search alone (BM25F, title and body)", 0.0),
                *(("stem search + question match, weight", w) for w in WEIGHTS),
                ("question match alone", 1000.0),
            ]
            for name, weight in variants:
                with question_weight(weight):
                    restore(session, halved)  # the asked questions are not in the index
                    figures = score(session, asked)
                    restore(session, every)  # the benchmark meets every question
                    bench = score_benchmark(session)
                print(
                    f"| {name} {weight:g} | "
                    + " | ".join(f"{figures[lang]:.3f}" for lang in LANGUAGES)
                    + " | "
                    + " | ".join(f"{bench[lang]:.3f}" for lang in LANGUAGES)
                    + " |"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
