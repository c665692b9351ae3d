"""Topics, snippets and search: what the bot, the console and NGO sites read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from sqlalchemy import func, select

from app.deps import SessionDep, SettingsDep
from app.i18n import Lang
from app.knowledge.taxonomy import load_taxonomy
from app.models import Snippet
from app.routes.caching import etag_response
from app.schemas import (
    ErrorOut,
    Group,
    SearchHit,
    SearchOut,
    SnippetList,
    SnippetOut,
    SourceOut,
    TextOut,
    TopicList,
    TopicOut,
)
from app.search.service import search as run_search

router = APIRouter(prefix="/v1", tags=["knowledge"])
ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}, 422: {"model": ErrorOut}}


def source_out(source: dict[str, Any], lang: str) -> SourceOut:
    """A source in the reader's language (English when she asked for none)."""

    def pick(value: Any) -> Any:
        return value.get(lang) if isinstance(value, dict) else value

    return SourceOut(
        title=pick(source["title"]), article=pick(source.get("article")), url=source["url"]
    )


def snippet_out(row: Snippet, lang: str | None) -> SnippetOut:
    return SnippetOut(
        snippet_id=row.id,
        topic=row.topic,
        applies_to=row.applies_to,
        last_reviewed=row.last_reviewed,
        sources=[source_out(s, lang or "en") for s in row.sources],
        texts={
            t.lang: TextOut(title=t.title, text=t.body)
            for t in row.texts
            if lang is None or t.lang == lang
        },
    )


@router.get("/topics", response_model=TopicList)
def list_topics(session: SessionDep, settings: SettingsDep) -> TopicList:
    counts = dict(
        session.execute(
            select(Snippet.topic, func.count())
            .where(Snippet.status == "approved")
            .group_by(Snippet.topic)
        ).all()
    )
    return TopicList(
        results=[
            TopicOut(id=topic, area=area, description=desc, approved_snippets=counts.get(topic, 0))
            for area, topics in load_taxonomy(settings.knowledge_dir).items()
            for topic, desc in topics.items()
        ]
    )


@router.get("/snippets", response_model=SnippetList, responses=ERRORS)
def list_snippets(
    request: Request,
    session: SessionDep,
    topic: Annotated[str | None, Query(max_length=80, examples=["stay.registration"])] = None,
    lang: Lang | None = None,
    group: Annotated[
        Group | None, Query(description="citizenship group the answer must apply to")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    """Approved snippets, optionally of one topic and for one citizenship group."""
    query = select(Snippet).where(Snippet.status == "approved")
    if topic:
        query = query.where(Snippet.topic == topic)
    rows = list(session.scalars(query.order_by(Snippet.id)))
    if group:
        rows = [r for r in rows if group in r.applies_to]
    page = rows[offset : offset + limit]
    return etag_response(
        request,
        SnippetList(
            results=[snippet_out(r, lang) for r in page],
            total=len(rows),
            limit=limit,
            offset=offset,
        ),
    )


@router.get("/snippets/{snippet_id}", response_model=SnippetOut, responses=ERRORS)
def get_snippet(
    request: Request,
    session: SessionDep,
    snippet_id: Annotated[str, Path(max_length=160)],
    lang: Lang | None = None,
) -> Response:
    row = session.get(Snippet, snippet_id)
    if row is None or row.status != "approved":
        raise HTTPException(404, f"no approved snippet {snippet_id!r}")
    return etag_response(request, snippet_out(row, lang))


@router.get("/search", response_model=SearchOut, responses=ERRORS)
def search(
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=500, examples=["калай тиркелемин"])],
    lang: Lang | None = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> SearchOut:
    """Find snippets by meaning words in kk, ru or en; tolerant of typos and Latin letters."""
    results = run_search(session, q, lang=lang, limit=limit)
    titles = {}
    for r in results:
        row = session.get(Snippet, r.snippet_id)
        if row is not None:
            titles[r.snippet_id] = row.text_in(r.lang).title
    return SearchOut(
        query=q,
        results=[
            SearchHit(
                snippet_id=r.snippet_id,
                topic=r.topic,
                lang=r.lang,
                score=r.score,
                title=titles.get(r.snippet_id, ""),
            )
            for r in results
        ],
    )
