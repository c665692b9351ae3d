"""Turn text into search terms that survive how people really type.

Both the indexed snippets and the query go through the same steps, so a
mother who types Kazakh without its letters ("кужат" for "құжат"), in Latin
letters ("qujat", "kujat"), with a typo, or in another word form still meets
the snippet's terms:

1. lowercase, ё→е; Latin diacritics of the Kazakh Latin alphabets dropped (the tables
   are packages/textfold's, which the bot's tokenizer and emergency detector read too);
2. each word is stemmed in its language: Snowball for Russian (before folding,
   so -ть, -ться, -ий, -ой endings are seen), a suffix stripper for Kazakh,
   Snowball for English. A text is Kazakh when enough of its words carry a
   Kazakh-only letter; a word that carries one is always Kazakh;
3. the stem is folded to the letters people type when they lack a Kazakh
   keyboard (ә→а, қ→к, ң→н, ғ→г, ө→о, ұ/ү→у, һ→х, і→и, й→и, ь/ъ dropped) and
   cut to a fixed length, which absorbs what inflection is left;
4. in a query, a Latin word is also transliterated into Cyrillic (Kazakh 2021
   Latin, ad-hoc chat Latin and Russian transliteration) so it meets kk/ru text,
   and a Cyrillic word gets both its Kazakh and its Russian stem.

Typos, other word forms and everyday synonyms are mended by the search service
against the index vocabulary. When `index_terms` changes, texts indexed before are
re-indexed by the service on its own (`service.rebuild_index`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from textfold import KAZAKH_TO_RUSSIAN, LATIN_TO_ASCII, has_kazakh_letters, transliterate

# Stems are compared in the spelling of a keyboard without Kazakh letters, with и for й
# and no soft or hard sign; the words before stemming keep them (_lower).
_FOLD = str.maketrans({**KAZAKH_TO_RUSSIAN, "й": "и", "ь": "", "ъ": ""})
_LATIN_FOLD = str.maketrans({**LATIN_TO_ASCII, "ё": "е"})
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC_RE = re.compile(r"[а-яёәғқңөұүһі]")
STEM_LENGTH = 6
# A text is Kazakh when at least this share of its Cyrillic words has a Kazakh letter.
KAZAKH_SHARE = 0.1

# Kazakh endings, folded: case, plural, possessive, person, verb forms, and a few
# derivations (-лық "-ness", -сыз "without"). Stripped one after another from the end.
_KK_SUFFIXES = sorted(
    set(
        (
            # plural
            "лар лер дар дер тар тер "
            # case: genitive, dative, accusative, locative, ablative, instrumental
            "нын нин дын дин тын тин га ге ка ке на не ны ни ды ди ты ти "
            "да де та те нда нде дан ден тан тен нан нен мен бен пен "
            # possessive
            "ым им ын ин сы си ымыз имиз мыз миз ыныз иниз ныз низ "
            # person
            "мын мин бын бин пын пин сын син сыз сиз быз биз пыз пиз "
            # verbs: infinitive and verbal noun, participles, present, past, conditional,
            # negation, gerund
            "у уы уи ган ген кан кен атын етин итын итин мак мек бак бек пак пек "
            "ады еди иды иди амын емин имын имин асыз есиз исыз исиз амыз емиз имыз имиз "
            "дым дим тым тим дык дик тык тик са се сам сем сак сек "
            "ма ме ба бе па пе маи меи баи беи паи пеи ып ип "
            # derivation: -ness, -without, -with, agent
            "лык лик дык дик тык тик лы ли шы ши ы и"
        ).split()
    ),
    key=len,
    reverse=True,
)
# Kazakh roots are short, but a shorter rest is more often a cut root than a root.
_KK_MIN_ROOT = 4
_KK_VOICED_END = str.maketrans({"б": "п", "г": "к"})  # мектебі → мектеп, жүрегі → жүрек

_STOPWORDS = {
    # Words too common to tell topics apart, after folding.
    "и",
    "в",
    "на",
    "с",
    "по",
    "к",
    "о",
    "а",
    "не",
    "что",
    "как",
    "для",
    "у",
    "из",
    "за",
    "мне",
    "я",
    "ли",
    "это",
    "или",
    "бе",
    "да",
    "ма",
    "ме",
    "пе",
    "мен",
    "бул",
    "men",
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "is",
    "are",
    "do",
    "i",
    "my",
    "for",
    "and",
    "or",
    "can",
    "how",
    "what",
    "me",
    "it",
    "on",
    "at",
    "be",
    "with",
}


@lru_cache(maxsize=4)
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(language)


def fold(text: str) -> str:
    return text.lower().translate(_FOLD).translate(_LATIN_FOLD)


def _lower(text: str) -> str:
    """Lowercase, ё→е and Latin diacritics dropped, but ь, й and Kazakh letters kept."""
    return text.lower().translate(_LATIN_FOLD)


@lru_cache(maxsize=65536)
def stem_kk(word: str) -> str:
    """Kazakh stem of a lowercase word, folded and cut: endings off one after another."""
    base = word.translate(_FOLD)
    while True:
        for suffix in _KK_SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= _KK_MIN_ROOT:
                base = base[: -len(suffix)]
                base = base[:-1] + base[-1].translate(_KK_VOICED_END)
                break
        else:
            return base[:STEM_LENGTH]


@lru_cache(maxsize=65536)
def stem_ru(word: str) -> str:
    """Russian stem of a lowercase word (Snowball sees й and ь), folded and cut."""
    return str(_stemmer("russian").stemWord(word)).translate(_FOLD)[:STEM_LENGTH]


@lru_cache(maxsize=65536)
def stem_en(word: str) -> str:
    return str(_stemmer("english").stemWord(word))[:STEM_LENGTH]


def tokens(text: str) -> list[str]:
    """Lowercase words (ь, й and Kazakh letters kept) that can carry meaning."""
    return [
        w
        for w in _WORD_RE.findall(_lower(text))
        if len(w) > 1 and w.translate(_FOLD) not in _STOPWORDS
    ]


def index_terms(text: str) -> str:
    """Space-joined stems of a snippet's text, as stored for the search backends."""
    found = tokens(text)
    cyrillic = [w for w in found if _CYRILLIC_RE.search(w)]
    kazakh = sum(map(has_kazakh_letters, cyrillic)) >= KAZAKH_SHARE * len(cyrillic) > 0
    terms = []
    for word in found:
        if word.isdigit():
            terms.append(word)
        elif not _CYRILLIC_RE.search(word):
            terms.append(stem_en(word))
        elif kazakh or has_kazakh_letters(word):
            terms.append(stem_kk(word))
        else:
            terms.append(stem_ru(word))
    return " ".join(terms)


