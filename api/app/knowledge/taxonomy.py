"""Topic ids from knowledge/taxonomy.yaml (a copy of the shared contract)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml


@lru_cache
def load_taxonomy(knowledge_dir: Path) -> dict[str, dict[str, str]]:
    """Return {area: {topic_id: description}}."""
    data = yaml.safe_load((knowledge_dir / "taxonomy.yaml").read_text(encoding="utf-8"))
    return {area: dict(topics) for area, topics in data["areas"].items()}


def topic_ids(knowledge_dir: Path) -> set[str]:
    return {t for topics in load_taxonomy(knowledge_dir).values() for t in topics}


def area_ids(knowledge_dir: Path) -> set[str]:
    return set(load_taxonomy(knowledge_dir))
