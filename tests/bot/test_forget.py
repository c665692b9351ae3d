"""/forget deletes her data everywhere: Rasa's tracker store and the API's handoffs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.privacy import ConversationNotDeleted, forget_everywhere

KEY = "bot-tests-" + "k" * 24  # SERVICE_API_KEY of the API in conftest.py


def _handoff(api_url: str, sender: str) -> None:
    body = {"channel": "socketio", "sender_id": sender, "lang": "kk", "consent": True}
    response = httpx.post(f"{api_url}/v1/handoffs", json=body, headers={"X-Service-Key": KEY})
    assert response.status_code == 201, response.text


def _left_in_api(api_url: str, sender: str) -> int:
    response = httpx.delete(f"{api_url}/v1/conversations/{sender}", headers={"X-Service-Key": KEY})
    return int(response.json()["deleted"]["handoffs"])


@pytest.fixture
def store(tmp_path: Path) -> SQLTrackerStore:
    return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))


def _save(store: SQLTrackerStore, sender: str) -> None:
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered("Менің телефоным +7 701 123 45 67"))
    asyncio.run(store.save(tracker))


def test_forget_deletes_the_tracker_and_her_handoffs_only(
    use_api: str, store: SQLTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVICE_API_KEY", KEY)
    for sender in ("her/1", "other-1"):  # an id with a slash must not break the path
        _save(store, sender)
        _handoff(use_api, sender)

    asyncio.run(forget_everywhere(store, "her/1"))

    assert asyncio.run(store.retrieve("her/1")) is None
    assert _left_in_api(use_api, "her%2F1") == 0
    assert asyncio.run(store.retrieve("other-1")) is not None
    assert _left_in_api(use_api, "other-1") == 1


def test_forget_says_so_when_the_api_is_down(
    api_down: None, store: SQLTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVICE_API_KEY", KEY)
    _save(store, "her-2")
    with pytest.raises(ConversationNotDeleted, match="API"):
        asyncio.run(forget_everywhere(store, "her-2"))


def test_forget_says_so_when_the_api_refuses_the_key(
    use_api: str, store: SQLTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVICE_API_KEY", "wrong-" + "k" * 30)
    _save(store, "her-3")
    with pytest.raises(ConversationNotDeleted, match="401"):
        asyncio.run(forget_everywhere(store, "her-3"))
