"""Knowledge text through PO files: export, import back, and nothing else in the YAML changes.

Every test that imports works on a copy of knowledge/ in tmp_path.
"""

from __future__ import annotations

import difflib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main as cli
from app.knowledge.translations import (
    TranslationError,
    _read_files,
    _rewrite,
    export_po,
    import_po,
    write_catalog,
)
from app.knowledge.validate import load_knowledge

from .conftest import ROOT

KNOWLEDGE = ROOT / "knowledge"
SENTENCE = {
    "kk": "Бұл мәтінді аудармашы жаңартты, сондықтан оны редактор қайта тексереді.",
    "ru": "Этот текст обновил переводчик, поэтому редактор проверит его ещё раз.",
}
TITLE_WORD = {"kk": "бүгін", "ru": "сегодня"}


@pytest.fixture
def kdir(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, copy)
    return copy


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def export_to(kdir: Path, lang: str, path: Path) -> Path:
    write_catalog(export_po(kdir, lang), path)
    return path


def edit_po(path: Path, change: Any) -> None:
    """Read the PO file, let `change(catalog)` edit it, write it back."""
    with path.open("rb") as fh:
        catalog = read_po(fh)
    change(catalog)
    write_catalog(catalog, path)


def set_msgstr(path: Path, ctxt: str, value: str, *, fuzzy: bool = False) -> None:
    def change(catalog: Catalog) -> None:
        message = next(m for m in catalog if m.context == ctxt)
        message.string = value
        if fuzzy:
            message.flags.add("fuzzy")

    edit_po(path, change)


@dataclass
class Target:
    """A field in the repository's files whose `lang` value is written in a given style."""

    ctxt: str
    snippet_id: str
    field: str
    file: str
    status: str
    value: str
    first_line: int  # 0-based: the `kk:` / `ru:` line
    last_line: int  # 0-based: the value's last line


def find_target(
    kdir: Path, lang: str, field: str, style: str | None, file: str = "*.yaml"
) -> Target:
    for path in sorted((kdir / "snippets").glob(file)):
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for item in root.value:
            data = {k.value: v for k, v in item.value}
            langs = {k.value: (k, v) for k, v in data[field].value}
            key, node = langs[lang]
            value = node.value.strip()
            short = len(value) < (60 if field == "title" else 800)
            if (node.style or None) == style and short:
                end = node.end_mark
                return Target(
                    ctxt=f"{data['id'].value}#{field}",
                    snippet_id=data["id"].value,
                    field=field,
                    file=path.name,
                    status=data["status"].value,
                    value=value,
                    first_line=key.start_mark.line,
                    last_line=end.line - 1 if end.column == 0 else end.line,
                )
    raise AssertionError(f"no {field}.{lang} written in style {style!r} in {kdir}")


def changed_lines(before: str, after: str) -> list[int]:
    """0-based numbers of the lines of `before` that the edit replaced, deleted or added after."""
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    lines: list[int] = []
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag == "insert":
            lines.append(i1 - 1)  # lines added after line i1 - 1
        elif tag != "equal":
            lines += range(i1, i2)
    return lines


def comment_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


# ------------------------------------------------------------------------ export


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_export_of_the_repository_has_title_and_text_of_every_snippet(lang: str) -> None:
    knowledge = load_knowledge(KNOWLEDGE, check_language=False)
    catalog = export_po(KNOWLEDGE, lang)
    messages = {m.context: m for m in catalog if m.id}
    assert len(messages) == 2 * len(knowledge.snippets)
    for rel, snippet in knowledge.snippets:
        for field in ("title", "text"):
            message = messages[f"{snippet.id}#{field}"]
            assert message.id == getattr(snippet, field).en
            assert message.string == getattr(getattr(snippet, field), lang)
            assert f"topic: {snippet.topic}, status: {snippet.status}" in message.auto_comments
            assert [loc for loc, _ in message.locations] == [rel]
            assert rel.startswith("knowledge/snippets/")
            assert not message.fuzzy
            assert "python-format" not in message.flags


def test_export_writes_a_po_file_that_reads_back(tmp_path: Path) -> None:
    path = export_to(KNOWLEDGE, "kk", tmp_path / "kk.po")
    text = path.read_text(encoding="utf-8")
    assert "#. topic: " in text
    assert "#: knowledge/snippets/stay.yaml\n" in text
    assert 'msgctxt "stay.' in text
    with path.open("rb") as fh:
        catalog = read_po(fh)
    assert catalog.locale_identifier == "kk"
    assert len(catalog) == len(export_po(KNOWLEDGE, "kk"))


