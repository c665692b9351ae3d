"""The staff console at /console: sign-in, answer and referral lookup, handoffs, review, stats.

Server-rendered pages (Jinja2 templates in app/templates/console/, CSS and a few lines of
JavaScript in app/static/console/), each behind a role. `install(app)` adds it to the API.
"""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    from app.console import handoff_pages, lookup, review, signin, staff_pages, stats_pages

    for module in (signin, lookup, handoff_pages, review, stats_pages, staff_pages):
        app.include_router(module.router)
