"""The translation workflow: catalogs are complete, and Rasa responses are built from them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from catalogs.build import MissingTranslation, build
from catalogs.check import problems

from .conftest import ROOT

SOURCE = ROOT / "bot" / "responses.yml"


def test_repository_catalogs_are_current_and_complete() -> None:
    assert problems(ROOT / "locales") == []


def test_every_response_has_kk_ru_en_and_a_trilingual_default() -> None:
    responses = build(SOURCE, ROOT / "locales")["responses"]
    greet = responses["utter_greet"]
    langs = [v.get("condition", [{}])[0].get("value") for v in greet]
    assert langs == ["kk", "ru", "en", None]
    kk, ru, en, default = (v["text"] for v in greet)
    assert "Сәлеметсіз бе" in kk and "Здравствуйте" in ru and en.startswith("Hello")
    assert default == f"{kk}\n\n{ru}\n\n{en}"
    assert greet[0]["buttons"][0]["payload"] == "/help_menu"


def test_emergency_payload_takes_each_channels_form() -> None:
    variations = build(SOURCE, ROOT / "locales")["responses"]["utter_emergency_medical"]
    kk = [v for v in variations if v.get("condition", [{}])[0].get("value") == "kk"]
    by_channel = {v.get("channel"): v for v in kk}
    assert by_channel[None]["custom"] == {"topic": "health.emergency", "lang": "kk"}
    assert by_channel["socketio"]["custom"] == {"data": {"topic": "health.emergency", "lang": "kk"}}
    assert "custom" not in by_channel["telegram"]
    assert all("103" in v["text"] for v in variations)


def _copy_locales(tmp_path: Path) -> Path:
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales, ignore=shutil.ignore_patterns("*.mo"))
    return locales


def test_a_missing_translation_stops_the_build(tmp_path: Path) -> None:
    locales = _copy_locales(tmp_path)
    po = locales / "kk" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="kk")
    # A string of a bot response (the catalog also holds strings of the API's own code).
    response = next(m for m in catalog if m.id and "responses.yml" in str(m.locations))
    catalog[str(response.id)].string = ""
    with po.open("wb") as fh:
        write_po(fh, catalog)
    with pytest.raises(MissingTranslation):
        build(SOURCE, locales)


def test_check_reports_untranslated_fuzzy_and_placeholder_errors(tmp_path: Path) -> None:
    locales = _copy_locales(tmp_path)
    po = locales / "ru" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="ru")
    ids = [str(m.id) for m in catalog if m.id]
    snippet_id = next(i for i in ids if "{snippet_title}" in i)
    catalog[ids[0]].string = ""
    catalog[ids[1]].flags.add("fuzzy")
    catalog[snippet_id].string = "{snippet_text}"
    with po.open("wb") as fh:
        write_po(fh, catalog)
    found = "\n".join(problems(locales, ROOT))
    assert "not translated" in found
    assert "marked fuzzy" in found
    assert "placeholders differ" in found