# Question words, particles and pronouns: they say how she asks, not what about. Dropped
# from queries only (the index keeps them, so its statistics stay those of the text).
_QUERY_STOPWORDS = {
    fold(w)
    for w in (
        # kk
        "қалай қандай қайда қайдан қашан қанша неше кім кімге неге қай ғой және үшін "
        "туралы маған мені менің ретінде керек ма ме ба бе па пе бола "
        # ru
        "где куда когда сколько какой какая какое какие кто мой моя моё мои моего моей "
        "моему моим меня мы нам нас вы ли же бы то этого этот эта ну здравствуйте "
        "пожалуйста подскажите скажите чтобы если можно нужно нужен нужна надо "
        "быть будет будут был была было были есть является "
        # en
        "am im our we you your please hello hi does did will should would could there "
        "this that if about get need not don doesn didn isn aren won cannot still just also "
        "much very"
    ).split()
} | _STOPWORDS


@dataclass(frozen=True)
class QueryWord:
    """One word of a query and the stems it may have in each language's index."""

    word: str
    latin: bool
    kk: tuple[str, ...]
    ru: tuple[str, ...]
    en: tuple[str, ...]

    def stems(self, lang: str) -> tuple[str, ...]:
        return self.kk if lang == "kk" else self.ru if lang == "ru" else self.en


def transliterations(word: str) -> list[str]:
    """Cyrillic readings of a Latin word; a word-initial e may stand for э or е."""
    first = transliterate(word)
    readings = [first]
    if first.startswith("е"):
        readings.append("э" + first[1:])
    if first.endswith("нг"):  # Kazakh ң typed as ng: "mening" → менің
        readings.append(first[:-1])
    return readings


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def query_words(text: str) -> list[QueryWord]:
    """The words of a query that can find something, each with its stems per language."""
    found: dict[str, QueryWord] = {}
    for word in _WORD_RE.findall(_lower(text)):
        folded = word.translate(_FOLD)
        if len(word) < 2 or folded in _QUERY_STOPWORDS or folded in found:
            continue
        if word.isdigit():
            found[folded] = QueryWord(folded, False, (word,), (word,), (word,))
        elif not _CYRILLIC_RE.search(word):
            own = stem_en(word)
            # "kak" is как: a stopword in Cyrillic even though not in English.
            readings = [
                r for r in transliterations(word) if r.translate(_FOLD) not in _QUERY_STOPWORDS
            ]
            # Latin words stand in kk/ru text too (egov, OSMS).
            found[folded] = QueryWord(
                folded,
                True,
                _unique([*map(stem_kk, readings), own] if readings else []),
                _unique([*map(stem_ru, readings), own] if readings else []),
                (own,),
            )
        else:
            # Without its Kazakh letters a Kazakh word looks Russian: try both stemmers.
            as_kk, as_ru = stem_kk(word), stem_ru(word)
            found[folded] = QueryWord(
                folded,
                False,
                _unique([as_kk, as_ru]),
                _unique([as_kk, as_ru] if has_kazakh_letters(word) else [as_ru]),
                (),
            )
    return list(found.values())
