"""Which language a text is written in, by lingua (it knows Kazakh)."""

from __future__ import annotations

import re
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

CODES = {Language.KAZAKH: "kk", Language.RUSSIAN: "ru", Language.ENGLISH: "en"}
# Neighbours a translator might slip into; detecting them is a validation error.
_CANDIDATES = [*CODES, Language.UKRAINIAN, Language.BELARUSIAN, Language.MONGOLIAN]


@lru_cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_CANDIDATES).build()


def detect(text: str) -> str | None:
    """ISO code of the language, or the lowercase English name for a non-supported one."""
    language = _detector().detect_language_of(text)
    if language is None:
        return None
    return CODES.get(language, language.name.lower())


# Addresses are read, not understood: a link or a domain in a Kazakh reply is not English.
_ADDRESS = re.compile(
    r"https?://\S+|www\.\S+|\S+@\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:kz|com|org|net|int|ru|gov|info)\b\S*",
    re.I,
)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
# Names written in Latin letters in Kazakh and Russian too (as on their signs and sites).
LATIN_NAMES = frozenset(
    {"SIM", "WhatsApp", "Telegram", "Viber", "E-Otinish", "e-Otinish", "UNHCR", "iKomek", "iKOMEK"}
)


def latin_words(text: str) -> list[str]:
    """The words of a Kazakh or Russian text written in Latin letters (not links, not the
    few names that have no Cyrillic form): English left in a reply she cannot read."""
    return [w for w in _LATIN_WORD.findall(_ADDRESS.sub(" ", text)) if w not in LATIN_NAMES]
