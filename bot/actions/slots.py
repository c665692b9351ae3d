"""Slots filled on every message: her language, her citizenship group and her city."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict
from textfold import fold

from actions.cities import city_in_words, known
from common.language import chosen_in, detect, her_language, supported
from common.settings import get_settings

# Citizens of these countries work and stay under the EAEU Treaty rules.
EAEU_COUNTRIES = {"armenia", "belarus", "kyrgyzstan", "russia"}
GROUPS = {"eaeu", "non_eaeu"}


def chosen_language(tracker: Tracker) -> str | None:
    """An explicit choice in this message: metadata from the channel, a button or a phrase."""
    metadata = tracker.latest_message.get("metadata")
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "language" and supported(entity.get("value")):
            return her_language(metadata=metadata, chosen=entity["value"])
    return chosen_in(metadata)


def group_of(value: Any) -> str | None:
    if value in GROUPS:
        return str(value)
    if isinstance(value, str) and value:
        return "eaeu" if value.lower() in EAEU_COUNTRIES else "non_eaeu"
    return None


@lru_cache
def _group_words() -> dict[str, re.Pattern[str]]:
    data = yaml.safe_load(Path(__file__).with_name("citizenship_words.yml").read_text("utf-8"))
    return {
        key: re.compile(r"\b(?:" + "|".join(fold(w) for w in words) + ")")
        for key, words in data.items()
    }


def group_in_words(text: str) -> str | None:
    """Her group when her words name it ("я узбечка", "I'm Kyrgyz", "ЕАЭС"); None when
    they name none, or both."""
    if not text or text.startswith("/"):
        return None
    folded = fold(text)
    words = _group_words()
    found = {g for g in GROUPS if words[g].search(folded)}
    if not found and words["kandas"].search(folded):
        return "non_eaeu"
    return found.pop() if len(found) == 1 else None


def _entity(tracker: Tracker, name: str) -> str | None:
    return next(tracker.get_latest_entity_values(name), None)


class ValidateSlotMappings(ValidationAction):
    """Runs after every user message, before the next action is chosen."""

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = tracker.latest_message.get("text") or ""
        language = her_language(
            metadata=tracker.latest_message.get("metadata"),
            chosen=chosen_language(tracker),
            # A button payload ("/help_menu") says nothing about her language.
            written=None if text.startswith("/") else detect(text),
            current=tracker.get_slot("language"),
            default=get_settings().default_language,
        )
        return {"language": language}

    async def extract_citizenship_group(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        value = _entity(tracker, "citizenship_group") or _entity(tracker, "country")
        group = group_of(value) or group_in_words(tracker.latest_message.get("text") or "")
        return {"citizenship_group": group} if group else {}

    async def extract_city(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # Her words first: the entity extractor knows only the cities of its examples.
        text = tracker.latest_message.get("text") or ""
        city = known(_entity(tracker, "city")) or city_in_words(text)
        return {"city": city} if city else {}
