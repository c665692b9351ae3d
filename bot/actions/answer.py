"""Answer from the knowledge base: the one snippet that answers what she asked, in her
language, for her citizenship group; the next best is offered, not sent."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httpx
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import api_client, metrics
from actions.api_client import ApiUnavailable
from actions.contacts import people_near
from actions.payload import custom_payload
from actions.topics import topic_of
from common.language import her_language
from common.settings import get_settings

log = logging.getLogger(__name__)
BOTH_GROUPS = {"eaeu", "non_eaeu"}
# When the classifier is this sure, only its topic is searched; below it, the topics of
# intents within CLOSE_SHARE of the best one are searched too (at most CLOSE_TOPICS).
SURE = 0.7
CLOSE_SHARE = 0.5
CLOSE_TOPICS = 2
SEARCH_LIMIT = 20  # the API's maximum


def language_of(tracker: Tracker) -> str:
    """Her language as action_validate_slot_mappings set it (common/language.py)."""
    default = get_settings().default_language
    return her_language(current=tracker.get_slot("language"), default=default) or default


def source_line(snippet: dict[str, Any]) -> str:
    """The first source only, as the API gives it in her language: a phone shows one line."""
    source = snippet["sources"][0]
    article = f", {source['article']}" if source.get("article") else ""
    return f"{source['title']}{article}, {source['url']}"


def send_snippet(
    dispatcher: CollectingDispatcher, snippet: dict[str, Any], lang: str, channel: str | None
) -> None:
    text = snippet["texts"][lang]
    metrics.count_answer(snippet["topic"], lang)
    dispatcher.utter_message(
        response="utter_snippet",
        json_message=custom_payload(snippet["snippet_id"], snippet["topic"], lang, channel),
        snippet_title=text["title"],
        snippet_text=text["text"],
        snippet_sources=source_line(snippet),
        snippet_reviewed=snippet["last_reviewed"],
    )


def offer_next(dispatcher: CollectingDispatcher, also: dict[str, Any] | None, lang: str) -> None:
    """The next steps; the second-best answer as a button with its title, not a message."""
    if also is None:
        dispatcher.utter_message(response="utter_next_step")
        return
    dispatcher.utter_message(
        response="utter_next_step_also",
        also_title=also["texts"][lang]["title"],
        also_payload=f'/more{{"snippet": "{also["snippet_id"]}"}}',
    )


def candidate_topics(tracker: Tracker, topic: str) -> list[str]:
    """Her topic, and the close ones when the classifier is unsure (a message that
    holds two questions, or words it has not learnt)."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    topics = [topic]
    if not ranking or ranking[0].get("confidence", 0) >= SURE:
        return topics
    best = ranking[0].get("confidence", 0)
    for item in ranking[1:]:
        other = topic_of(item.get("name"))
        if other and other not in topics and item.get("confidence", 0) >= CLOSE_SHARE * best:
            topics.append(other)
        if len(topics) > CLOSE_TOPICS:
            break
    return topics


async def search_order(question: str, lang: str) -> dict[str, int]:
    """The rank of each snippet by how well it matches her own words (empty when there
    are no words of hers, or the search is not reachable)."""
    if not question or question.startswith("/"):
        return {}
    try:
        hits = await api_client.search(question, lang, limit=SEARCH_LIMIT)
    except ApiUnavailable:
        return {}
    return {h["snippet_id"]: n for n, h in enumerate(hits)}


@dataclass
class Choice:
    best: dict[str, Any] | None
    also: dict[str, Any] | None
    ask_group: bool


