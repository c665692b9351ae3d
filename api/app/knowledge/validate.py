"""Validate knowledge files. Every problem names the file, the item id and the field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from app.knowledge.language import detect, latin_words
from app.knowledge.schema import (
    QUESTIONS_PER_LANGUAGE,
    City,
    Questions,
    ReferralFile,
    SnippetFile,
)
from app.knowledge.taxonomy import area_ids, topic_ids

# Lingua needs some text to be sure; titles are too short to judge alone.
MIN_CHARS_TO_DETECT = 40


NATIONWIDE = "nationwide"


class _TextDatesLoader(yaml.SafeLoader):
    """Leaves dates as text, so a bad date is a field error, not a crash of the parser."""


_TextDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Problem:
    file: str
    item: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.field}: {self.message}"


@dataclass
class Knowledge:
    snippets: list[tuple[str, SnippetFile]] = field(default_factory=list)
    referrals: list[ReferralFile] = field(default_factory=list)
    cities: list[City] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _read_list(path: Path, root: Path, problems: list[Problem]) -> list[Any]:
    rel = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextDatesLoader)  # noqa: S506
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(Problem(rel, "-", "-", f"not valid YAML: {exc}".splitlines()[0]))
        return []
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(Problem(rel, "-", "-", "must be a YAML list of items"))
        return []
    return data


def _parse(model: type[BaseModel], raw: Any, rel: str, index: int, problems: list[Problem]) -> Any:
    item = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "-"
            problems.append(Problem(rel, str(item), where, err["msg"]))
        return None


def _check_language(rel: str, item: str, fieldname: str, lang: str, text: str) -> Problem | None:
    if len(text) < MIN_CHARS_TO_DETECT:
        return None
    found = detect(text)
    if found != lang:
        return Problem(
            rel, item, f"{fieldname}.{lang}", f"reads as {found or 'unknown'}, not {lang}"
        )
    return None


def _approved_problems(rel: str, snippet: SnippetFile) -> list[Problem]:
    """What a snippet shown to users must have beyond the schema: her language all the way
    down to the source line, and the questions that let her own words find it."""
    found = []
    for n, source in enumerate(snippet.sources):
        if isinstance(source.title, str):
            found.append(Problem(rel, snippet.id, f"sources[{n}].title", "needs kk, ru and en"))
        if isinstance(source.article, str):
            found.append(Problem(rel, snippet.id, f"sources[{n}].article", "needs kk, ru and en"))
    for lang in ("kk", "ru"):
        shown = [getattr(snippet.title, lang), getattr(snippet.text, lang)] + [
            s.title_in(lang) + " " + (s.article_in(lang) or "") for s in snippet.sources
        ]
        if found_latin := sorted({w for text in shown for w in latin_words(text)}):
            found.append(
                Problem(rel, snippet.id, lang, f"words in Latin letters: {', '.join(found_latin)}")
            )
    low, high = QUESTIONS_PER_LANGUAGE
    for lang, questions in (snippet.questions or Questions()).items():
        if not low <= len(questions) <= high:
            found.append(
                Problem(rel, snippet.id, f"questions.{lang}", f"needs {low} to {high} questions")
            )
    return found


def _approved_referral_problems(rel: str, ref: ReferralFile, check_language: bool) -> list[Problem]:
    """A contact shown to a mother in need: re-read by a second person, in her language."""
    found = []
    if not ref.phone:
        found.append(Problem(rel, ref.id, "phone", "an approved contact needs a phone number"))
    if ref.rechecked is None:
        found.append(
            Problem(rel, ref.id, "rechecked", "a second person must re-read the phones first")
        )
    elif ref.rechecked < ref.last_verified:
        found.append(Problem(rel, ref.id, "rechecked", "is before last_verified"))
    for lang in ("kk", "ru"):
        shown = [getattr(ref.name, lang), getattr(ref.description, lang), getattr(ref.hours, lang)]
        shown += [getattr(p.label, lang) for p in ref.phone]
        if found_latin := sorted({w for text in shown for w in latin_words(text)}):
            found.append(
                Problem(rel, ref.id, lang, f"words in Latin letters: {', '.join(found_latin)}")
            )
        if check_language and (
            p := _check_language(rel, ref.id, "description", lang, getattr(ref.description, lang))
        ):
            found.append(p)
    return found


def read_cities(knowledge_dir: Path, problems: list[Problem]) -> list[City]:
    path = knowledge_dir / "cities.yaml"
    if not path.exists():
        return []
    rel = str(path.relative_to(knowledge_dir.parent))
    cities = [
        city
        for index, raw in enumerate(_read_list(path, knowledge_dir, problems))
        if (city := _parse(City, raw, rel, index, problems)) is not None
    ]
    ids = [c.id for c in cities]
    for city in cities:
        if ids.count(city.id) > 1:
            problems.append(Problem(rel, city.id, "id", "duplicate id"))
        if city.near is not None and (city.near == city.id or city.near not in ids):
            problems.append(Problem(rel, city.id, "near", f"{city.near!r} is not another city"))
    return cities


def load_knowledge(knowledge_dir: Path, *, check_language: bool = True) -> Knowledge:
    """Parse and check every knowledge file; problems are collected, not raised."""
    result = Knowledge()
    topics, areas = topic_ids(knowledge_dir), area_ids(knowledge_dir)
    seen: dict[str, str] = {}
    today = dt.date.today()

    snippet_files = sorted((knowledge_dir / "snippets").glob("**/*.yaml"))
    for path in snippet_files:
        rel = str(path.relative_to(knowledge_dir.parent))
        for index, raw in enumerate(_read_list(path, knowledge_dir, result.problems)):
            snippet = _parse(SnippetFile, raw, rel, index, result.problems)
            if snippet is None:
                continue
            problems = result.problems
            if snippet.id in seen:
                problems.append(Problem(rel, snippet.id, "id", f"duplicate of {seen[snippet.id]}"))
                continue
            seen[snippet.id] = rel
            if snippet.topic not in topics:
                problems.append(
                    Problem(rel, snippet.id, "topic", f"unknown topic {snippet.topic!r}")
                )
            elif not snippet.id.startswith(snippet.topic + "."):
                problems.append(Problem(rel, snippet.id, "id", f"must start with {snippet.topic}."))
            if snippet.last_reviewed > today:
                problems.append(Problem(rel, snippet.id, "last_reviewed", "is in the future"))
            if len(set(snippet.applies_to)) != len(snippet.applies_to):
                problems.append(Problem(rel, snippet.id, "applies_to", "lists a group twice"))
            if snippet.status == "approved":
                problems.extend(_approved_problems(rel, snippet))
            if check_language:
                for lang, text in snippet.text.items():
                    if lang != "en" and (p := _check_language(rel, snippet.id, "text", lang, text)):
                        problems.append(p)
            result.snippets.append((rel, snippet))

    result.cities = read_cities(knowledge_dir, result.problems)
    city_ids = {c.id for c in result.cities} | {NATIONWIDE}
    referrals_path = knowledge_dir / "referrals.yaml"
    if referrals_path.exists():
        rel = str(referrals_path.relative_to(knowledge_dir.parent))
        ref_seen: set[str] = set()
        for index, raw in enumerate(_read_list(referrals_path, knowledge_dir, result.problems)):
            ref = _parse(ReferralFile, raw, rel, index, result.problems)
            if ref is None:
                continue
            if ref.id in ref_seen:
                result.problems.append(Problem(rel, ref.id, "id", "duplicate id"))
                continue
            ref_seen.add(ref.id)
            for service in ref.services:
                if service not in topics and service not in areas:
                    result.problems.append(
                        Problem(rel, ref.id, "services", f"{service!r} is not a topic or an area")
                    )
            for city in ref.cities:
                if city not in city_ids:
                    result.problems.append(
                        Problem(rel, ref.id, "cities", f"{city!r} is not in knowledge/cities.yaml")
                    )
            if ref.last_verified > today:
                result.problems.append(Problem(rel, ref.id, "last_verified", "is in the future"))
            if ref.status == "approved":
                result.problems.extend(_approved_referral_problems(rel, ref, check_language))
            result.referrals.append(ref)
    return result
