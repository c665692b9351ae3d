"""/forget on the REST channel (bot/channels/forgetting.py; socket.io's is tested in
tests/bot/test_socketio_channel.py and the widget's browser test): her conversation is
really deleted, not only answered."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .test_pipeline import texts

pytestmark = pytest.mark.e2e


def say(rasa_url: str, sender: str, message: str, **metadata: Any) -> list[str]:
    body: dict[str, Any] = {"sender": sender, "message": message}
    if metadata:
        body["metadata"] = metadata
    response = httpx.post(f"{rasa_url}/webhooks/rest/webhook", json=body, timeout=60)
    response.raise_for_status()
    return texts(response.json())


def test_forget_deletes_her_conversation_on_the_web_too(rasa_url: str) -> None:
    fresh = say(rasa_url, "web-fresh", "/help_menu")  # a new conversation: default language
    for sender in ("web-forget", "web-control"):
        say(rasa_url, sender, "Hello", lang="kk")
    kazakh = say(rasa_url, "web-control", "/help_menu")
    assert kazakh != fresh, "the conversation's language (kk) shows in the menu"

    forgotten = say(rasa_url, "web-forget", "/forget")
    assert forgotten and "/forget" not in forgotten[0]  # the confirmation, not the failure
    # Deleted: she starts afresh, in the default language; the control keeps Kazakh.
    assert say(rasa_url, "web-forget", "/help_menu") == fresh
    assert say(rasa_url, "web-control", "/help_menu") == kazakh
