"""The emergency detector (bot/safety) on every case of tests/data/safety_cases_*.yaml.

Every positive must raise an alarm of its labelled category, every negative none: a missed
cry for help can cost a life, and a false alarm answers an ordinary question with 112.
Run: cd /work/main && PYTHONPATH=bot .venv-bot/bin/python -m pytest -q tests/bot/test_safety_detector.py
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from textfold import fold as normalise

from safety import detector

# The lexicon alone: its cases are exact. The whole detector (lexicon, then classifier) is
# measured in test_safety_classifier.py.
from safety.detector import CATEGORIES, PRIORITY
from safety.detector import match as detect

DATA = Path(__file__).resolve().parents[1] / "data"
SETS = ("kk", "ru", "en", "extra")

# Positives whose label and the detector's priority rule (child_danger first, then
# domestic_violence, trafficking, medical_emergency) may defensibly disagree: text -> the
# categories accepted besides the label, with the reason. Keep it small and explicit; today
# every label is matched exactly, so it is empty.
ACCEPTED_OTHER_CATEGORY: dict[str, tuple[tuple[str, ...], str]] = {}


def _load(name: str) -> dict[str, list[dict[str, Any]]]:
    with (DATA / f"safety_cases_{name}.yaml").open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return {"positives": data.get("positives") or [], "negatives": data.get("negatives") or []}


# every safety_cases_*.yaml, the four known ones first
_NAMES = sorted(
    (p.stem.removeprefix("safety_cases_") for p in DATA.glob("safety_cases_*.yaml")),
    key=lambda n: (SETS.index(n) if n in SETS else len(SETS), n),
)
CASES = {name: _load(name) for name in _NAMES}

# fmt: off
_LATIN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
        "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
        "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
        "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    }
)
# fmt: on


def _slug(text: str, words: int = 6) -> str:
    """A readable ASCII test id: the first words, Cyrillic transliterated."""
    ascii_text = normalise(text).translate(_LATIN)
    return "_".join(re.findall(r"[a-z0-9]+", ascii_text)[:words]) or "empty"


def _params(kind: str) -> list[Any]:
    params = []
    for name, cases in CASES.items():
        for i, case in enumerate(cases[kind], 1):
            label = f"-{case['category']}" if kind == "positives" else ""
            params.append(
                pytest.param(case, id=f"{name}-{kind[:3]}{i:02d}{label}-{_slug(case['text'])}")
            )
    return params


# ------------------------------------------------------------------------------ the cases


@pytest.mark.parametrize("case", _params("positives"))
def test_positive_raises_its_alarm(case: dict[str, str]) -> None:
    alarm = detect(case["text"])
    assert alarm is not None, f"missed a cry for help: {case['text']!r}"
    accepted = {case["category"], *ACCEPTED_OTHER_CATEGORY.get(case["text"], ((), ""))[0]}
    assert alarm.category in accepted, (
        f"{case['text']!r}: {alarm.category} (pattern {alarm.pattern!r}), labelled {case['category']}"
    )


@pytest.mark.parametrize("case", _params("negatives"))
def test_negative_raises_no_alarm(case: dict[str, str]) -> None:
    alarm = detect(case["text"])
    assert alarm is None, f"false alarm {alarm} on {case['text']!r}"


def test_case_files_are_well_formed() -> None:
    assert set(SETS) <= set(CASES), f"missing case files: {set(SETS) - set(CASES)}"
    for name, cases in CASES.items():
        assert cases["positives"] and cases["negatives"], name
        for case in cases["positives"]:
            assert case["category"] in CATEGORIES, (name, case)
            assert case["text"].strip(), (name, case)
        for case in cases["negatives"]:
            assert case["text"].strip(), (name, case)


def test_extra_set_is_big_and_new() -> None:
    extra = CASES["extra"]
    assert len(extra["positives"]) >= 30 and len(extra["negatives"]) >= 30
    for category in CATEGORIES:
        assert any(c["category"] == category for c in extra["positives"]), category
    given = {
        normalise(c["text"])
        for name in ("kk", "ru", "en")
        for kind in ("positives", "negatives")
        for c in CASES[name][kind]
    }
    texts = [normalise(c["text"]) for kind in ("positives", "negatives") for c in extra[kind]]
    assert not given.intersection(texts), "the extra set must be new sentences"
    assert len(texts) == len(set(texts)), "duplicates in the extra set"


def test_accepted_other_categories_are_real_cases() -> None:
    positives = {c["text"]: c["category"] for cases in CASES.values() for c in cases["positives"]}
    for text, (others, reason) in ACCEPTED_OTHER_CATEGORY.items():
        assert text in positives and reason, text
        assert set(others) <= set(CATEGORIES) and positives[text] not in others, text


# ------------------------------------------------------------------------------ normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Күйеуім мені ұрады", "куйеуим мени урады", id="kazakh_cyrillic"),
        pytest.param("ӘҒҚҢӨҰҮҺІ әғқңөұүһі", "агкноуухи агкноуухи", id="all_kazakh_letters"),
        pytest.param("Он меня бьёт", "он меня бьет", id="yo"),
        pytest.param("muzh b'et menya", "muzh bet menya", id="straight_apostrophe"),
        pytest.param("I’m scared he’ll kill me", "im scared hell kill me", id="curly_apostrophes"),
        pytest.param(
            "Kúıeýim meni tunshyqtyrmaq boldy",
            "kuieuim meni tunshyqtyrmaq boldy",
            id="kazakh_latin_2018",
        ),
        pytest.param("shyǵarmaıdy, ñ ş ç", "shygarmaidy, n sh ch", id="latin_diacritics"),
        pytest.param("Tolǵaq bastaldy", "tolgaq bastaldy", id="kazakh_latin_2021"),
        pytest.param("İstanbul", "istanbul", id="dotted_capital_i"),
        pytest.param("  много \t пробелов\n\nи строк  ", "много пробелов и строк", id="whitespace"),
        pytest.param("ре\u200bбё\u00adнок", "ребенок", id="invisible_chars"),
        pytest.param("", "", id="empty"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_is_idempotent() -> None:
    for cases in CASES.values():
        for case in cases["positives"] + cases["negatives"]:
            once = normalise(case["text"])
            assert normalise(once) == once


# ------------------------------------------------------------------------------ the lexicon


def test_lexicon_has_exactly_the_six_categories() -> None:
    with detector.LEXICON_PATH.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    assert set(raw["categories"]) == set(CATEGORIES)
    assert set(PRIORITY) == set(CATEGORIES) and len(PRIORITY) == 6
    lexicon = detector._lexicon()
    assert [c.name for c in lexicon.categories] == list(PRIORITY)
    for category in lexicon.categories:
        assert category.entries, f"{category.name} has no patterns"


def test_no_pattern_matches_trivial_text() -> None:
    """An empty alternative ("a||b") would make a pattern fire on anything."""
    lexicon = detector._lexicon()
    trivial = ["", " ", "a", "я", "и не", "ok thanks", "салем", "сәлем", "hello", "спасибо"]
    for category in lexicon.categories:
        for entry in category.entries:
            for rx in entry.regexes:
                for text in trivial:
                    assert not rx.search(normalise(text)), (category.name, entry.source, text)
    excludes = [lexicon.global_exclude] + [c.exclude for c in lexicon.categories]
    for rx in excludes:
        if rx is not None:
            assert not rx.search(""), rx.pattern[:80]


def test_bad_lexicon_fails_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "lexicon.yml"
    bad.write_text("categories:\n  domestic_violence: {patterns: ['x']}\n", encoding="utf-8")
    monkeypatch.setattr(detector, "LEXICON_PATH", bad)
    detector._lexicon.cache_clear()
    try:
        with pytest.raises(ValueError, match="categories"):
            detector._lexicon()
    finally:
        monkeypatch.undo()
        detector._lexicon.cache_clear()
    assert detect("он меня бьёт") is not None


# ------------------------------------------------------------------------------ behaviour


def test_empty_text_raises_nothing() -> None:
    assert detect("") is None
    assert detect("   ") is None


def test_exclusion_silences_only_its_phrase() -> None:
    assert detect("хочу убить время") is None
    alarm = detect("хочу убить время, но муж меня бьёт")
    assert alarm is not None and alarm.category == "domestic_violence"
    assert detect("i want to kill time") is None
    alarm = detect("i want to kill time but he will kill me")
    assert alarm is not None and alarm.category == "domestic_violence"


def test_child_in_danger_wins_over_other_categories() -> None:
    alarm = detect("муж бьёт меня и ребёнка")
    assert alarm is not None and alarm.category == "child_danger"
    alarm = detect("my husband hits me and my son")
    assert alarm is not None and alarm.category == "child_danger"
    # a child mentioned next to violence against the mother is not a child emergency
    alarm = detect("муж избил меня, дети плачут")
    assert alarm is not None and alarm.category == "domestic_violence"


def test_alarm_names_the_entry_that_matched() -> None:
    alarm = detect("my water broke")
    assert alarm is not None and alarm.category == "medical_emergency" and alarm.pattern


def test_a_child_who_is_ill_or_hurt_gets_the_ambulance_not_the_violence_hotline() -> None:
    for text in ("my child swallowed a battery", "ребенок не дышит", "балам дем алмай жатыр"):
        alarm = detect(text)
        assert alarm is not None and alarm.category == "medical_emergency", text
    # hurt by a person: still the child's danger first
    alarm = detect("отчим избил сына, он не дышит")
    assert alarm is not None and alarm.category == "child_danger"
    assert detect("my child swallowed gum, is it dangerous?") is None


def test_who_holds_her_passport_decides_the_category_in_kazakh() -> None:
    # the same control by the husband (or his family) is domestic violence, by an employer
    # trafficking; the weak sign alone (an employer keeps the passport) is a legal question
    by_husband = detect("Күйеуім паспортымды жасырып қойды, үйден шықпайсың дейді")
    assert by_husband is not None and by_husband.category == "domestic_violence"
    by_employer = detect("Жұмыс беруші паспортымды жасырып қойды, үйден шықпайсың дейді")
    assert by_employer is not None and by_employer.category == "trafficking"
    assert detect("Жұмыс беруші паспортымды сейфінде сақтайды, бұл заңды ма?") is None


def test_a_kazakh_threat_to_take_the_children_needs_the_threat() -> None:
    alarm = detect("Күйеуім кетсең балаларды алып кетемін дейді")
    assert alarm is not None and alarm.category == "child_abduction_threat"
    assert detect("Күйеуім балаларды демалысқа ауылға алып кетемін дейді") is None


def test_a_debt_is_bondage_when_the_employer_holds_her_not_when_the_bank_bans_travel() -> None:
    alarm = detect("Қожайын қарызыңды өтемейінше шетелге шығармаймыз дейді")
    assert alarm is not None and alarm.category == "trafficking"
    assert detect("Қарызымды өтемейінше банк шетелге шығармай ма?") is None


def test_language_files_merge_into_the_lexicon(tmp_path: Path, monkeypatch: Any) -> None:
    """lexicon.d/*.yml add patterns and exclusions; a macro defined twice or an unknown
    category is an error, not a silent override."""
    (tmp_path / "xx.yml").write_text(
        "macros:\n  XX_WORD: 'zzqq'\n"
        "categories:\n  trafficking:\n    patterns: ['{XX_WORD} help']\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(detector, "LEXICON_DIR", tmp_path)
    detector._lexicon.cache_clear()
    try:
        alarm = detect("zzqq help")
        assert alarm is not None and alarm.category == "trafficking"
        (tmp_path / "yy.yml").write_text("macros:\n  XX_WORD: 'other'\n", encoding="utf-8")
        with pytest.raises(ValueError, match="XX_WORD"):
            detector._lexicon.cache_clear()
            detector._lexicon()
        (tmp_path / "yy.yml").write_text("categories:\n  fire: {patterns: [x]}\n", encoding="utf-8")
        with pytest.raises(ValueError, match="fire"):
            detector._lexicon.cache_clear()
            detector._lexicon()
    finally:
        monkeypatch.undo()
        detector._lexicon.cache_clear()