def test_only_kk_and_ru_are_targets() -> None:
    with pytest.raises(ValueError, match="source"):
        export_po(KNOWLEDGE, "en")


# ------------------------------------------------------------------------ import


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_round_trip_without_changes_changes_nothing(kdir: Path, tmp_path: Path, lang: str) -> None:
    before = snapshot(kdir)
    po = export_to(kdir, lang, tmp_path / f"{lang}.po")
    report = import_po(kdir, po, lang)
    assert report.changed == report.changed_fields == report.files == []
    assert report.fuzzy == report.empty == report.stale == report.problems == []
    assert snapshot(kdir) == before


EDITS = [
    pytest.param("text", "|", "append", id="literal-block"),
    pytest.param("text", ">", "append", id="folded-block"),
    pytest.param("title", None, "word", id="plain"),
    pytest.param("title", None, "quote", id="plain-needs-quotes"),
    pytest.param("title", '"', "quote", id="double-quoted"),
]


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize(("field", "style", "how"), EDITS)
def test_one_changed_msgstr_changes_only_that_value(
    kdir: Path, tmp_path: Path, lang: str, field: str, style: str | None, how: str
) -> None:
    target = find_target(kdir, lang, field, style)
    if how == "append":
        new = f"{target.value} {SENTENCE[lang]}"
    elif how == "word":
        new = f"{target.value.rstrip('?')} {TITLE_WORD[lang]}?"
    else:  # characters a plain scalar cannot hold
        new = f'{target.value.rstrip("?")}: "{TITLE_WORD[lang]}" #1?'
    po = export_to(kdir, lang, tmp_path / f"{lang}.po")
    set_msgstr(po, target.ctxt, new)
    before = snapshot(kdir)
    old_text = before[f"snippets/{target.file}"].decode()
    old_data = yaml.safe_load(old_text)

    report = import_po(kdir, po, lang)

    assert report.changed == [target.snippet_id]
    assert report.changed_fields == [target.ctxt]
    assert report.files == [f"knowledge/snippets/{target.file}"]
    assert report.approved_changed == ([target.snippet_id] if target.status == "approved" else [])
    assert report.problems == []
    after = snapshot(kdir)
    assert {k for k in after if after[k] != before[k]} == {f"snippets/{target.file}"}
    new_text = after[f"snippets/{target.file}"].decode()
    # Textually: only the lines of that one value differ.
    lines = changed_lines(old_text, new_text)
    assert lines
    assert all(target.first_line <= n <= target.last_line for n in lines), lines
    assert comment_lines(new_text) == comment_lines(old_text)
    if style is None and how == "word":
        assert f"    {lang}: {new}\n" in new_text  # stays a plain scalar
    # As data: the same, but for that value.
    new_data = yaml.safe_load(new_text)
    index = next(i for i, s in enumerate(old_data) if s["id"] == target.snippet_id)
    assert new_data[index][field][lang].strip() == new
    new_data[index][field][lang] = old_data[index][field][lang]
    assert new_data == old_data
    # The snippets still validate, and a new export shows the imported text.
    assert [str(p) for p in load_knowledge(kdir).problems] == []
    again = {m.context: m.string for m in export_po(kdir, lang)}
    assert again[target.ctxt] == new


def test_folded_block_keeps_the_lines_around_a_change(kdir: Path, tmp_path: Path) -> None:
    target = find_target(kdir, "ru", "text", ">")
    words = target.value.split(" ")
    middle = len(words) // 2
    words[middle] = words[middle].upper() + " (ИЗМЕНЕНО)"
    po = export_to(kdir, "ru", tmp_path / "ru.po")
    set_msgstr(po, target.ctxt, " ".join(words))
    old_text = (kdir / "snippets" / target.file).read_text(encoding="utf-8")

    import_po(kdir, po, "ru")

    new_text = (kdir / "snippets" / target.file).read_text(encoding="utf-8")
    # A re-wrap of the whole block would touch every line; a local change touches one or two.
    assert 1 <= len(changed_lines(old_text, new_text)) <= 2
    added = set(new_text.splitlines()) - set(old_text.splitlines())
    assert added
    assert all(len(line) <= 80 for line in added)


