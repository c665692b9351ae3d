"""The languages of the service and the one reader of its Babel catalogs (locales/).

Installed into both environments (packages/catalogs): the API reads its console, widget
and notice strings with `load`, the bot gets its texts from `python -m catalogs.build`,
which writes them as YAML, so no bot process parses a `.po` file. It imports neither the
bot nor the API.

One rule for every reader: a fuzzy entry is a guess nobody checked, so it is never shown
(the English source is); `python -m catalogs.check` fails CI on one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

# The languages she may write and be answered in, in the order menus list them.
LANGUAGES = ("kk", "ru", "en")
# The language the sources are written in: it needs no catalog.
SOURCE_LANGUAGE = "en"
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE)


def po_path(locales_dir: Path, lang: str) -> Path:
    return locales_dir / lang / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=16)
def load(locales_dir: Path, lang: str) -> dict[str, str]:
    """msgid → translation in `lang`: {} for the source language or a language without a
    catalog; fuzzy and empty entries left out."""
    from babel.messages.pofile import read_po  # only the readers pay for Babel

    po = po_path(locales_dir, lang)
    if lang == SOURCE_LANGUAGE or not po.exists():
        return {}
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def gettext(locales_dir: Path, lang: str, msgid: str) -> str:
    """`msgid` in `lang`; the English source when it has no (checked) translation."""
    return load(locales_dir, lang).get(msgid, msgid)


def clear_cache() -> None:
    """Forget the catalogs read so far (for tests that write .po files)."""
    load.cache_clear()
