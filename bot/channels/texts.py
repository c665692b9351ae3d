"""What the channel layer itself says (too long, too fast, too busy), in her language.

The English sources are in bot/channel_texts.yml; `make responses` (python -m
catalogs.build, the step that writes the Rasa responses) writes them with their
translations to texts.built.yml beside this file, so no bot process reads a `.po` file.
These answers go out before a message reaches Rasa, so they cannot be domain responses.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from common.language import LANGUAGES

BUILT = Path(__file__).with_name("texts.built.yml")

TOO_LONG = "too_long"
BUSY = "busy"
TOO_FAST = "too_fast"


@lru_cache
def _texts() -> dict[str, dict[str, str]]:
    try:
        texts: dict[str, dict[str, str]] = yaml.safe_load(BUILT.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuntimeError(f"{BUILT.name} is missing: run `make responses`") from None
    return texts


def translate(name: str, lang: str | None, **values: object) -> str:
    """The text `name` in `lang`; in all three languages when her language is not known."""
    if lang not in LANGUAGES:
        return "\n\n".join(translate(name, code, **values) for code in LANGUAGES)
    text = _texts()[name][lang]
    return text.format(**values) if values else text
