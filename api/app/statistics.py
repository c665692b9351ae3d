"""Anonymised statistics for coordinators and researchers: the API's GET /v1/stats
(routes/stats.py) and the console's statistics page (console/statistics.py) both count here.

Small counts single people out, so every count under MIN_COUNT is withheld (`null`,
`"suppressed": true`). Withholding one cell of a breakdown is not enough when its total is
shown (the total minus the others gives it back), so each breakdown either hides nothing or
hides at least two cells that together hold at least MIN_COUNT (complementary suppression):
the smallest shown cells are withheld too until that holds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.models import Feedback, Handoff, Question
from app.schemas import (
    Breakdown,
    Count,
    FeedbackStats,
    KeyedCount,
    QuestionStats,
    SnippetFeedback,
    StatsOut,
    UnansweredQuestion,
)

MIN_COUNT = 5
TOP_UNANSWERED = 20
K = TypeVar("K", bound=Hashable)


def suppress(cells: dict[K, int], minimum: int = MIN_COUNT) -> dict[K, int | None]:
    """Withhold small cells, plus enough others that no withheld cell can be worked out."""
    hidden = {k for k, v in cells.items() if v < minimum}
    shown = sorted((k for k in cells if k not in hidden), key=lambda k: (cells[k], str(k)))
    while hidden and shown and (len(hidden) < 2 or sum(cells[k] for k in hidden) < minimum):
        hidden.add(shown.pop(0))
    return {k: None if k in hidden else v for k, v in cells.items()}


def count(value: int, minimum: int = MIN_COUNT) -> Count:
    return Count(count=None, suppressed=True) if value < minimum else Count(count=value)


def keyed(cells: dict[Any, int]) -> list[KeyedCount]:
    shown = suppress(cells)
    return [
        KeyedCount(key=key, count=shown[key], suppressed=shown[key] is None)
        for key in sorted(cells, key=lambda k: (k is None, k or ""))
    ]


def iso_week(day: dt.date | str) -> str:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _grouped(session: Session, column: Any) -> dict[Any, int]:
    return {key: n for key, n in session.execute(select(column, func.count()).group_by(column))}


def raw_breakdown(
    session: Session, model: type[Handoff] | type[Question]
) -> dict[str, dict[Any, int]]:
    """Unsuppressed counts by topic, language, channel and ISO week (never shown as they are)."""
    created: InstrumentedAttribute[dt.datetime] = model.created_at
    weeks: Counter[str] = Counter()
    for day, n in _grouped(session, func.date(created)).items():
        if day is not None:
            weeks[iso_week(day)] += n
    return {
        "by_topic": _grouped(session, model.topic),
        "by_lang": _grouped(session, model.lang),
        "by_channel": _grouped(session, model.channel),
        "by_week": dict(weeks),
    }


def breakdown(session: Session, model: type[Handoff] | type[Question]) -> dict[str, Any]:
    total = int(session.scalar(select(func.count()).select_from(model)) or 0)
    cells = {name: keyed(raw) for name, raw in raw_breakdown(session, model).items()}
    return {"total": count(total), **cells}


def feedback_stats(session: Session) -> FeedbackStats:
    rows = session.execute(
        select(Feedback.snippet_id, Feedback.helpful, func.count()).group_by(
            Feedback.snippet_id, Feedback.helpful
        )
    ).all()
    cells: dict[tuple[str, bool], int] = {(s, bool(h)): n for s, h, n in rows}
    snippets = sorted({s for s, _ in cells})
    for snippet in snippets:  # a missing cell is a real zero, and zero is no one
        cells.setdefault((snippet, True), 0)
        cells.setdefault((snippet, False), 0)
    shown = suppress({k: v for k, v in cells.items() if v > 0})
    shown.update({k: 0 for k, v in cells.items() if v == 0})

    def cell(key: tuple[str, bool]) -> Count:
        value = shown[key]
        return Count(count=value, suppressed=value is None)

    return FeedbackStats(
        total=count(sum(cells.values())),
        by_snippet=[
            SnippetFeedback(snippet_id=s, helpful=cell((s, True)), not_helpful=cell((s, False)))
            for s in snippets
        ],
    )


def normalise(text: str) -> str:
    """Fold case, punctuation and spacing so the same question counts once."""
    words = re.sub(r"[^\w\[\]]+", " ", text.casefold()).split()
    return " ".join(words)


def top_unanswered(
    texts: Iterable[str | None], limit: int = TOP_UNANSWERED
) -> list[UnansweredQuestion]:
    """Unanswered questions asked at least MIN_COUNT times; rarer texts could identify her."""
    groups: Counter[str] = Counter()
    first_seen: dict[str, str] = {}
    for text in texts:
        if not text:
            continue
        key = normalise(text)
        if key:
            groups[key] += 1
            first_seen.setdefault(key, text.strip())
    common: Sequence[tuple[str, int]] = sorted(
        ((k, n) for k, n in groups.items() if n >= MIN_COUNT), key=lambda kn: (-kn[1], kn[0])
    )
    return [UnansweredQuestion(text=first_seen[k], count=n) for k, n in common[:limit]]


def _cell(cells: dict[str, int | None], key: str) -> Count:
    if key not in cells:
        return Count(count=0)
    value = cells[key]
    return Count(count=value, suppressed=value is None)


def report(session: Session, retention_days: int) -> StatsOut:
    """Everything still kept, with every small count withheld (see the module docstring)."""
    answered = _grouped(session, Question.answered)
    answer_cells = suppress(
        {k: v for k, v in {"yes": answered.get(True, 0), "no": answered.get(False, 0)}.items() if v}
    )
    unanswered_texts = session.scalars(
        select(Question.text_masked).where(Question.answered.is_(False))
    )
    return StatsOut(
        min_count=MIN_COUNT,
        retention_days=retention_days,
        questions=QuestionStats(
            **breakdown(session, Question),
            answered=_cell(answer_cells, "yes"),
            unanswered=_cell(answer_cells, "no"),
        ),
        handoffs=Breakdown(**breakdown(session, Handoff)),
        feedback=feedback_stats(session),
        top_unanswered=top_unanswered(unanswered_texts),
    )
