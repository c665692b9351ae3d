"""Which language she writes in: kk, ru or en.

Kazakh letters decide at once. Otherwise marker words tell Kazakh typed with
Russian letters or in Latin letters, and lingua (a detector that knows
Kazakh) decides the rest. Too little text (a number, "ok", an emoji) gives
None, so the conversation keeps the language it had.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from lingua import Language, LanguageDetectorBuilder

from safety.detector import normalise

KAZAKH_LETTERS = re.compile(r"[әғқңөұүһі]", re.IGNORECASE)
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
LATIN = re.compile(r"[a-z]", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")
# Kazakh in Latin letters: q not before u (qalai, balabaqsha), and the endings of the
# first person (tajikpin, bolamyn); not "gh" (daughter, afghan) nor "-min" (admin).
KAZAKH_LATIN = re.compile(r"q(?!u)|(?:pyn|pin|myn|bym|myz)$")
CODES = {Language.KAZAKH: "kk", Language.RUSSIAN: "ru", Language.ENGLISH: "en"}
MIN_CONFIDENCE = 0.6


@lru_cache
def _markers() -> dict[str, frozenset[str]]:
    data = yaml.safe_load((Path(__file__).with_name("language_markers.yml")).read_text("utf-8"))
    return {key: frozenset(words) for key, words in data.items()}


@lru_cache
def _detector():  # type: ignore[no-untyped-def]
    return LanguageDetectorBuilder.from_languages(*CODES).with_preloaded_language_models().build()


def detect(text: str) -> str | None:
    """kk, ru, en, or None when the text says too little."""
    if KAZAKH_LETTERS.search(text):
        return "kk"
    # The same folding as the emergency detector: Kazakh letters typed as Russian ones.
    words = WORD.findall(normalise(text))
    if not words:
        return None
    markers = _markers()
    if all(w in markers["neutral"] for w in words):
        return None
    if CYRILLIC.search(text):
        if any(w in markers["kk_cyrillic"] for w in words):
            return "kk"
        return _lingua(text, allowed={"kk", "ru"}) or "ru"
    if LATIN.search(text):
        kk = sum(w in markers["kk_latin"] or bool(KAZAKH_LATIN.search(w)) for w in words)
        ru = sum(w in markers["ru_latin"] or w in markers["ru_latin_more"] for w in words)
        en = sum(w in markers["en_latin"] for w in words)
        # Kazakh and Russian in Latin letters are read as such unless English words say
        # more: "kursy dlya migrantov v astane" is Russian, "balabaqsha kezek" Kazakh.
        if kk and kk >= ru and kk >= en:
            return "kk"
        if ru > kk and ru > en:
            return "ru"
        if len(words) == 1 and len(words[0]) < 2:
            return None
        return "en"
    return None


def _lingua(text: str, allowed: set[str]) -> str | None:
    best = None
    for value in _detector().compute_language_confidence_values(text):
        code = CODES[value.language]
        if code in allowed and (best is None or value.value > best[1]):
            best = (code, value.value)
    return best[0] if best and best[1] >= MIN_CONFIDENCE else None
