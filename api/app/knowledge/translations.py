"""Knowledge text in the translators' workflow: export to PO, import back.

`export_po` writes one message per snippet field (title, text): msgctxt
"<snippet id>#title" or "#text", msgid the English text (the source language),
msgstr the current Kazakh or Russian text. Translators edit the PO file with
the tools they use for locales/; `import_po` puts the changed texts back.

The import edits the YAML files as text: only the value of `kk:` / `ru:` under
that snippet's title or text is replaced, in the style it was written in (plain,
quoted, `|` or `>` block), so comments and formatting elsewhere stay
byte-identical. Every rewritten file is parsed again and compared with what was
meant before anything is written.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, write_po

from app.i18n import SOURCE_LANG, TRANSLATED
from app.knowledge.schema import MAX_TEXT, MAX_TITLE
from app.knowledge.validate import Problem, load_knowledge

TARGET_LANGS = TRANSLATED
FIELDS = {"title": MAX_TITLE, "text": MAX_TEXT}
PROJECT = "ana-komek knowledge"
# Folded (`>`) blocks are re-wrapped to this many columns, like the files are written.
WRAP_WIDTH = 80
HEADER_COMMENT = """\
# Knowledge snippets of ana-komek (knowledge/snippets/*.yaml).
# msgid is the English text; msgstr is what users read in this language.
# Change msgstr only. Mark a doubtful translation fuzzy: fuzzy messages
# are not imported. See docs/CONTENT_GUIDE.md, "Translating the knowledge".
#"""

# Characters YAML lets stand in a file as they are (PyYAML's reader).
_PRINTABLE = re.compile("[\t\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Printable, but line breaks (or a byte order mark) in YAML; only escaped in double quotes.
_SPECIAL_BREAKS = frozenset("\r\x85\u2028\u2029\ufeff")
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\x00": "\\0",
    "\x07": "\\a",
    "\x08": "\\b",
    "\x0b": "\\v",
    "\x0c": "\\f",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}
_BLOCK_HEADER = re.compile(r"([|>])([-+0-9]*)(.*)", re.DOTALL)
_BOM = "\ufeff"
# libyaml when it is there (ten times faster); both give the same marks once the BOM is off.
_LOADER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class TranslationError(ValueError):
    """The PO file cannot be imported (or the knowledge files cannot be read); nothing changed."""


@dataclass
class ImportReport:
    """What an import did. `changed` lists snippet ids, the other lists `<id>#<field>` contexts."""

    lang: str
    changed: list[str] = field(default_factory=list)
    changed_fields: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    approved_changed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"{self.lang}: {len(self.changed_fields)} text(s) changed in "
            f"{len(self.changed)} snippet(s), {len(self.files)} file(s) written"
        ]
        lines += [f"  changed: {ctxt}" for ctxt in self.changed_fields]
        lines += [f"  skipped, marked fuzzy: {ctxt}" for ctxt in self.fuzzy]
        lines += [f"  skipped, empty msgstr (text kept): {ctxt}" for ctxt in self.empty]
        lines += [
            f"  skipped, the English text changed since the export (export again): {ctxt}"
            for ctxt in self.stale
        ]
        return "\n".join(lines)


@dataclass
class _Field:
    """One translatable field of one snippet, as found in its YAML file."""

    ctxt: str
    snippet_id: str
    name: str
    path: Path
    location: str
    item_index: int
    topic: str
    status: str
    flow: bool
    values: dict[str, str]
    nodes: dict[str, tuple[yaml.Node, yaml.Node]]


@dataclass
class _File:
    path: Path
    text: str  # without a byte order mark; `bom` says whether the file had one
    bom: bool
    fields: list[_Field]


# ---------------------------------------------------------------------------- reading


def _check_lang(lang: str) -> None:
    if lang not in TARGET_LANGS:
        raise ValueError(f"lang must be one of {', '.join(TARGET_LANGS)} (en is the source)")


