"""The API application: knowledge, referrals, and later the console and widget."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from slowapi import Limiter, _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded
from slowapi.middleware import SlowAPIMiddleware
from slowapi.util import get_remote_address

from app import console
from app.core import errors
from app.core.config import Settings, get_settings
from app.core.logging import configure
from app.core.metrics import Metrics
from app.core.metrics import router as metrics_router
from app.core.middleware import RequestContext
from app.core.security_headers import SecurityHeaders
from app.routes import conversations, handoffs, health, knowledge, referrals, stats
from app.widget import routes as widget


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure(settings.log_level)
    app = FastAPI(
        title="Ana Komek knowledge API",
        version="1",
        description=(
            "Sourced answers in Kazakh, Russian and English for migrant mothers in Kazakhstan, "
            "and the organisations that can help. Public reads need no key."
        ),
    )
    app.state.limiter = Limiter(key_func=get_remote_address, default_limits=[settings.rate_limit])
    app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)  # type: ignore[arg-type]
    app.add_middleware(SlowAPIMiddleware)
    if settings.cors_origins or settings.widget_origins:
        # Widget sites also post feedback (JSON); service writes stay closed to browsers,
        # which cannot send X-Service-Key cross-origin (it is not an allowed header).
        app.add_middleware(
            CORSMiddleware,
            allow_origins=[*settings.cors_origins, *settings.widget_origins],
            allow_methods=["GET", "POST"] if settings.widget_origins else ["GET"],
            allow_headers=["Content-Type"] if settings.widget_origins else [],
        )
    app.add_middleware(RequestContext, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(Metrics)
    # Outermost: every answer carries them, the 413 of RequestContext included.
    app.add_middleware(SecurityHeaders, https_only=settings.environment == "production")
    errors.install(app)
    for module in (health, knowledge, referrals, conversations, stats):
        app.include_router(module.router)
    app.include_router(metrics_router)
    console.install(app)
    # Public /v1/handoffs/replies first: it would otherwise match /v1/handoffs/{handoff_id}.
    app.include_router(handoffs.public)
    app.include_router(handoffs.router)
    app.include_router(widget.router)
    return app


app = create_app()
