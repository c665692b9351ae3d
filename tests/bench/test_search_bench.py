"""`make bench`, the search's part: the knowledge API on a corpus of 20,000 snippets.

1. A corpus is generated deterministically from the real snippets: each generated
   snippet takes its topic from a real one and recombines, in all three languages,
   sentences of that topic's snippets and words of all snippets. The real approved
   snippets are part of it, so the quality queries still have their answers.
2. It is synced into SQLite and into PostgreSQL (a throwaway server).
3. On each engine, search latency (p50/p95) over the quality queries of
   tests/data/search_queries.yaml, repeated to at least 300, through
   app.search.service.search - and their recall among 20,000 near-duplicates.
4. HTTP requests per second of GET /v1/snippets/{id} and GET /v1/referrals, served
   by uvicorn in a subprocess, next to a bare FastAPI hello-world endpoint served
   the same way in the same run (the ratio is what to compare across machines).

Figures go to data/bench/search.json and are printed as Markdown tables. Nothing
here asserts a timing: a benchmark reports, it does not pass or fail on speed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.db import make_engine
from app.knowledge.schema import SnippetFile
from app.knowledge.sync import sync_knowledge
from app.knowledge.validate import Knowledge

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from api.test_search_quality import (  # noqa: E402
    Query,
    evaluate,
    load_queries,
    load_real_knowledge,
    markdown_table,
    summary,
)

from support_pg import available as pg_available  # noqa: E402
from support_pg import free_port, postgres_server  # noqa: E402

OUT = ROOT / "data" / "bench"
CORPUS_SIZE = 20_000
SEED = 20_000
MIN_SEARCHES = 300
LIMIT = 3
HTTP_REQUESTS = 3_000
HTTP_WARMUP = 200
HTTP_CONCURRENCY = 16
LANGS = ("kk", "ru", "en")
MAX_TITLE, MAX_TEXT = 80, 900  # app.knowledge.schema
WORD_SWAP = 0.1  # share of a generated sentence's words replaced by other real words
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9«\"(])")


# --------------------------------------------------------------------------- corpus


def make_corpus(real: list[SnippetFile], size: int, seed: int = SEED) -> list[SnippetFile]:
    """The real snippets plus generated ones up to `size`, the same for the same input."""
    rng = random.Random(seed)
    by_topic: dict[str, list[SnippetFile]] = defaultdict(list)
    for snippet in real:
        by_topic[snippet.topic].append(snippet)
    topics = sorted(by_topic)
    sentences: dict[tuple[str, str], list[str]] = defaultdict(list)
    title_words: dict[tuple[str, str], list[str]] = defaultdict(list)
    all_words: dict[str, list[str]] = defaultdict(list)
    for snippet in real:
        for lang in LANGS:
            text = getattr(snippet.text, lang)
            sentences[snippet.topic, lang].extend(_SENTENCE_END.split(text))
            title_words[snippet.topic, lang].extend(
                w.strip('?.,!:;«»"') for w in getattr(snippet.title, lang).split()
            )
            all_words[lang].extend(text.split())
    corpus = list(real)
    for n in range(size - len(real)):
        topic = topics[n % len(topics)]
        base = rng.choice(by_topic[topic])
        title = {lang: _title(rng, title_words[topic, lang]) for lang in LANGS}
        text = {lang: _body(rng, sentences[topic, lang], all_words[lang]) for lang in LANGS}
        corpus.append(
            SnippetFile.model_validate(
                {
                    **base.model_dump(mode="json"),
                    "id": f"{topic}.bench-{n:05d}",
                    "title": title,
                    "text": text,
                    "status": "approved",
                }
            )
        )
    return corpus


def _title(rng: random.Random, words: list[str]) -> str:
    picked = " ".join(rng.sample(words, k=min(len(words), rng.randint(4, 8))))
    return (picked[: MAX_TITLE - 1].rsplit(" ", 1)[0].rstrip("?.,") + "?").capitalize()


def _body(rng: random.Random, sentences: list[str], words: list[str]) -> str:
    body = ""
    for sentence in rng.sample(sentences, k=min(len(sentences), 6)):
        mixed = " ".join(
            rng.choice(words) if rng.random() < WORD_SWAP else w for w in sentence.split()
        )
        if len(body) + len(mixed) + 1 > MAX_TEXT:
            break
        body = f"{body} {mixed}".strip()
    return body or sentences[0][:MAX_TEXT]


# --------------------------------------------------------------------------- engines


def _migrate(engine: Engine) -> None:
    config = Config(str(ROOT / "api" / "alembic.ini"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


@contextmanager
def _database(name: str, tmp: Path) -> Iterator[str]:
    if name == "sqlite":
        yield f"sqlite:///{tmp / 'bench.db'}"
    else:
        with postgres_server() as url:
            yield url


def _load(url: str, knowledge: Knowledge) -> tuple[Engine, float]:
    engine = make_engine(url)
    _migrate(engine)
    start = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        sync_knowledge(session, knowledge)
    return engine, time.perf_counter() - start


# --------------------------------------------------------------------------- search


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _search(engine: Engine, queries: list[Query]) -> tuple[dict[str, Any], Any]:
    rounds = -(-MIN_SEARCHES // len(queries))
    with Session(engine, expire_on_commit=False) as session:
        start = time.perf_counter()
        evaluate(session, queries[:1], limit=LIMIT)  # loads the index statistics
        first = time.perf_counter() - start
        cold: list[float] = []
        scores = evaluate(session, queries, limit=LIMIT, timings=cold)
        timings = list(cold)
        for _ in range(rounds - 1):
            evaluate(session, queries, limit=LIMIT, timings=timings)
    figures = {
        "searches": len(timings),
        "p50_ms": _ms(statistics.median(timings)),
        "p95_ms": _ms(_percentile(timings, 0.95)),
        "max_ms": _ms(max(timings)),
        "first_pass_p95_ms": _ms(_percentile(cold, 0.95)),
        "first_search_ms": _ms(first),
        "recall": summary(scores),
    }
    return figures, scores


# --------------------------------------------------------------------------- HTTP


@contextmanager
def _uvicorn(app: str, app_dir: Path, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--app-dir",
            str(app_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn {app} did not start: {process.stderr}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _hammer(url: str, paths: list[str], requests: int, concurrency: int) -> float:
    """Requests per second for `requests` GETs cycling over `paths`, at most `concurrency` open."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        counter = iter(range(requests))
        failures: list[int] = []

        async def worker() -> None:
            for n in counter:
                response = await client.get(paths[n % len(paths)])
                if response.status_code != 200:
                    failures.append(response.status_code)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, e.g. HTTP {failures[0]}")
    return requests / elapsed