def _get(mapping: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The last `key:` pair of a mapping node (the one a YAML loader keeps)."""
    if not isinstance(mapping, yaml.MappingNode):
        return None
    found = None
    for k, v in mapping.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            found = (k, v)
    return found


def _scalar(mapping: yaml.Node, key: str) -> str:
    pair = _get(mapping, key)
    if pair is None or not isinstance(pair[1], yaml.ScalarNode):
        return ""
    return str(pair[1].value).strip()


def _read_files(knowledge_dir: Path) -> list[_File]:
    snippets_dir = knowledge_dir / "snippets"
    files: list[_File] = []
    seen: set[str] = set()
    for path in sorted(snippets_dir.glob("**/*.yaml")):
        location = f"knowledge/snippets/{path.relative_to(snippets_dir).as_posix()}"
        try:
            text = path.read_bytes().decode("utf-8")
            bom = text.startswith(_BOM)
            text = text.removeprefix(_BOM)
            root = yaml.compose(text, Loader=_LOADER)
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise TranslationError(
                f"{location} cannot be read ({first}): run `make validate`"
            ) from exc
        fields: list[_Field] = []
        if isinstance(root, yaml.SequenceNode):
            for index, item in enumerate(root.value):
                snippet_id = _scalar(item, "id")
                if not snippet_id or snippet_id in seen:
                    continue  # the validator reports these; the first of duplicates wins there too
                seen.add(snippet_id)
                for name in FIELDS:
                    pair = _get(item, name)
                    if pair is None or not isinstance(pair[1], yaml.MappingNode):
                        continue
                    nodes = {
                        lang: found
                        for lang in (SOURCE_LANG, *TARGET_LANGS)
                        if (found := _get(pair[1], lang)) is not None
                        and isinstance(found[1], yaml.ScalarNode)
                    }
                    fields.append(
                        _Field(
                            ctxt=f"{snippet_id}#{name}",
                            snippet_id=snippet_id,
                            name=name,
                            path=path,
                            location=location,
                            item_index=index,
                            topic=_scalar(item, "topic"),
                            status=_scalar(item, "status"),
                            flow=bool(pair[1].flow_style),
                            values={lang: str(v.value).strip() for lang, (_, v) in nodes.items()},
                            nodes=nodes,
                        )
                    )
        files.append(_File(path, text, bom, fields))
    return files


# ---------------------------------------------------------------------------- export


def export_po(knowledge_dir: Path, lang: str) -> Catalog:
    """A catalog of every snippet's title and text: English msgid, `lang` msgstr."""
    _check_lang(lang)
    catalog = Catalog(
        locale=lang,
        project=PROJECT,
        header_comment=HEADER_COMMENT,
        fuzzy=False,
    )
    for file in _read_files(knowledge_dir):
        for item in file.fields:
            source = item.values.get(SOURCE_LANG, "")
            if not source:
                continue  # nothing to translate from; the validator reports it
            message = catalog.add(
                source,
                item.values.get(lang, ""),
                locations=[(item.location, 0)],  # 0: no line number, they change too often
                auto_comments=[
                    f"topic: {item.topic}, status: {item.status}",
                    f"{item.name}: at most {FIELDS[item.name]} characters",
                ],
                context=item.ctxt,
            )
            # Babel guesses format strings from "%" and "{}"; snippet text has none.
            if message is not None:
                message.flags.difference_update({"python-format", "python-brace-format"})
    return catalog


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog)


# ---------------------------------------------------------------------------- rendering


def _printable(value: str) -> bool:
    return all(_PRINTABLE.match(ch) and ch not in _SPECIAL_BREAKS for ch in value)