def choose(
    snippets: list[dict[str, Any]],
    order: dict[str, int],
    topic: str,
    group: str | None,
    shown: list[str],
    urgent: bool = False,
) -> Choice:
    """The snippet that answers her words best, and the one to offer after it.

    Snippets her words found come first, in the search's order; then her topic's in file
    order. The citizenship question is asked only when the best answer is not true for
    both groups, and never when she may be in danger (`urgent`: then the best one true
    for everyone)."""
    fresh = [s for s in snippets if s["snippet_id"] not in shown]
    if group:
        fresh = [s for s in fresh if group in s["applies_to"]]
    found = sorted(
        (s for s in fresh if s["snippet_id"] in order), key=lambda s: order[s["snippet_id"]]
    )
    rest = [s for s in fresh if s["snippet_id"] not in order and s["topic"] == topic]
    ranked = found + rest
    if not ranked:
        return Choice(None, None, False)
    best = ranked[0]
    if group is None and set(best["applies_to"]) != BOTH_GROUPS:
        if not urgent:
            return Choice(None, None, True)
        best = next((s for s in ranked if set(s["applies_to"]) == BOTH_GROUPS), best)
    others = [s for s in ranked if s is not best and (group or set(s["applies_to"]) == BOTH_GROUPS)]
    # Her second question, when her words found one in another topic; else the next best.
    also = next((s for s in others if s["topic"] != best["topic"] and s in found), None)
    return Choice(best, also or (others[0] if others else None), False)


def her_question(tracker: Tracker, more: bool) -> str:
    """Her words to rank by: this message when it is a question in words; after the
    citizenship question or a button, the question she asked before it."""
    text = tracker.latest_message.get("text") or ""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if not more and topic_of(intent) and not text.startswith("/"):
        return text
    return tracker.get_slot("question") or ""


async def _offered(snippet_id: str, lang: str) -> dict[str, Any] | None:
    """The snippet an "Also: ..." button offered; None when it is no longer approved
    (retired since the button was sent): she then gets the best of her topic."""
    try:
        return await api_client.snippet(snippet_id, lang)
    except httpx.HTTPStatusError:
        return None


async def answer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    topics: list[str],
    question: str,
    more: bool = False,
) -> list[EventType]:
    """Send the snippet of `topics` (the first is hers) that answers `question`, and offer
    the next; or ask her citizenship first when the answer depends on it."""
    topic = topics[0]
    lang = language_of(tracker)
    group = tracker.get_slot("citizenship_group")
    asked = next(tracker.get_latest_entity_values("snippet"), None) if more else None
    try:
        # All at once: the search only orders what the topics' snippets are.
        *lists, order = await asyncio.gather(
            *(api_client.snippets(t, lang, None) for t in topics),
            search_order(question, lang),
        )
        chosen = await _offered(asked, lang) if asked else None
    except ApiUnavailable:
        log.warning("api unavailable while answering %s", topic)
        dispatcher.utter_message(response="utter_api_down")
        return [SlotSet("current_topic", topic)]
    snippets = [s for found in lists for s in found]
    shown = list(tracker.get_slot("shown_snippets") or []) if more else []
    # A cry for help the detector heard: the emergency numbers went out first (rules.yml),
    # and no question comes between them and the answer.
    urgent = bool(tracker.latest_message.get("safety_alarm"))
    if chosen is not None:
        # The offered answer she tapped: shown as it is, whatever her group.
        rest = choose(snippets, order, topic, group, [*shown, chosen["snippet_id"]], urgent)
        choice = Choice(chosen, rest.best, False)
    else:
        choice = choose(snippets, order, topic, group, shown, urgent)
    if choice.ask_group:
        return [
            SlotSet("current_topic", topic),
            SlotSet("question", question or None),
            FollowupAction("citizenship_form"),
        ]
    if choice.best is None:
        dispatcher.utter_message(response="utter_no_more")
        return [SlotSet("current_topic", topic)]
    send_snippet(dispatcher, choice.best, lang, tracker.get_latest_input_channel())
    named = [] if more else await people_near(dispatcher, tracker, choice.best["topic"], lang)
    offer_next(dispatcher, choice.also, lang)
    return [
        SlotSet("current_topic", choice.best["topic"]),
        SlotSet("question", question or None),
        SlotSet("shown_snippets", [*shown, choice.best["snippet_id"]]),
        *([SlotSet("referrals_shown", named)] if named else []),
    ]


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
        topics = [topic] if more else candidate_topics(tracker, topic)
        return await answer(dispatcher, tracker, topics, her_question(tracker, more), more)
