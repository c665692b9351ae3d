"""Statistics for coordinators: tables, bar charts and CSV, with small cells withheld.

The counts come from app/statistics.py and go through its `suppress`: a count under
MIN_COUNT is shown (and exported) as "<5", and a larger count withheld only so that a
small one cannot be worked out from the total is shown as "withheld". No withheld
number ever leaves the server, on the page or in a CSV file.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n.translate import N_
from app.models import Feedback, Handoff, Question
from app.statistics import MIN_COUNT, iso_week, raw_breakdown, suppress

SMALL = f"<{MIN_COUNT}"
WITHHELD = N_("withheld")
NO_TOPIC = N_("(no topic)")


@dataclass(frozen=True)
class Cell:
    value: int | None  # None: withheld
    small: bool = False  # withheld because it is under MIN_COUNT

    @property
    def text(self) -> str:
        if self.value is not None:
            return str(self.value)
        return SMALL if self.small else WITHHELD


@dataclass
class Table:
    name: str
    title: str  # a msgid, translated in the template
    key_header: str  # a msgid
    columns: list[str]  # msgids of the count columns
    rows: list[tuple[str, list[Cell]]] = field(default_factory=list)

    @property
    def peak(self) -> int:
        return max((c.value or 0 for _, cells in self.rows for c in cells), default=0)

    def csv(self, translate: Callable[[str], str]) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([translate(self.key_header), *(translate(c) for c in self.columns)])
        for key, cells in self.rows:
            writer.writerow([translate(key), *(translate(c.text) for c in cells)])
        return out.getvalue()


def cells_of(raw: dict[Any, int]) -> dict[Any, Cell]:
    shown = suppress(raw)
    return {k: Cell(shown[k], small=raw[k] < MIN_COUNT) for k in raw}


def _one_column(name: str, title: str, key_header: str, raw: dict[Any, int]) -> Table:
    cells = cells_of(raw)
    keys = sorted(raw, key=lambda k: (k is None, str(k)))
    return Table(
        name=name,
        title=title,
        key_header=key_header,
        columns=[N_("Count")],
        rows=[(NO_TOPIC if k is None else str(k), [cells[k]]) for k in keys],
    )


BREAKDOWNS = (
    ("by_topic", N_("Topic")),
    ("by_lang", N_("Language")),
    ("by_channel", N_("Channel")),
    ("by_week", N_("Week")),
)
TITLES = {
    ("questions", "by_topic"): N_("Questions by topic"),
    ("questions", "by_lang"): N_("Questions by language"),
    ("questions", "by_channel"): N_("Questions by channel"),
    ("questions", "by_week"): N_("Questions by week"),
    ("handoffs", "by_topic"): N_("Handoffs by topic"),
    ("handoffs", "by_lang"): N_("Handoffs by language"),
    ("handoffs", "by_channel"): N_("Handoffs by channel"),
    ("handoffs", "by_week"): N_("Handoffs by week"),
}


def feedback_table(session: Session) -> Table:
    rows = session.execute(
        select(Feedback.snippet_id, Feedback.helpful, func.count()).group_by(
            Feedback.snippet_id, Feedback.helpful
        )
    ).all()
    raw: dict[tuple[str, bool], int] = {(s, bool(h)): n for s, h, n in rows}
    cells = cells_of(raw)
    zero = Cell(0)
    return Table(
        name="feedback",
        title=N_("Feedback per answer"),
        key_header=N_("Answer"),
        columns=[N_("Helpful"), N_("Not helpful")],
        rows=[
            (s, [cells.get((s, True), zero), cells.get((s, False), zero)])
            for s in sorted({s for s, _ in raw})
        ],
    )


def waiting_table(session: Session) -> Table:
    """Per week: handoffs a person took, and the median minutes she waited for one.

    A median of fewer than MIN_COUNT waits describes too few people: withheld with them.
    """
    waits: dict[str, list[float]] = {}
    for created, taken in session.execute(
        select(Handoff.created_at, Handoff.taken_at).where(Handoff.taken_at.is_not(None))
    ):
        if taken is None:
            continue
        minutes = (taken - created).total_seconds() / 60
        waits.setdefault(iso_week(created.date()), []).append(max(minutes, 0.0))
    counts = cells_of({week: len(w) for week, w in waits.items()})
    rows = []
    for week in sorted(waits):
        count = counts[week]
        median = (
            Cell(round(statistics.median(waits[week])))
            if count.value is not None
            else (Cell(None, small=count.small))
        )
        rows.append((week, [count, median]))
    return Table(
        name="handoff-waiting",
        title=N_("Handoff waiting time by week"),
        key_header=N_("Week"),
        columns=[N_("Taken by a person"), N_("Median wait (minutes)")],
        rows=rows,
    )


IN_HOURS = N_("Asked in staff hours")
OUT_OF_HOURS = N_("Asked out of hours")


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def waiting_by_hours_table(session: Session) -> Table:
    """Minutes to a person for hand-offs asked in and out of staff hours (median and 90th
    percentile), so coordinators see what the night costs. Hand-offs from before hours
    were recorded (in_hours null) are left out. Both rows together are all taken
    hand-offs, so they are suppressed together like any breakdown."""
    waits: dict[str, list[float]] = {}
    for created, taken, in_hours in session.execute(
        select(Handoff.created_at, Handoff.taken_at, Handoff.in_hours).where(
            Handoff.taken_at.is_not(None), Handoff.in_hours.is_not(None)
        )
    ):
        if taken is None:
            continue
        key = IN_HOURS if in_hours else OUT_OF_HOURS
        waits.setdefault(key, []).append(max((taken - created).total_seconds() / 60, 0.0))
    counts = cells_of({key: len(w) for key, w in waits.items()})
    rows = []
    for key in (IN_HOURS, OUT_OF_HOURS):
        if key not in waits:
            continue
        count = counts[key]
        if count.value is None:
            hidden = Cell(None, small=count.small)
            rows.append((key, [count, hidden, hidden]))
            continue
        values = waits[key]
        rows.append(
            (key, [count, Cell(round(statistics.median(values))), Cell(round(_p90(values)))])
        )
    return Table(
        name="handoff-hours",
        title=N_("Handoff waiting time in and out of staff hours"),
        key_header=N_("When she asked"),
        columns=[
            N_("Taken by a person"),
            N_("Median wait (minutes)"),
            N_("90th percentile wait (minutes)"),
        ],
        rows=rows,
    )


def _alone(n: int) -> Cell:
    # Each row is a count of its own (not parts of one total): withheld when small. Zero is
    # no one, and shown.
    hidden = 0 < n < MIN_COUNT
    return Cell(None if hidden else n, small=hidden)


def handoff_outcomes_table(session: Session) -> Table:
    """Callbacks asked for and made, and hand-offs closed before any person took them."""

    def count(*where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(Handoff).where(*where)) or 0)

    rows = [
        (N_("Callbacks requested"), count(Handoff.mode == "callback")),
        (N_("Callbacks made"), count(Handoff.callback_done_at.is_not(None))),
        (
            N_("Closed before a person took them"),
            count(Handoff.status == "closed", Handoff.taken_at.is_(None)),
        ),
    ]
    return Table(
        name="handoff-outcomes",
        title=N_("Callbacks and unanswered handoffs"),
        key_header=N_("Handoffs"),
        columns=[N_("Count")],
        rows=[(key, [_alone(n)]) for key, n in rows],
    )


def tables(session: Session) -> list[Table]:
    found: list[Table] = []
    for kind, model in (("questions", Question), ("handoffs", Handoff)):
        raw = raw_breakdown(session, model)
        for key, header in BREAKDOWNS:
            found.append(_one_column(f"{kind}-{key[3:]}", TITLES[(kind, key)], header, raw[key]))
    found.append(waiting_table(session))
    found.append(waiting_by_hours_table(session))
    found.append(handoff_outcomes_table(session))
    found.append(feedback_table(session))
    return found


def totals(session: Session) -> dict[str, Cell]:
    found = {}
    for name, model in (("questions", Question), ("handoffs", Handoff)):
        n = int(session.scalar(select(func.count()).select_from(model)) or 0)
        found[name] = Cell(n if n >= MIN_COUNT else None, small=n < MIN_COUNT)
    return found
