"""Translate the API's own short strings (console pages, messages it sends) at run time.

The catalogs are the same locales/<lang>/LC_MESSAGES/messages.po files the bot's
responses come from (English is the source, so English needs no catalog). They are
read with Babel once per process and kept in memory; `.mo` files are not needed.

Python code marks a string for extraction with `N_("...")` and translates it later with
`gettext(lang, msgid)`; templates call `_("...")`, installed by `install(env, lang)`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po
from jinja2 import Environment

from app.core.config import get_settings
from app.i18n import SOURCE_LANG, SUPPORTED


def N_(msgid: str) -> str:
    """Mark a string for the catalogs without translating it yet."""
    return msgid


@lru_cache(maxsize=16)
def _catalog(locales_dir: Path, lang: str) -> dict[str, str]:
    po = locales_dir / lang / "LC_MESSAGES" / "messages.po"
    if lang == SOURCE_LANG or not po.exists():
        return {}
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    # A fuzzy translation is a guess nobody checked: show the English source instead.
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def catalog(lang: str, locales_dir: Path | None = None) -> dict[str, str]:
    return _catalog(locales_dir or get_settings().locales_dir, lang)


def gettext(lang: str, msgid: str, locales_dir: Path | None = None) -> str:
    """`msgid` in `lang`; the English source when there is no translation."""
    if lang not in SUPPORTED:
        lang = SOURCE_LANG
    return catalog(lang, locales_dir).get(msgid, msgid)


class Translations:
    """The gettext/ngettext pair jinja2's i18n extension calls, for one language."""

    def __init__(self, lang: str, locales_dir: Path | None = None) -> None:
        self.lang = lang
        self._messages = catalog(lang, locales_dir)

    def gettext(self, message: str) -> str:
        return self._messages.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # The console words its counts without plurals ("Waiting: {n}"): only the forms.
        return self.gettext(singular if n == 1 else plural)


def install(env: Environment, lang: str, locales_dir: Path | None = None) -> Environment:
    """Give `env` (created with the "jinja2.ext.i18n" extension) the catalog of `lang`."""
    env.install_gettext_translations(Translations(lang, locales_dir), newstyle=True)  # type: ignore[attr-defined]
    return env


def clear_cache() -> None:
    """Forget the catalogs read so far (tests that write .po files call it)."""
    _catalog.cache_clear()
