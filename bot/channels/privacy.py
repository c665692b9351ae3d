"""Delete everything kept about one conversation: in Rasa's tracker store and in the API.

Rasa Open Source 3.6 has no delete in its TrackerStore interface, so this knows the
stores it ships (in memory, SQL, Redis, MongoDB, DynamoDB) and unwraps the wrappers the
agent puts around them. Every channel uses it for /forget (channels/forgetting.py).
"""

from __future__ import annotations

import inspect
import logging
from typing import Any
from urllib.parse import quote

import httpx
from rasa.core.channels.channel import OutputChannel
from rasa.core.tracker_store import (
    AwaitableTrackerStore,
    DynamoTrackerStore,
    FailSafeTrackerStore,
    InMemoryTrackerStore,
    MongoTrackerStore,
    RedisTrackerStore,
    SQLTrackerStore,
    TrackerStore,
)
from rasa.shared.core.trackers import DialogueStateTracker

from common.settings import get_settings

log = logging.getLogger(__name__)


class ConversationNotDeleted(Exception):
    """The tracker store could not delete the conversation, or still holds it."""


def _stores(store: TrackerStore) -> list[TrackerStore]:
    """The real stores behind the agent's wrappers (primary first, then a fallback)."""
    if isinstance(store, AwaitableTrackerStore):
        return _stores(store._tracker_store)
    if isinstance(store, FailSafeTrackerStore):
        found = _stores(store._tracker_store)
        if store._fallback_tracker_store is not None:
            found += _stores(store._fallback_tracker_store)
        return found
    return [store]


async def _delete_from(store: TrackerStore, sender_id: str) -> None:
    if isinstance(store, InMemoryTrackerStore):
        store.store.pop(sender_id, None)
    elif isinstance(store, SQLTrackerStore):
        with store.session_scope() as session:
            session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).delete(
                synchronize_session=False
            )
            session.commit()
    elif isinstance(store, RedisTrackerStore):
        store.red.delete(store.key_prefix + sender_id)
    elif isinstance(store, MongoTrackerStore):
        store.conversations.delete_many({"sender_id": sender_id})
    elif isinstance(store, DynamoTrackerStore):
        store.db.delete_item(Key={"sender_id": sender_id})
    elif callable(getattr(store, "delete", None)):  # a custom store that knows how
        result: Any = store.delete(sender_id)  # type: ignore[attr-defined]
        if inspect.isawaitable(result):
            await result
    else:
        raise ConversationNotDeleted(f"{type(store).__name__} cannot delete conversations")


async def delete_conversation(tracker_store: TrackerStore, sender_id: str) -> None:
    """Delete every event of `sender_id`; raise ConversationNotDeleted when it failed."""
    try:
        for store in _stores(tracker_store):
            await _delete_from(store, sender_id)
        left = await tracker_store.retrieve(sender_id)
    except ConversationNotDeleted:
        raise
    except Exception as exc:
        raise ConversationNotDeleted(str(exc)) from exc
    if left is not None and left.events:
        raise ConversationNotDeleted(f"{len(left.events)} events are still stored")
    log.info("deleted a conversation at the user's request")


async def delete_from_api(sender_id: str) -> dict[str, int]:
    """Delete her handoffs in the API (DELETE /v1/conversations/{sender_id}, which hashes
    the id as it did when they were stored); raise ConversationNotDeleted when it failed."""
    settings = get_settings()
    try:
        async with httpx.AsyncClient(
            base_url=settings.api_url, timeout=settings.api_timeout_seconds
        ) as client:
            response = await client.delete(
                f"/v1/conversations/{quote(sender_id, safe='')}",
                headers={"X-Service-Key": settings.service_api_key},
            )
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise ConversationNotDeleted(f"the API did not delete her data: {exc}") from exc
    deleted: dict[str, int] = response.json()["deleted"]
    return deleted


async def forget_everywhere(tracker_store: TrackerStore, sender_id: str) -> None:
    """/forget: her conversation in the tracker store, then what the API keeps of her."""
    await delete_conversation(tracker_store, sender_id)
    deleted = await delete_from_api(sender_id)
    log.info("deleted her data in the API: %s", deleted)


FORGOTTEN = "utter_forgotten"
FORGET_FAILED = "utter_forget_failed"


class HoldForget(OutputChannel):
    """One message's output: passes every reply on, but holds back the /forget
    confirmation until the conversation is really deleted."""

    def __init__(self, out: OutputChannel) -> None:
        self.out = out
        self.held: list[dict[str, Any]] = []

    # Rasa picks channel-specific response variations by the output channel's name.
    def name(self) -> str:  # type: ignore[override]
        return str(self.out.name())

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        if message.get("utter_action") == FORGOTTEN:
            self.held.append(message)
        else:
            await self.out.send_response(recipient_id, message)


async def forget_and_confirm(
    agent: Any, sender_id: str, out: OutputChannel, held: list[Any]
) -> bool:
    """Delete `sender_id`'s data everywhere under its lock, then send the held confirmation.

    Returns False (and sends nothing) when it could not be deleted: the caller tells her.
    """
    try:
        async with agent.lock_store.lock(sender_id):
            await forget_everywhere(agent.tracker_store, sender_id)
    except Exception as exc:  # ConversationNotDeleted, or the lock store failed: same answer
        log.error("could not delete a conversation: %s", exc)
        return False
    for message in held:
        await out.send_response(sender_id, message)
    return True


async def say(
    agent: Any, out: OutputChannel, tracker: DialogueStateTracker | None, response: str
) -> None:
    """A domain response in her language (the tracker's language slot picks the variation).

    The tracker is read before deleting: once deleted, her language is gone with it."""
    if tracker is None:
        return
    message = await agent.nlg.generate(response, tracker, out.name())
    if message:
        await out.send_response(tracker.sender_id, message)
