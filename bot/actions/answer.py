"""Answer from the knowledge base: snippets of her topic, in her language, for her group."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import api_client, metrics
from actions.api_client import ApiUnavailable
from actions.settings import get_settings
from actions.topics import topic_of

log = logging.getLogger(__name__)
BOTH_GROUPS = {"eaeu", "non_eaeu"}


def language_of(tracker: Tracker) -> str:
    return tracker.get_slot("language") or get_settings().default_language


def custom_payload(
    snippet_id: str, topic: str, lang: str, channel: str | None
) -> dict[str, Any] | None:
    """The reply contract (shared/DESIGN.md), in the form her channel carries: flat on
    REST, wrapped in `data` on socket.io (Rasa unpacks it into emit's arguments), and
    not at all on Telegram, whose users never see it."""
    payload = {"snippet_id": snippet_id, "topic": topic, "lang": lang}
    if channel == "telegram":
        return None
    return {"data": payload} if channel == "socketio" else payload


def send_snippet(
    dispatcher: CollectingDispatcher, snippet: dict[str, Any], lang: str, channel: str | None
) -> None:
    text = snippet["texts"][lang]
    sources = "; ".join(
        f"{s['title']}" + (f", {s['article']}" if s.get("article") else "") + f" ({s['url']})"
        for s in snippet["sources"]
    )
    metrics.count_answer(snippet["topic"], lang)
    dispatcher.utter_message(
        response="utter_snippet",
        json_message=custom_payload(snippet["snippet_id"], snippet["topic"], lang, channel),
        snippet_title=text["title"],
        snippet_text=text["text"],
        snippet_sources=sources,
        snippet_reviewed=snippet["last_reviewed"],
    )


def needs_group(snippets: list[dict[str, Any]]) -> bool:
    """The answer depends on citizenship when some snippet is not true for both groups."""
    return any(set(s["applies_to"]) != BOTH_GROUPS for s in snippets)


async def question_order(question: str, lang: str) -> dict[str, int]:
    """The rank of each snippet by how well it matches her own words (empty when there
    are no words of hers, or the search is not reachable: file order then)."""
    if not question or question.startswith("/"):
        return {}
    try:
        hits = await api_client.search(question, lang, limit=20)
    except ApiUnavailable:
        return {}
    return {h["snippet_id"]: n for n, h in enumerate(hits)}


class ActionAnswerTopic(Action):
    def name(self) -> str:
        return "action_answer_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        more = intent == "more"
        topic = (
            tracker.get_slot("current_topic") if more or not topic_of(intent) else topic_of(intent)
        )
        if not topic:
            dispatcher.utter_message(response="utter_help_menu")
            return []
        lang = language_of(tracker)
        group = tracker.get_slot("citizenship_group")
        question = "" if more else tracker.latest_message.get("text") or ""
        try:
            # Both at once: the search only orders what the topic's snippets are.
            snippets, order = await asyncio.gather(
                api_client.snippets(topic, lang, None), question_order(question, lang)
            )
        except ApiUnavailable:
            log.warning("api unavailable while answering %s", topic)
            dispatcher.utter_message(response="utter_api_down")
            return [SlotSet("current_topic", topic)]
        if needs_group(snippets) and group is None:
            return [SlotSet("current_topic", topic), FollowupAction("citizenship_form")]
        if group:
            snippets = [s for s in snippets if group in s["applies_to"]]
        shown = list(tracker.get_slot("shown_snippets") or []) if more else []
        fresh = [s for s in snippets if s["snippet_id"] not in shown]
        fresh.sort(key=lambda s: order.get(s["snippet_id"], len(order)))  # stable: file order
        batch = fresh[: get_settings().snippets_per_answer]
        if not batch:
            dispatcher.utter_message(response="utter_no_more")
            return [SlotSet("current_topic", topic)]
        channel = tracker.get_latest_input_channel()
        for snippet in batch:
            send_snippet(dispatcher, snippet, lang, channel)
        dispatcher.utter_message(response="utter_next_step")
        return [
            SlotSet("current_topic", topic),
            SlotSet("shown_snippets", shown + [s["snippet_id"] for s in batch]),
        ]
