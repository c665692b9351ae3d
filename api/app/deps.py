"""Dependencies shared by the routes."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from app.core.config import Settings, get_settings
from app.db import get_session

SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

service_key_header = APIKeyHeader(
    name="X-Service-Key",
    scheme_name="ServiceKey",
    description="Shared secret of the action server (SERVICE_API_KEY).",
    auto_error=False,
)


def require_service_key(
    settings: SettingsDep, key: Annotated[str | None, Security(service_key_header)]
) -> None:
    """401 unless X-Service-Key equals the configured key (compared in constant time)."""
    # Bytes, not str: compare_digest refuses non-ASCII str, and a header may hold anything.
    given = (key or "").encode("utf-8", "surrogateescape")
    expected = settings.service_api_key.encode("utf-8")
    if not key or not hmac.compare_digest(given, expected):
        raise HTTPException(
            401, "missing or wrong X-Service-Key", headers={"WWW-Authenticate": "X-Service-Key"}
        )


ServiceKey = Depends(require_service_key)
