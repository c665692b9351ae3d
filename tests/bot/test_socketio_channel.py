"""/forget on socket.io and REST: the confirmation is held back until her data is deleted
from the tracker store and the API (the real one, tests/bot/conftest.py), and is not sent
when deleting fails."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOOutput
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels import forgetting
from channels.privacy import FORGET_FAILED, FORGOTTEN, HoldForget, forget_and_confirm
from channels.socket_io import SocketIOInput

CONFIRMATION = {"text": "Our conversation is deleted.", "utter_action": FORGOTTEN}


def _agent(store: TrackerStore) -> Any:
    # The two stores the agent holds; both are Rasa's real in-memory implementations.
    return SimpleNamespace(tracker_store=store, lock_store=InMemoryLockStore())


def _saved(store: TrackerStore, sender: str) -> None:
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered("/forget"))
    asyncio.run(store.save(tracker))


def test_channel_keeps_rasas_name_and_settings() -> None:
    channel = SocketIOInput.from_credentials({"session_persistence": True})
    assert channel.name() == "socketio"
    assert channel.session_persistence is True
    # The held-back confirmation keeps the channel's name (Rasa picks variations by it).
    out = SocketIOOutput(None, "bot_uttered")
    assert HoldForget(out).name() == "socketio"


def test_only_the_confirmation_is_held_back() -> None:
    out = CollectingOutputChannel()
    held = HoldForget(out)

    async def scenario() -> None:
        await held.send_response("her", {"text": "Hello"})
        await held.send_response("her", CONFIRMATION)

    asyncio.run(scenario())
    assert [m["text"] for m in out.messages] == ["Hello"]
    assert held.held == [CONFIRMATION]


def test_forget_deletes_then_confirms(use_api: str) -> None:
    store = InMemoryTrackerStore(Domain.empty())
    _saved(store, "her")
    _saved(store, "other")
    out = CollectingOutputChannel()
    assert asyncio.run(forget_and_confirm(_agent(store), "her", out, [dict(CONFIRMATION)]))
    assert "her" not in store.store
    assert "other" in store.store
    assert [m["text"] for m in out.messages] == [CONFIRMATION["text"]]


def test_no_confirmation_when_the_store_cannot_delete(use_api: str) -> None:
    class Unknown(TrackerStore):
        pass

    out = CollectingOutputChannel()
    agent = _agent(Unknown(Domain.empty()))
    assert not asyncio.run(forget_and_confirm(agent, "her", out, [dict(CONFIRMATION)]))
    assert out.messages == []


def test_no_confirmation_when_the_api_is_down(api_down: None) -> None:
    store = InMemoryTrackerStore(Domain.empty())
    _saved(store, "her")
    out = CollectingOutputChannel()
    assert not asyncio.run(forget_and_confirm(_agent(store), "her", out, [dict(CONFIRMATION)]))
    assert out.messages == []


# --- REST (channels/forgetting.py wraps Rasa's handler) ----------------------------------

FAILED = "Your conversation could not be deleted."


def _rasa_answering(*replies: dict[str, Any]) -> Any:
    """Stands in for Rasa's handler: sends `replies` to the message's output channel."""

    async def handle(message: UserMessage) -> None:
        for reply in replies:
            await message.output_channel.send_response(message.sender_id, dict(reply))

    return handle


def _rest_forget(agent: Any, *replies: dict[str, Any], monkeypatch: Any) -> list[dict[str, Any]]:
    monkeypatch.setattr(forgetting, "_agent", lambda: agent)
    out = CollectingOutputChannel()
    handler = forgetting.forgetting(_rasa_answering(*replies))
    asyncio.run(handler(UserMessage("/forget", out, "her")))
    return out.messages


def test_rest_forget_deletes_then_confirms(use_api: str, monkeypatch: Any) -> None:
    store = InMemoryTrackerStore(Domain.empty())
    _saved(store, "her")
    messages = _rest_forget(_agent(store), CONFIRMATION, monkeypatch=monkeypatch)
    assert "her" not in store.store
    assert [m["text"] for m in messages] == [CONFIRMATION["text"]]


def test_rest_forget_that_fails_says_so_instead_of_confirming(
    api_down: None, monkeypatch: Any
) -> None:
    store = InMemoryTrackerStore(Domain.empty())
    _saved(store, "her")
    agent = _agent(store)
    agent.nlg = TemplatedNaturalLanguageGenerator({FORGET_FAILED: [{"text": FAILED}]})
    # Her language is read before deleting: the tracker goes first, then the API fails.
    messages = _rest_forget(agent, CONFIRMATION, monkeypatch=monkeypatch)
    assert [m["text"] for m in messages] == [FAILED]


def test_an_ordinary_rest_message_reads_no_stored_conversation(monkeypatch: Any) -> None:
    def no_agent() -> Any:
        raise AssertionError("the tracker store was read for an ordinary message")

    monkeypatch.setattr(forgetting, "_agent", no_agent)
    out = CollectingOutputChannel()
    handler = forgetting.forgetting(_rasa_answering({"text": "Hello"}))
    asyncio.run(handler(UserMessage("hello", out, "her")))
    assert [m["text"] for m in out.messages] == ["Hello"]
