"""The one catalog reader and the bot's channel texts, on catalogs written here."""

from __future__ import annotations

from pathlib import Path

import catalogs
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from catalogs.build import MissingTranslation, build_texts

SOURCE = """\
too_long:
  text: Too long, {limit} at most.
  note: A note for translators.
"""


def _write_po(locales: Path, lang: str, entries: list[tuple[str, str, bool]]) -> None:
    catalog = Catalog(locale=lang)
    for msgid, msgstr, fuzzy in entries:
        catalog.add(msgid, msgstr, flags=["fuzzy"] if fuzzy else [])
    po = catalogs.po_path(locales, lang)
    po.parent.mkdir(parents=True)
    with po.open("wb") as fh:
        write_po(fh, catalog)


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    catalogs.clear_cache()
    yield tmp_path / "locales"
    catalogs.clear_cache()


def test_a_fuzzy_translation_is_never_shown(locales: Path) -> None:
    _write_po(locales, "ru", [("Checked", "Проверено", False), ("Guessed", "Угадано", True)])
    assert catalogs.load(locales, "ru") == {"Checked": "Проверено"}
    assert catalogs.gettext(locales, "ru", "Guessed") == "Guessed"
    assert catalogs.gettext(locales, "ru", "Checked") == "Проверено"


def test_the_source_language_and_a_missing_catalog_read_as_the_source(locales: Path) -> None:
    assert catalogs.load(locales, "en") == {}
    assert catalogs.gettext(locales, "kk", "Hello") == "Hello"


def test_channel_texts_are_built_in_every_language(locales: Path, tmp_path: Path) -> None:
    source = tmp_path / "channel_texts.yml"
    source.write_text(SOURCE, encoding="utf-8")
    _write_po(locales, "kk", [("Too long, {limit} at most.", "Тым ұзын, {limit} дейін.", False)])
    _write_po(locales, "ru", [("Too long, {limit} at most.", "Слишком длинно, до {limit}.", False)])
    assert build_texts(source, locales) == {
        "too_long": {
            "kk": "Тым ұзын, {limit} дейін.",
            "ru": "Слишком длинно, до {limit}.",
            "en": "Too long, {limit} at most.",
        }
    }


def test_a_fuzzy_channel_text_stops_the_build(locales: Path, tmp_path: Path) -> None:
    source = tmp_path / "channel_texts.yml"
    source.write_text(SOURCE, encoding="utf-8")
    _write_po(locales, "kk", [("Too long, {limit} at most.", "Тым ұзын, {limit} дейін.", False)])
    _write_po(locales, "ru", [("Too long, {limit} at most.", "Слишком длинно, до {limit}.", True)])
    with pytest.raises(MissingTranslation, match="ru"):
        build_texts(source, locales)
