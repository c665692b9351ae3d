"""Babel extractor for bot/responses.yml and bot/channel_texts.yml: their texts and button
titles become msgids."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

Extracted = tuple[int, str, str, list[str]]


def _line_of(raw: str, needle: str) -> int:
    for number, line in enumerate(raw.splitlines(), start=1):
        if needle in line:
            return number
    return 0


def iter_strings(responses: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(response name, string, translator note) for every translatable string."""
    for name, spec in responses.items():
        note = spec.get("note", "")
        yield name, spec["text"], note
        for button in spec.get("buttons", []):
            yield name, button["title"], f"Button in {name}."


def extract_responses(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[Extracted]:
    raw = fileobj.read().decode("utf-8")
    for name, string, note in iter_strings(yaml.safe_load(raw)):
        comments = [f"Translators: {note}" if note else f"Translators: bot reply {name}."]
        yield _line_of(raw, name + ":"), "gettext", string, comments