def _rps(url: str, paths: list[str]) -> float:
    asyncio.run(_hammer(url, paths, HTTP_WARMUP, HTTP_CONCURRENCY))
    return round(asyncio.run(_hammer(url, paths, HTTP_REQUESTS, HTTP_CONCURRENCY)), 1)


def _http(db_url: str, snippet_ids: list[str]) -> dict[str, Any]:
    rng = random.Random(SEED)
    env = {
        "DATABASE_URL": db_url,
        "ENVIRONMENT": "local",
        "SERVICE_API_KEY": "b" * 32,
        "RATE_LIMIT": "100000000/minute",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT / "api"),
    }
    snippet_paths = [f"/v1/snippets/{i}?lang=ru" for i in rng.sample(snippet_ids, 500)]
    referral_paths = ["/v1/referrals", "/v1/referrals?city=almaty", "/v1/referrals?lang=kk"]
    with _uvicorn("hello_app:app", Path(__file__).parent, env) as url:
        hello = _rps(url, ["/hello"])
    with _uvicorn("app.main:app", ROOT / "api", env) as url:
        snippets = _rps(url, snippet_paths)
        referrals = _rps(url, referral_paths)
    return {
        "requests": HTTP_REQUESTS,
        "concurrency": HTTP_CONCURRENCY,
        "hello_rps": hello,
        "snippet_rps": snippets,
        "referrals_rps": referrals,
        "snippet_ratio": round(snippets / hello, 3),
        "referrals_ratio": round(referrals / hello, 3),
    }


# --------------------------------------------------------------------------- report


def to_markdown(report: dict[str, Any]) -> str:
    lines = [
        f"Corpus: {report['corpus']['snippets']} snippets x 3 languages",
        "",
        "| engine | sync s | searches | p50 ms | p95 ms | max ms | first search ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in report["engines"].items():
        s = r["search"]
        lines.append(
            f"| {name} | {r['sync_seconds']} | {s['searches']} | {s['p50_ms']} | "
            f"{s['p95_ms']} | {s['max_ms']} | {s['first_search_ms']} |"
        )
    lines += [
        "",
        "| engine | endpoint | req/s | vs hello world |",
        "|---|---|---:|---:|",
    ]
    for name, r in report["engines"].items():
        h = r["http"]
        lines += [
            f"| {name} | GET /hello (bare FastAPI) | {h['hello_rps']} | 1.000 |",
            f"| {name} | GET /v1/snippets/{{id}} | {h['snippet_rps']} | {h['snippet_ratio']} |",
            f"| {name} | GET /v1/referrals | {h['referrals_rps']} | {h['referrals_ratio']} |",
        ]
    return "\n".join(lines)


def test_search_benchmark(tmp_path: Path) -> None:
    real = load_real_knowledge()
    approved = [s for _, s in real.snippets if s.status == "approved"]
    corpus = make_corpus(approved, CORPUS_SIZE)
    knowledge = Knowledge(
        snippets=[("bench/snippets.yaml", s) for s in corpus], referrals=real.referrals
    )
    queries = load_queries()
    engines = ["sqlite", *(["postgresql"] if pg_available() else [])]
    report: dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "corpus": {"snippets": len(corpus), "real": len(approved), "seed": SEED},
        "engines": {},
    }
    recall = {}
    for name in engines:
        with _database(name, tmp_path) as url:
            engine, sync_seconds = _load(url, knowledge)
            search, scores = _search(engine, queries)
            engine.dispose()
            http = _http(url, [s.id for s in corpus])
        recall[f"{name}, {len(corpus)} snippets"] = scores
        report["engines"][name] = {
            "sync_seconds": round(sync_seconds, 1),
            "search": search,
            "http": http,
        }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "search.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print("\n" + to_markdown(report))
    print("\nRecall among the generated near-duplicates (same topics, same sentences):")
    print(markdown_table(recall))
    assert report["engines"]["sqlite"]["search"]["searches"] >= MIN_SEARCHES


if __name__ == "__main__":
    pytest.main([__file__, "--benchmarks", "-s", "-q"])
