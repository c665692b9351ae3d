"""Which language a text is written in, by lingua (it knows Kazakh)."""

from __future__ import annotations

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