def test_every_text_changed_at_once(kdir: Path, tmp_path: Path) -> None:
    po = export_to(kdir, "kk", tmp_path / "kk.po")
    expected: dict[str, str] = {}

    def change(catalog: Catalog) -> None:
        for message in catalog:
            ctxt = message.context
            if ctxt and ctxt.endswith("#text") and len(message.string) < 800:
                message.string = f"{message.string} {SENTENCE['kk']}"
                expected[ctxt] = message.string

    edit_po(po, change)
    before = {p.name: p.read_text(encoding="utf-8") for p in (kdir / "snippets").glob("*.yaml")}

    report = import_po(kdir, po, "kk")

    assert sorted(report.changed_fields) == sorted(expected)
    assert report.problems == []
    knowledge = load_knowledge(kdir)
    assert [str(p) for p in knowledge.problems] == []
    texts = {f"{s.id}#text": s.text.kk for _, s in knowledge.snippets}
    assert {ctxt: texts[ctxt] for ctxt in expected} == expected
    for path in (kdir / "snippets").glob("*.yaml"):
        assert comment_lines(path.read_text(encoding="utf-8")) == comment_lines(before[path.name])
    # Importing the same file again is a no-op.
    second = snapshot(kdir)
    assert import_po(kdir, po, "kk").changed == []
    assert snapshot(kdir) == second


def test_crlf_and_byte_order_mark_are_kept(kdir: Path, tmp_path: Path) -> None:
    stay = kdir / "snippets" / "stay.yaml"
    stay.write_bytes(b"\xef\xbb\xbf" + stay.read_bytes().replace(b"\n", b"\r\n"))
    targets = [
        find_target(kdir, "kk", "text", "|", "stay.yaml"),
        find_target(kdir, "kk", "title", None, "stay.yaml"),
    ]
    po = export_to(kdir, "kk", tmp_path / "kk.po")
    before = stay.read_bytes()
    assert import_po(kdir, po, "kk").changed == []
    assert stay.read_bytes() == before
    set_msgstr(po, targets[0].ctxt, f"{targets[0].value}\n\n{SENTENCE['kk']}")
    set_msgstr(po, targets[1].ctxt, f"{targets[1].value.rstrip('?')} {TITLE_WORD['kk']}?")

    report = import_po(kdir, po, "kk")

    assert sorted(report.changed_fields) == sorted(t.ctxt for t in targets)
    assert report.problems == []
    after = stay.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf")
    assert after.count(b"\n") == after.count(b"\r\n") == before.count(b"\r\n") + 2
    texts = {
        f"{s.id}#{f}": getattr(s, f).kk
        for _, s in load_knowledge(kdir).snippets
        for f in ("title", "text")
    }
    assert texts[targets[0].ctxt].endswith(f"\n\n{SENTENCE['kk']}")


def test_fuzzy_messages_are_skipped_and_reported(kdir: Path, tmp_path: Path) -> None:
    target = find_target(kdir, "kk", "text", "|")
    po = export_to(kdir, "kk", tmp_path / "kk.po")
    set_msgstr(po, target.ctxt, f"{target.value} {SENTENCE['kk']}", fuzzy=True)
    before = snapshot(kdir)

    report = import_po(kdir, po, "kk")

    assert report.fuzzy == [target.ctxt]
    assert report.changed == []
    assert snapshot(kdir) == before


@pytest.mark.parametrize("empty", ["", "   \n"])
def test_an_empty_msgstr_never_wipes_a_text(kdir: Path, tmp_path: Path, empty: str) -> None:
    target = find_target(kdir, "ru", "text", ">")
    po = export_to(kdir, "ru", tmp_path / "ru.po")
    set_msgstr(po, target.ctxt, empty)
    before = snapshot(kdir)

    report = import_po(kdir, po, "ru")

    assert report.empty == [target.ctxt]
    assert report.changed == []
    assert snapshot(kdir) == before


@pytest.mark.parametrize("ctxt", ["no.such.snippet#text", "stay.registration.x#sources"])
def test_an_unknown_msgctxt_refuses_the_whole_file(kdir: Path, tmp_path: Path, ctxt: str) -> None:
    target = find_target(kdir, "kk", "title", None)
    po = export_to(kdir, "kk", tmp_path / "kk.po")
    set_msgstr(po, target.ctxt, f"{target.value.rstrip('?')} {TITLE_WORD['kk']}?")
    edit_po(po, lambda catalog: catalog.add("Some English", "Бір нәрсе", context=ctxt))
    before = snapshot(kdir)

    with pytest.raises(TranslationError, match=f"unknown msgctxt '{ctxt}'"):
        import_po(kdir, po, "kk")
    assert snapshot(kdir) == before  # not even the valid change was written


