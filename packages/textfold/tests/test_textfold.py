"""The one folding table: what each spelling people use becomes."""

from __future__ import annotations

import pytest
from textfold import (
    KAZAKH_TO_RUSSIAN,
    LATIN_TO_CYRILLIC,
    fold,
    fold_kazakh,
    fold_latin,
    has_kazakh_letters,
    transliterate,
)


def test_kazakh_letters_become_the_russian_ones_typed_instead() -> None:
    assert (
        fold_kazakh("құжат әке ғимарат ұл үй өмір һәм ің") == "кужат аке гимарат ул уй омир хам ин"
    )
    assert fold_kazakh("ёлка") == "елка"
    assert fold_kazakh("Құжат") == "Қужат"  # lowercase first: the caller folds case


def test_kazakh_latin_diacritics_become_ascii() -> None:
    assert fold_latin("qalaı qaıda balalardy ákem ǵoı") == "qalai qaida balalardy akem goi"
    assert fold_latin("şeker çocuk žena") == "sheker chocuk zhena"
    assert fold_latin("b'et he’ll") == "bet hell"


def test_fold_is_what_the_emergency_lexicon_reads() -> None:
    assert fold("  Күйеуім   МЕНІ \u200bұрады ") == "куйеуим мени урады"
    assert fold("İSTANBUL") == "istanbul"  # the combining dot of İ.lower() goes
    assert fold("qalaı") == "qalai"


# How she types a word in Latin letters, and the Cyrillic it must read back as.
READINGS = {
    "qujat": "кужат",
    "kuzhat": "кужат",
    "shchi": "щи",
    "zhana": "жана",
    "kakoy": "какой",  # y after a vowel is й
    "detskiy": "децкий",  # ts is ц, even across a syllable
    "isteymin": "истеймин",
    "tsentr": "центр",
    "spravka": "справка",
    "cirk": "цирк",  # c before i is ц
    "vracha": "врача",
    "konsul": "консул",
    "xorosho": "хорошо",
    "kostium": "костюм",
    "mening": "менинг",
}


@pytest.mark.parametrize(("latin", "cyrillic"), READINGS.items())
def test_chat_latin_reads_back_as_cyrillic(latin: str, cyrillic: str) -> None:
    assert transliterate(latin) == cyrillic


def test_longest_latin_run_wins() -> None:
    for index, (latin, _) in enumerate(LATIN_TO_CYRILLIC):
        for longer, _ in LATIN_TO_CYRILLIC[index + 1 :]:
            assert not longer.startswith(latin), f"{longer!r} comes after {latin!r}"


def test_other_characters_stay() -> None:
    assert transliterate("egov 2024 құжат") == "егов 2024 құжат"


def test_kazakh_letters_are_recognised() -> None:
    assert has_kazakh_letters("құжат")
    assert not has_kazakh_letters("кужат")
    assert set(KAZAKH_TO_RUSSIAN) >= {"ә", "ғ", "қ", "ң", "ө", "ұ", "ү", "һ", "і"}
