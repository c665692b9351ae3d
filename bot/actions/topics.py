"""Intents ↔ taxonomy topics. An intent is its topic id with the first dot made "_"."""

from __future__ import annotations

from functools import lru_cache

import yaml

from common.settings import get_settings


@lru_cache
def taxonomy() -> dict[str, list[str]]:
    path = get_settings().knowledge_dir / "taxonomy.yaml"
    areas = yaml.safe_load(path.read_text(encoding="utf-8"))["areas"]
    return {area: list(topics) for area, topics in areas.items()}


def intent_for(topic: str) -> str:
    return topic.replace(".", "_", 1)


@lru_cache
def topic_by_intent() -> dict[str, str]:
    return {intent_for(t): t for topics in taxonomy().values() for t in topics}


def topic_of(intent: str | None) -> str | None:
    return topic_by_intent().get(intent or "")
