"""The error responses the routes declare in the OpenAPI page, written once.

Every error body is app.core.errors' JSON (ErrorOut); these only describe when each
status is given.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException

from app.core.config import Settings
from app.knowledge.taxonomy import topic_ids
from app.schemas import ErrorOut

Responses = dict[int | str, dict[str, Any]]


def error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


AUTH: Responses = {401: error("missing or wrong X-Service-Key")}
WRITE: Responses = {
    400: error("body that cannot be read (not UTF-8)"),
    **AUTH,
    413: error("request body over the configured size"),
    422: error("invalid body, or a topic not in the taxonomy"),
}
NO_SNIPPET: Responses = {404: error("no such snippet")}


def check_topic(topic: str | None, settings: Settings) -> None:
    """422 for a topic the taxonomy does not have (the 422 of WRITE)."""
    if topic is not None and topic not in topic_ids(settings.knowledge_dir):
        raise HTTPException(422, [f"body.topic: unknown topic {topic!r}"])
