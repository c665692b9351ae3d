"""The reply contract (docs/ARCHITECTURE.md: the `custom` payload) in the form each channel
carries it."""

from __future__ import annotations

from typing import Any


def for_channel(payload: dict[str, Any], channel: str | None) -> dict[str, Any] | None:
    """The reply contract (docs/ARCHITECTURE.md, "The custom payload"), in the form her
    channel carries: flat on REST, wrapped in `data` on socket.io (Rasa unpacks it into
    emit's arguments), and not at all on Telegram, whose users never see it."""
    if channel == "telegram":
        return None
    return {"data": payload} if channel == "socketio" else payload


def custom_payload(
    snippet_id: str, topic: str, lang: str, channel: str | None
) -> dict[str, Any] | None:
    return for_channel({"snippet_id": snippet_id, "topic": topic, "lang": lang}, channel)
