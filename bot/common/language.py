"""Her language, decided here for every process of the bot: which language a message is
written in (`detect`), and which one to answer in (`her_language`).

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
from catalogs import LANGUAGES
from lingua import Language, LanguageDetectorBuilder
from textfold import fold

__all__ = ["LANGUAGES", "chosen_in", "detect", "her_language", "hinted_by", "supported"]

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
    words = WORD.findall(fold(text))
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


def supported(value: object) -> str | None:
    """`value` when it is a language of the service, else None."""
    return str(value) if value in LANGUAGES else None


def chosen_in(metadata: object) -> str | None:
    """Her explicit choice carried by the channel (`metadata.lang`: the widget's)."""
    return supported(metadata.get("lang")) if isinstance(metadata, dict) else None


def hinted_by(metadata: object) -> str | None:
    """Telegram's `language_code`: only a hint, for when nothing else tells."""
    if not isinstance(metadata, dict):
        return None
    return supported(str(metadata.get("language_code") or "")[:2])


def her_language(
    *,
    metadata: object = None,
    chosen: str | None = None,
    written: str | None = None,
    current: object = None,
    default: str | None = None,
) -> str | None:
    """The language to answer her in, in this order: an explicit choice (the channel's
    metadata, then a button or a phrase: `chosen`), the language her message is written in,
    her conversation's, the channel's hint, `default`. None when nothing tells and there is
    no default: the answer then goes out in all three languages."""
    return (
        chosen_in(metadata)
        or supported(chosen)
        or supported(written)
        or supported(current)
        or hinted_by(metadata)
        or supported(default)
    )
