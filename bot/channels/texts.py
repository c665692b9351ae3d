"""Short texts that the channel layer itself sends (not Rasa responses), translated from
the Babel catalogs in locales/ (`make catalogs` extracts the N_() strings below).

These answers are sent before a message reaches Rasa (too long, too many at once, the
bot too busy), so
they cannot be domain responses; adding responses to the domain would also change the
trained model.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parents[2] / "locales"
LANGUAGES = ("kk", "ru", "en")


def N_(message: str) -> str:  # the marker name Babel extracts by default
    return message


TOO_LONG = N_(
    "Your message is too long for me. Please write your question in a few sentences "
    "(up to {limit} characters). If you are in danger, call 112."
)
BUSY = N_(
    "Many people are writing to me right now. Please write again in a minute. "
    "If you are in danger, call 112 now."
)
TOO_FAST = N_(
    "You are writing faster than I can answer. Please wait a minute and write again. "
    "If you are in danger, call 112 now."
)


@lru_cache
def _catalog(lang: str) -> dict[str, str]:
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {str(m.id): str(m.string) for m in read_po(fh, locale=lang) if m.id and m.string}


def translate(msgid: str, lang: str | None, **values: object) -> str:
    """`msgid` in `lang`; in all three languages when her language is not known yet."""
    if lang not in LANGUAGES:
        return "\n\n".join(translate(msgid, code, **values) for code in LANGUAGES)
    text = msgid if lang == "en" else _catalog(lang).get(msgid, msgid)
    return text.format(**values) if values else text
