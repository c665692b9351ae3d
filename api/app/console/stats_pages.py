"""The statistics page (admin) and the CSV export of each of its tables."""

from __future__ import annotations

from fastapi import HTTPException, Request, Response

from app.console.deps import Admin
from app.console.render import page_lang, render
from app.console.router import console_router
from app.console.statistics import SMALL, tables, totals
from app.deps import SessionDep, SettingsDep
from app.i18n.translate import gettext
from app.statistics import MIN_COUNT

router = console_router()


@router.get("/stats", name="console_stats")
def stats(request: Request, me: Admin, db: SessionDep, settings: SettingsDep) -> Response:
    return render(
        request,
        "stats.html",
        {
            "me": me,
            "tables": tables(db),
            "totals": totals(db),
            "min_count": MIN_COUNT,
            "small": SMALL,
            "retention_days": settings.retention_days,
        },
    )


@router.get("/stats/{name}.csv", name="console_stats_csv")
def stats_csv(request: Request, name: str, me: Admin, db: SessionDep) -> Response:
    table = next((t for t in tables(db) if t.name == name), None)
    if table is None:
        raise HTTPException(404, f"no table {name!r}")
    lang = page_lang(request)
    body = table.csv(lambda msgid: gettext(lang, msgid))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="ana-komek-{name}.csv"'},
    )
