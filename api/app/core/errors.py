"""Every error is JSON with a machine-readable `error` and a human `detail`; never a bare 500."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.logging import request_id

log = logging.getLogger("app.errors")
NAMES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "unavailable",
}


class NotFound(LookupError):
    """A service's "there is no such thing": a 404 with its message, whichever route
    called the service (services know nothing of HTTP)."""


def _body(status: int, detail: object) -> dict[str, object]:
    return {"error": NAMES.get(status, "error"), "detail": detail, "request_id": request_id.get()}


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(_body(exc.status_code, exc.detail), exc.status_code, exc.headers)

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(_body(404, str(exc)), 404)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return JSONResponse(_body(422, detail), 422)

    @app.exception_handler(DataError)
    async def data_error(_: Request, exc: DataError) -> JSONResponse:
        # PostgreSQL text cannot hold NUL characters (SQLite can): bad input, not our fault.
        if "NUL" in str(exc.orig):
            return JSONResponse(_body(422, ["text must not contain NUL (0x00) characters"]), 422)
        log.exception("database refused a value")
        return JSONResponse(_body(500, "internal error; it has been logged"), 500)

    @app.exception_handler(PoolTimeout)
    async def busy(_: Request, exc: PoolTimeout) -> JSONResponse:
        # Every database connection stayed busy for the pool's timeout: overload, not a bug.
        log.warning("no database connection free: %s", exc)
        body = _body(503, "busy; try again in a few seconds")
        return JSONResponse(body, 503, {"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return JSONResponse(_body(500, "internal error; it has been logged"), 500)
