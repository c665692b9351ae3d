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

from actions.cities import city_in_words, known
from actions.language import detect
from actions.settings import get_settings
from safety.detector import normalise

SUPPORTED = ("kk", "ru", "en")
# Citizens of these countries work and stay under the EAEU Treaty rules.
EAEU_COUNTRIES = {"armenia", "belarus", "kyrgyzstan", "russia"}
GROUPS = {"eaeu", "non_eaeu"}


def chosen_language(tracker: Tracker) -> str | None:
    """An explicit choice in this message: metadata from the channel, a button or a phrase."""
    metadata = tracker.latest_message.get("metadata") or {}
    lang = metadata.get("lang") if isinstance(metadata, dict) else None
    if lang in SUPPORTED:
        return lang
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "language" and entity.get("value") in SUPPORTED:
            return entity["value"]
    return None


def language_hint(tracker: Tracker) -> str | None:
    """Telegram's language_code: only a hint, for when nothing else tells."""
    metadata = tracker.latest_message.get("metadata") or {}
    hint = str(metadata.get("language_code", ""))[:2] if isinstance(metadata, dict) else ""
    return hint if hint in SUPPORTED else None


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
        key: re.compile(r"\b(?:" + "|".join(normalise(w) for w in words) + ")")
        for key, words in data.items()
    }


def group_in_words(text: str) -> str | None:
    """Her group when her words name it ("я узбечка", "I'm Kyrgyz", "ЕАЭС"); None when
    they name none, or both."""
    if not text or text.startswith("/"):
        return None
    folded = normalise(text)
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
        explicit = chosen_language(tracker)
        current = tracker.get_slot("language")
        if explicit:
            return {"language": explicit}
        # A button payload ("/help_menu") says nothing about her language.
        detected = None if text.startswith("/") else detect(text)
        language = detected or current or language_hint(tracker) or get_settings().default_language
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
