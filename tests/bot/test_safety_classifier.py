"""The whole emergency detector (the lexicon, then the classifier) on what issue #17 named,
and on the blind set nobody tuned on (tests/data/safety_blind/*_test2.yaml).

The floors below are regressions guards set under the figures measured on 2026-12-07
(README "Measurements"), not the targets: a change that loses cries fails here.
Run: cd /work/main && PYTHONPATH=bot .venv-bot/bin/python -m pytest -q tests/bot/test_safety_classifier.py
"""

from __future__ import annotations

import pytest

from safety import classifier
from safety.detector import detect, match
from safety.measure import load_blind, measure_blind

# The situations of issue #17, written anew for this test in each language and way of typing.
SITUATIONS = [
    # confinement and forced labour told as a story
    (
        "The family I work for lock the door when they go out and I stay inside, no salary since summer",
        "trafficking",
    ),
    ("хозяева уходят и запирают меня в доме, денег не платят уже четыре месяца", "trafficking"),
    ("qojaiyndar ketkende meni uige qulyptap ketedi, tort ai boldy aqsha tolemeidi", "trafficking"),
    # a passport kept "so she does not lose it" until the end of the season
    (
        "my employer keeps my passport so i dont lose it, he says i get it back after the season",
        "documents_withheld",
    ),
    ("my boss took my passport and will not give it back", "documents_withheld"),
    (
        "бригадир забрал паспорт чтобы я не потеряла, говорит отдаст в конце сезона",
        "documents_withheld",
    ),
    (
        "жұмыс беруші паспортымды жоғалтпасын деп өзінде сақтап отыр, маусым біткенде береді дейді",
        "documents_withheld",
    ),
    # a husband threatening to take the children abroad if she files for divorce
    (
        "my husband says if I file for divorce he will take the kids to his country",
        "child_abduction_threat",
    ),
    (
        "муж сказал если подам на развод увезет детей к себе на родину и я их не увижу",
        "child_abduction_threat",
    ),
    ("kuieuim ajyrassan balalardy oz eline alyp ketemin dep qorqytady", "child_abduction_threat"),
    # a child's fever of 40 at night, in Latin-letter Kazakh
    ("balamnyn qyzuy 40 tunde tuspei jatyr", "medical_emergency"),
]


@pytest.mark.parametrize(("text", "kind"), SITUATIONS)
def test_the_situations_of_the_issue_raise_their_kind(text: str, kind: str) -> None:
    alarm = detect(text)
    assert alarm is not None, text
    assert alarm.category == kind, (text, alarm)


@pytest.mark.parametrize("text", ["", "   ", "hello", "спасибо", "рахмет", "ok", "/start", "👍"])
def test_greetings_and_empty_messages_raise_nothing(text: str) -> None:
    assert detect(text) is None


def test_the_classifier_catches_what_the_lexicon_has_no_pattern_for() -> None:
    caught = [text for text, _ in SITUATIONS if match(text) is None and detect(text) is not None]
    # Not a target: the lexicon may learn some of these. The classifier must add to it.
    assert all(detect(text).pattern.startswith("classifier") for text in caught)  # type: ignore[union-attr]


def test_the_classifier_never_learns_from_the_sets_it_is_measured_on() -> None:
    learnt = set(classifier.training_data()[0])
    measured = [
        case["text"]
        for cases in load_blind(splits=("test2",)).values()
        for kind in ("cries", "ordinary")
        for case in cases[kind]
    ]
    assert measured and not learnt.intersection(measured)


FLOORS = {"kk": (0.88, 0.78, 0.10), "ru": (0.86, 0.82, 0.07), "en": (0.90, 0.86, 0.08)}


@pytest.mark.parametrize("lang", sorted(FLOORS))
def test_blind_set_regression_floors(lang: str) -> None:
    sets = load_blind(splits=("test2",))
    assert len(sets[f"test2/{lang}"]["cries"]) >= 150
    assert len(sets[f"test2/{lang}"]["ordinary"]) >= 150
    row = measure_blind({f"test2/{lang}": sets[f"test2/{lang}"]})["rows"][f"test2/{lang}"]
    recall, right_kind, false_alarms = FLOORS[lang]
    assert row["recall"] >= recall, row
    assert row["right_kind"] >= right_kind, row
    assert row["false_alarm_rate"] <= false_alarms, row
