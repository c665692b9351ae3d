"""The action server's only way to the knowledge: the API, over httpx."""

from __future__ import annotations

from typing import Any

import httpx

from actions.settings import get_settings


class ApiUnavailable(Exception):
    """The API did not answer in time or answered with a server error."""


async def _get(path: str, params: dict[str, Any]) -> dict[str, Any]:
    settings = get_settings()
    clean = {k: v for k, v in params.items() if v is not None}
    try:
        async with httpx.AsyncClient(
            base_url=settings.api_url, timeout=settings.api_timeout_seconds
        ) as client:
            response = await client.get(path, params=clean)
    except httpx.HTTPError as exc:
        raise ApiUnavailable(str(exc)) from exc
    if response.status_code >= 500:
        raise ApiUnavailable(f"{path}: HTTP {response.status_code}")
    response.raise_for_status()
    return response.json()


async def snippets(topic: str, lang: str, group: str | None) -> list[dict[str, Any]]:
    data = await _get("/v1/snippets", {"topic": topic, "lang": lang, "group": group, "limit": 50})
    return data["results"]


async def search(query: str, lang: str | None, limit: int = 5) -> list[dict[str, Any]]:
    return (await _get("/v1/search", {"q": query[:500], "lang": lang, "limit": limit}))["results"]


async def referrals(
    service: str | None, city: str | None, lang: str | None
) -> list[dict[str, Any]]:
    params = {"service": service, "city": city, "lang": lang, "limit": 5}
    return (await _get("/v1/referrals", params))["results"]


async def snippet(snippet_id: str, lang: str) -> dict[str, Any]:
    return await _get(f"/v1/snippets/{snippet_id}", {"lang": lang})
