"""Translate the API's own short strings (console pages, messages it sends) at run time.

The catalogs are the same locales/<lang>/LC_MESSAGES/messages.po files the bot's
responses come from (English is the source, so English needs no catalog), read by the
one reader of the repository (`catalogs.load`: fuzzy entries never shown) once per
process; `.mo` files are not needed.

Python code marks a string for extraction with `N_("...")` and translates it later with
`gettext(lang, msgid)`; templates call `_("...")`, installed by `install(env, lang)`.
"""

from __future__ import annotations

from pathlib import Path

import catalogs
from jinja2 import Environment

from app.core.config import get_settings
from app.i18n import SOURCE_LANG, SUPPORTED


def N_(msgid: str) -> str:
    """Mark a string for the catalogs without translating it yet."""
    return msgid


def catalog(lang: str, locales_dir: Path | None = None) -> dict[str, str]:
    return catalogs.load(locales_dir or get_settings().locales_dir, lang)


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
    catalogs.clear_cache()