def _double_quoted(value: str) -> str:
    out: list[str] = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif not _PRINTABLE.match(ch) or ch == "\ufeff":
            code = ord(ch)
            if code <= 0xFF:
                out.append(f"\\x{code:02X}")
            elif code <= 0xFFFF:
                out.append(f"\\u{code:04X}")
            else:
                out.append(f"\\U{code:08X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _single_quoted(value: str) -> str | None:
    if "\n" in value or not _printable(value):
        return None
    return "'" + value.replace("'", "''") + "'"


def _plain(value: str, flow: bool) -> str | None:
    if "\n" in value or "\t" in value or not _printable(value):
        return None
    doc = f"{{k: {value}}}" if flow else f"k: {value}"
    try:
        parsed = yaml.load(doc, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return None
    return value if parsed == {"k": value} else None


def _literal(value: str, indent: int) -> list[str]:
    pad = " " * indent
    return [pad + line if line else "" for line in value.split("\n")]


def _wrap(words: list[str], pad: str) -> list[str]:
    out: list[str] = []
    line = ""
    for word in words:
        if line and len(pad) + len(line) + 1 + len(word) > WRAP_WIDTH:
            out.append(pad + line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*out, pad + line] if line else out


def _folded(value: str, indent: int, old: list[str]) -> list[str] | None:
    """Lines of a `>` block that folds to `value`; the old lines are kept where they still fit."""
    if any(line != line.strip() or "  " in line or "\t" in line for line in value.split("\n")):
        return None  # more-indented lines and runs of spaces do not survive folding
    pad = " " * indent
    simple = all(line and line == line.strip() and "  " not in line for line in old)
    if "\n" in value or not old or not simple:
        out: list[str] = []
        for part in re.split(r"(\n+)", value):
            if part.startswith("\n"):
                out.extend([""] * len(part))  # n line breaks are n empty lines when folded
            else:
                out.extend(_wrap(part.split(" "), pad))
        return out
    # One paragraph: keep the old lines before and after the change, re-wrap the rest.
    words, old_words = value.split(" "), [line.split(" ") for line in old]
    head: list[list[str]] = []
    start = 0
    for line_words in old_words:
        if words[start : start + len(line_words)] != line_words:
            break
        head.append(line_words)
        start += len(line_words)
    tail: list[list[str]] = []
    end = len(words)
    for line_words in reversed(old_words[len(head) :]):
        if end - len(line_words) < start or words[end - len(line_words) : end] != line_words:
            break
        tail.insert(0, line_words)
        end -= len(line_words)
    return [
        *(pad + " ".join(w) for w in head),
        *_wrap(words[start:end], pad),
        *(pad + " ".join(w) for w in tail),
    ]


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end == -1 else end


def _block_edit(text: str, key: yaml.Node, node: yaml.Node, value: str, nl: str) -> tuple[int, str]:
    """(end of the old block, its replacement from the header on) for a `|` or `>` value."""
    start = node.start_mark.index
    header_end = _line_end(text, start)
    match = _BLOCK_HEADER.match(text[start:header_end].rstrip("\r"))
    assert match is not None, "a block scalar starts with | or >"
    indicator, modifiers, rest = match.groups()
    parent = key.start_mark.column
    end, indent, pos = start + len(match.group(0)), None, header_end + 1
    old: list[str] = []
    while pos < len(text):
        line_end = _line_end(text, pos)
        line = text[pos:line_end].rstrip("\r")
        if line.strip():
            depth = len(line) - len(line.lstrip(" "))
            if depth <= parent or (indent is not None and depth < indent):
                break
            indent = indent if indent is not None else depth
            end = pos + len(line)
            old.append(line[indent:])
        elif indent is not None:
            old.append("")
        pos = line_end + 1
    while old and not old[-1]:
        old.pop()  # blank lines after the block are not part of it
    indent = indent if indent is not None else parent + 2
    chomp = "".join(c for c in modifiers if c in "+-")
    if not _printable(value):
        return end, _double_quoted(value) + rest
    lines = _folded(value, indent, old) if indicator == ">" else None
    if lines is None:
        indicator, lines = "|", _literal(value, indent)
    same = indicator == match.group(1) and not any(c.isdigit() for c in modifiers)
    header = indicator + (modifiers if same else chomp) + rest
    return end, nl.join([header, *lines])


def _edit(text: str, item: _Field, lang: str, value: str, nl: str) -> tuple[int, int, str]:
    """(start, end, replacement) that sets `item`'s `lang` value to `value` in `text`."""
    key, node = item.nodes[lang]
    start, end = node.start_mark.index, node.end_mark.index
    style = getattr(node, "style", None) or None  # libyaml says "" for plain
    if style in ("|", ">") and not item.flow:
        end, replacement = _block_edit(text, key, node, value, nl)
        return start, end, replacement
    rendered: str | None = None
    if style is None:
        rendered = _plain(value, item.flow)
    elif style == "'":
        rendered = _single_quoted(value)
    return start, end, rendered if rendered is not None else _double_quoted(value)


def _rewrite(file: _File, edits: list[tuple[_Field, str]], lang: str) -> str:
    """The file's new text, checked: it parses to the old data with just these values changed."""
    nl = "\r\n" if "\r\n" in file.text else "\n"
    spans = sorted((_edit(file.text, item, lang, value, nl) for item, value in edits), reverse=True)
    text = file.text
    for start, end, replacement in spans:
        text = text[:start] + replacement + text[end:]
    old = yaml.load(file.text, Loader=_LOADER)  # noqa: S506 - a safe loader
    expected = copy.deepcopy(old)
    for item, value in edits:
        expected[item.item_index][item.name][lang] = value
    try:
        new = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
        for item, _ in edits:
            got = new[item.item_index][item.name][lang]
            if isinstance(got, str):  # a `|` block keeps its final line break; text is stripped
                new[item.item_index][item.name][lang] = got.strip()
    except (yaml.YAMLError, LookupError, TypeError):
        new = None
    if new != expected:
        names = ", ".join(item.ctxt for item, _ in edits)
        raise TranslationError(f"{file.path.name}: could not rewrite {names} safely; not imported")
    return text


# ---------------------------------------------------------------------------- import


def _read_catalog(po_path: Path, lang: str) -> Catalog:
    try:
        with po_path.open("rb") as fh:
            catalog = read_po(fh, abort_invalid=True)
    except (OSError, PoFileError, ValueError) as exc:
        raise TranslationError(f"{po_path}: cannot read the PO file: {exc}") from exc
    found = catalog.locale_identifier
    if found and found.split("_")[0] != lang:
        raise TranslationError(f"{po_path} is a {found} catalog (Language header), not {lang}")
    return catalog


def import_po(knowledge_dir: Path, po_path: Path, lang: str) -> ImportReport:
    """Write the translations of `po_path` into the snippet files; nothing else changes.

    Raises TranslationError, before writing anything, when a message names no known
    snippet field. Fuzzy messages and empty translations are skipped (and reported).
    """
    _check_lang(lang)
    catalog = _read_catalog(po_path, lang)
    files = _read_files(knowledge_dir)
    fields = {item.ctxt: item for file in files for item in file.fields}

    errors: list[str] = []
    seen: set[str] = set()
    messages: list[tuple[_Field, Message]] = []
    for message in catalog:
        if not message.id:
            continue  # the header
        ctxt = message.context
        if ctxt is None:
            errors.append(f"message without msgctxt: {str(message.id)[:50]!r}")
        elif ctxt not in fields:
            errors.append(f"unknown msgctxt {ctxt!r}: no snippet with this id and field")
        elif ctxt in seen:
            errors.append(f"msgctxt {ctxt!r} appears more than once")
        elif not isinstance(message.id, str) or not isinstance(message.string, str):
            errors.append(f"msgctxt {ctxt!r}: plural forms are not used for knowledge text")
        elif lang not in fields[ctxt].nodes:
            errors.append(f"msgctxt {ctxt!r}: the snippet has no {lang} value to replace")
        else:
            seen.add(ctxt)
            messages.append((fields[ctxt], message))
    if errors:
        raise TranslationError(
            f"{po_path}: nothing imported:\n" + "\n".join(f"  {e}" for e in errors)
        )

    report = ImportReport(lang=lang)
    edits: dict[Path, list[tuple[_Field, str]]] = {}
    for item, message in messages:
        value = str(message.string).strip()
        if message.fuzzy:
            report.fuzzy.append(item.ctxt)
        elif not value:
            report.empty.append(item.ctxt)
        elif value == item.values.get(lang, ""):
            continue
        elif str(message.id).strip() != item.values.get(SOURCE_LANG, ""):
            report.stale.append(item.ctxt)
        else:
            edits.setdefault(item.path, []).append((item, value))
            report.changed_fields.append(item.ctxt)
            if item.snippet_id not in report.changed:
                report.changed.append(item.snippet_id)
                if item.status == "approved":
                    report.approved_changed.append(item.snippet_id)

    new_texts = [
        (file, _rewrite(file, edits[file.path], lang)) for file in files if file.path in edits
    ]
    for file, text in new_texts:
        file.path.write_bytes(((_BOM if file.bom else "") + text).encode("utf-8"))
    report.files = [items[0][0].location for items in edits.values()]

    if report.changed:
        changed = set(report.changed)
        knowledge = load_knowledge(knowledge_dir)
        report.problems = [p for p in knowledge.problems if p.item in changed]
    return report
