"""Emergency ("cry for help") detector: a lexicon of regular expressions over normalised text.

It does not depend on the intent classifier: ``detect()`` looks only at the text, so the
emergency reply goes out even when NLU is wrong or the model is missing. The patterns live in
``lexicon.yml`` beside this file (see its header for the format) and in ``lexicon.d/*.yml``
(the same format, merged into it); this module only normalises
the text, compiles the lexicon once and applies it.

Normalisation (the patterns are written for its output) is `textfold.fold`, the one
folding table of the repository (packages/textfold): Unicode NFC, lowercase; Kazakh letters
as the Russian ones people type instead (ә→а ғ→г қ→к ң→н ө→о ұ→у ү→у һ→х і→и), ё→е; Latin
letters with diacritics as plain ASCII (á→a ǵ/ğ→g ı→i ń/ñ→n ó/ö→o ú/ü→u ý→u ş/š→sh ç/č→ch
ž→zh); apostrophes and zero-width characters removed ("b'et" → "bet"); runs of white space
as one space.

Matching: for every category, the spans matched by the global and that category's
``exclude`` patterns are blanked out (replaced by a newline, which ``.`` never crosses), then
the category's patterns are searched in what is left. So an exclusion only silences the
phrase it covers ("хочу убить время") and never the rest of the message.

Priority when several categories match: ``child_danger`` wins (a child is the one in danger),
otherwise the first match in the order domestic_violence, trafficking, medical_emergency,
then the two threats that are not danger now: child_abduction_threat (a husband or his
family threatening to take the children away or abroad) and documents_withheld (her
passport kept "for safekeeping", with no sign that she is held). A threat is an alarm too:
she gets the lines that help (111, 102) and the specific answer, never "not understood".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from textfold import fold

CATEGORIES = (
    "domestic_violence",
    "trafficking",
    "child_danger",
    "medical_emergency",
    "child_abduction_threat",
    "documents_withheld",
)

# The order in which categories are tried; the first one that matches wins.
PRIORITY = (
    "child_danger",
    "domestic_violence",
    "trafficking",
    "medical_emergency",
    "child_abduction_threat",
    "documents_withheld",
)

LEXICON_PATH = Path(__file__).with_name("lexicon.yml")
LEXICON_DIR = Path(__file__).with_name("lexicon.d")

# A macro reference in a pattern: {NAME} with an upper-case name. Regex quantifiers ({2,5})
# never contain letters, so the two cannot be confused.
_MACRO = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")

# A masked (excluded) span becomes this; patterns use "." (never DOTALL), which does not
# match it, so a window like ".{0,30}" cannot reach across an excluded phrase.
_MASK = "\n"


@dataclass(frozen=True)
class Alarm:
    category: str
    pattern: str  # the lexicon entry that matched, for debugging


@dataclass(frozen=True)
class _Entry:
    source: str  # the lexicon entry as written (for Alarm.pattern)
    regexes: tuple[re.Pattern[str], ...]  # all must match (usually one)


@dataclass(frozen=True)
class _Category:
    name: str
    entries: tuple[_Entry, ...]
    exclude: re.Pattern[str] | None


@dataclass(frozen=True)
class _Lexicon:
    global_exclude: re.Pattern[str] | None
    categories: tuple[_Category, ...]  # in PRIORITY order


def _expand(pattern: str, macros: dict[str, str], seen: tuple[str, ...] = ()) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in macros:
            raise ValueError(f"lexicon: unknown macro {{{name}}} in {pattern!r}")
        if name in seen:
            raise ValueError(f"lexicon: recursive macro {name}")
        return "(?:" + _expand(macros[name], macros, (*seen, name)) + ")"

    return _MACRO.sub(repl, pattern)


def _compile(pattern: str, macros: dict[str, str]) -> re.Pattern[str]:
    expanded = _expand(pattern, macros)
    try:
        return re.compile(expanded)
    except re.error as exc:  # pragma: no cover - a broken lexicon must fail loudly
        raise ValueError(f"lexicon: bad pattern {pattern!r}: {exc}") from exc


def _flatten(node: Any) -> list[Any]:
    """Patterns may be a list or a mapping of named groups to lists."""
    if node is None:
        return []
    if isinstance(node, dict):
        return [item for group in node.values() for item in _flatten(group)]
    if isinstance(node, list):
        return list(node)
    raise ValueError(f"lexicon: expected a list or a mapping of lists, got {node!r}")


def _entry(item: Any, macros: dict[str, str]) -> _Entry:
    if isinstance(item, str):
        return _Entry(item, (_compile(item, macros),))
    if isinstance(item, dict) and set(item) == {"all"} and isinstance(item["all"], list):
        parts = [str(p) for p in item["all"]]
        return _Entry(" & ".join(parts), tuple(_compile(p, macros) for p in parts))
    raise ValueError(f"lexicon: an entry is a regex or {{all: [regex, ...]}}, got {item!r}")


def _alternation(patterns: list[Any], macros: dict[str, str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join("(?:" + _expand(str(p), macros) + ")" for p in patterns))


def _read_lexicon() -> dict[str, Any]:
    """lexicon.yml, then every lexicon.d/*.yml in name order, merged: macros (a name may be
    defined once), exclusions and patterns appended per category. The situations of each
    language live in their own file, so one language's editor never touches another's."""
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    macros: dict[str, str] = {str(k): str(v) for k, v in (data.get("macros") or {}).items()}
    exclude = _flatten(data.get("exclude"))
    cats = data.get("categories") or {}
    if set(cats) != set(CATEGORIES):
        raise ValueError(f"lexicon: categories must be exactly {CATEGORIES}, got {sorted(cats)}")
    merged = {
        name: {
            "patterns": _flatten((cats[name] or {}).get("patterns")),
            "exclude": _flatten((cats[name] or {}).get("exclude")),
        }
        for name in CATEGORIES
    }
    for path in sorted(LEXICON_DIR.glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in (part.get("macros") or {}).items():
            if key in macros:
                raise ValueError(f"lexicon: {path.name} defines macro {key} again")
            macros[str(key)] = str(value)
        exclude += _flatten(part.get("exclude"))
        for name, spec in (part.get("categories") or {}).items():
            if name not in merged:
                raise ValueError(f"lexicon: {path.name}: unknown category {name!r}")
            merged[name]["patterns"] += _flatten((spec or {}).get("patterns"))
            merged[name]["exclude"] += _flatten((spec or {}).get("exclude"))
    return {"macros": macros, "exclude": exclude, "categories": merged}


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    data = _read_lexicon()
    macros = data["macros"]
    categories = []
    for name in PRIORITY:
        spec = data["categories"][name]
        entries = tuple(_entry(item, macros) for item in spec["patterns"])
        exclude = _alternation(spec["exclude"], macros)
        categories.append(_Category(name, entries, exclude))
    return _Lexicon(_alternation(data["exclude"], macros), tuple(categories))


@lru_cache(maxsize=4096)
def detect(text: str) -> Alarm | None:
    """The emergency this message is a cry for help about, or None: the lexicon first,
    then, for what it has no pattern for, the classifier (classifier.py).

    Kept for the last few thousand messages: the channel guard and the NLU pipeline both
    ask about the same message, and the two together cost a few milliseconds."""
    alarm = match(text)
    if alarm is not None or not text or not text.strip():
        return alarm
    from safety.classifier import classify  # it imports this module

    guess = classify(text)
    if guess is None:
        return None
    return Alarm(guess.kind, f"classifier: {guess.probability:.2f}")


def match(text: str) -> Alarm | None:
    """The lexicon's alarm for this message, or None."""
    if not text:
        return None
    lex = _lexicon()
    norm = fold(text)
    if lex.global_exclude is not None:
        norm = lex.global_exclude.sub(_MASK, norm)
    for cat in lex.categories:
        scanned = cat.exclude.sub(_MASK, norm) if cat.exclude is not None else norm
        for entry in cat.entries:
            if all(rx.search(scanned) for rx in entry.regexes):
                return Alarm(cat.name, entry.source)
    return None
