"""The console's router: every route under /console goes through `ConsoleRoute`."""

from __future__ import annotations

from fastapi import APIRouter

from app.console.render import ConsoleRoute


def console_router() -> APIRouter:
    return APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