def test_a_message_without_msgctxt_is_refused(kdir: Path, tmp_path: Path) -> None:
    po = export_to(kdir, "kk", tmp_path / "kk.po")
    edit_po(po, lambda catalog: catalog.add("Some English", "Бір нәрсе"))
    with pytest.raises(TranslationError, match="without msgctxt"):
        import_po(kdir, po, "kk")


def test_a_translation_of_old_english_is_skipped(kdir: Path, tmp_path: Path) -> None:
    target = find_target(kdir, "kk", "text", "|")
    po = export_to(kdir, "kk", tmp_path / "kk.po")

    def change(catalog: Catalog) -> None:
        message = next(m for m in catalog if m.context == target.ctxt)
        catalog.delete(message.id, context=target.ctxt)
        catalog.add(
            "An older English text.", f"{target.value} {SENTENCE['kk']}", context=target.ctxt
        )

    edit_po(po, change)
    before = snapshot(kdir)

    report = import_po(kdir, po, "kk")

    assert report.stale == [target.ctxt]
    assert snapshot(kdir) == before


def test_a_catalog_of_another_language_is_refused(kdir: Path, tmp_path: Path) -> None:
    po = export_to(kdir, "ru", tmp_path / "ru.po")
    with pytest.raises(TranslationError, match="not kk"):
        import_po(kdir, po, "kk")


def test_problems_of_an_imported_text_are_reported(kdir: Path, tmp_path: Path) -> None:
    target = find_target(kdir, "kk", "title", None)
    po = export_to(kdir, "kk", tmp_path / "kk.po")
    set_msgstr(po, target.ctxt, "Ұзын " * 30 + "тақырып?")

    report = import_po(kdir, po, "kk")

    assert report.changed == [target.snippet_id]
    assert [(p.item, p.field) for p in report.problems] == [(target.snippet_id, "title.kk")]


def test_cli_export_and_import(
    kdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    po = tmp_path / "out" / "ru.po"
    assert cli(["--knowledge-dir", str(kdir), "export-po", "--lang", "ru", "--out", str(po)]) == 0
    assert "messages to" in capsys.readouterr().out
    target = find_target(kdir, "ru", "text", "|")
    set_msgstr(po, target.ctxt, f"{target.value} {SENTENCE['ru']}")

    assert cli(["--knowledge-dir", str(kdir), "import-po", "--lang", "ru", str(po)]) == 0
    out, err = capsys.readouterr()
    assert f"changed: {target.ctxt}" in out
    if target.status == "approved":
        assert "warning" in err and target.snippet_id in err

    edit_po(po, lambda catalog: catalog.add("English", "Текст", context="gone.snippet#text"))
    assert cli(["--knowledge-dir", str(kdir), "import-po", "--lang", "ru", str(po)]) == 1
    assert "gone.snippet#text" in capsys.readouterr().err


# ------------------------------------------------------------- any text, any style

FIXTURE = """\
# A file in every style the snippet files use.
- id: a.b.c
  title:
    kk: Қысқа тақырып  # a comment after a plain value
    ru: "Короткий заголовок"
    en: 'A short title'
  text:
    kk: |-
      Бірінші жол.

      Екінші жол.
    ru: >-
      Первая строка, которая
      продолжается здесь.
    # A comment between two values.
    en: Text.
  status: approved
"""
FIELDS = [("a.b.c#title", "kk"), ("a.b.c#title", "ru"), ("a.b.c#text", "kk"), ("a.b.c#text", "ru")]
TEXTS = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=200).map(str.strip)


def test_any_text_round_trips_in_every_style(tmp_path: Path) -> None:
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "x.yaml").write_text(FIXTURE, encoding="utf-8")
    (file,) = _read_files(tmp_path)
    fields = {item.ctxt: item for item in file.fields}

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(value=TEXTS.filter(bool), which=st.sampled_from(FIELDS))
    def check(value: str, which: tuple[str, str]) -> None:
        ctxt, lang = which
        text = _rewrite(file, [(fields[ctxt], value)], lang)  # raises if the data differs
        data = yaml.safe_load(text)
        assert data[0][ctxt.split("#")[1]][lang].strip() == value
        assert set(comment_lines(FIXTURE)) <= set(text.splitlines())
        assert text.count("  # a comment after a plain value\n") == 1

    check()
