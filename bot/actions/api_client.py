"""The action server's only way to the knowledge: the API, over httpx."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from common.settings import get_settings


class ApiUnavailable(Exception):
    """The API did not answer in time or answered with a server error."""


_shared: tuple[asyncio.AbstractEventLoop, str, float, httpx.AsyncClient] | None = None


def _client() -> httpx.AsyncClient:
    """One client for the life of the process, so connections are kept alive.

    A new client per call built its TLS context each time: about 40 ms of CPU per message
    in the action server (py-spy, README "Load"). A client belongs to the event loop it
    first ran on, so a new loop (tests run one per call) or a new API address gets a new one.
    """
    global _shared
    settings = get_settings()
    loop = asyncio.get_running_loop()
    wanted = (loop, settings.api_url, settings.api_timeout_seconds)
    if _shared is not None and _shared[:3] == wanted and not _shared[3].is_closed:
        return _shared[3]
    client = httpx.AsyncClient(base_url=settings.api_url, timeout=settings.api_timeout_seconds)
    _shared = (loop, settings.api_url, settings.api_timeout_seconds, client)
    return client


async def _get(
    path: str, params: dict[str, Any], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    clean = {k: v for k, v in params.items() if v is not None}
    try:
        response = await _client().get(path, params=clean, headers=headers)
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
    service: str | None, city: str | None, lang: str | None, *, limit: int
) -> dict[str, Any]:
    """GET /v1/referrals: `results`, most specific first, and `city_used` (whose came first)."""
    params = {"service": service, "city": city, "lang": lang, "limit": limit}
    return await _get("/v1/referrals", params)


async def snippet(snippet_id: str, lang: str) -> dict[str, Any]:
    return await _get(f"/v1/snippets/{snippet_id}", {"lang": lang})


# --- Handoffs to a person (writes, with the service key) ---------------------------------


async def _post(path: str, body: dict[str, Any]) -> httpx.Response:
    key = get_settings().service_api_key
    try:
        response = await _client().post(path, json=body, headers={"X-Service-Key": key})
    except httpx.HTTPError as exc:
        raise ApiUnavailable(str(exc)) from exc
    if response.status_code >= 500:
        raise ApiUnavailable(f"{path}: HTTP {response.status_code}")
    return response


async def open_handoff(body: dict[str, Any]) -> dict[str, Any]:
    """The new handoff: `id`, `status`, `position` in the queue, `in_hours`. Any refusal
    counts as unavailable: she gets the contacts."""
    response = await _post("/v1/handoffs", body)
    if response.status_code != 201:
        raise ApiUnavailable(f"/v1/handoffs: HTTP {response.status_code}")
    return dict(response.json())


async def availability() -> dict[str, Any]:
    """Whether a person can answer now: `in_hours`, `available` staff, `waiting` hand-offs,
    `next_open` (ISO time with the Kazakhstan offset, when out of hours)."""
    key = get_settings().service_api_key
    return await _get("/v1/handoffs/availability", {}, headers={"X-Service-Key": key})


async def handoff_status(handoff_id: int) -> str:
    """The hand-off's status: "open", "taken", or "closed" (also once purged: 404)."""
    key = get_settings().service_api_key
    try:
        found = await _get(f"/v1/handoffs/{handoff_id}", {}, headers={"X-Service-Key": key})
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code == 404:
            return "closed"
        raise ApiUnavailable(f"handoff status: HTTP {exc.response.status_code}") from exc
    return str(found["status"])


async def relay_to_staff(handoff_id: int, text: str) -> str:
    """Pass her message on; the handoff's status, "closed" once staff closed it (409) or
    the purge removed it (404)."""
    response = await _post(f"/v1/handoffs/{handoff_id}/messages", {"text": text})
    if response.status_code in (404, 409):
        return "closed"
    if response.status_code != 201:
        raise ApiUnavailable(f"relay: HTTP {response.status_code}")
    return str(response.json()["status"])
