"""Her city: read from her words and named in her language.

The cities and how people write them are in knowledge/cities.yaml, shared with the API,
which uses the same file to fall back from a town to its regional centre.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml
from textfold import fold

from common.settings import get_settings

# She chose "another city" among the buttons: she is not asked again, and gets the
# nationwide lines.
OTHER = "other"


@dataclass(frozen=True)
class City:
    id: str
    name: dict[str, str]
    words: re.Pattern[str]


@lru_cache
def cities() -> dict[str, City]:
    path = get_settings().knowledge_dir / "cities.yaml"
    return {
        raw["id"]: City(
            raw["id"],
            raw["name"],
            re.compile(r"\b(?:" + "|".join(fold(w) for w in raw["words"]) + ")"),
        )
        for raw in yaml.safe_load(path.read_text("utf-8"))
    }


def city_in_words(text: str) -> str | None:
    """The city her words name ("Шымкентте", "in Almaty", "Караганды"); the first one
    written when she names two ("from Taraz, now in Almaty" is rare; her place is usually
    the one she writes first)."""
    if not text or text.startswith("/"):
        return None
    folded = fold(text)
    found = [(m.start(), c.id) for c in cities().values() if (m := c.words.search(folded))]
    return min(found)[1] if found else None


def known(city: str | None) -> str | None:
    """A city id the directory knows, or "other"; anything else (a typo in an entity) is None."""
    if city is None:
        return None
    city = city.lower()
    return city if city in cities() or city == OTHER else None


def city_name(city: str, lang: str) -> str:
    entry = cities().get(city)
    return entry.name.get(lang, entry.name["en"]) if entry else city
