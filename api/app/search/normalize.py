"""Turn text into search terms that survive how people really type.

Both the indexed snippets and the query go through the same steps, so a
mother who types Kazakh without its letters ("кужат" for "құжат"), in Latin
letters ("qujat", "kujat"), with a typo, or in another word form still meets
the snippet's terms:

1. lowercase; Kazakh-only letters fold to the Russian letters people type in
   their place (ә→а, қ→к, ң→н, ғ→г, ө→о, ұ/ү→у, һ→х, і→и), ё→е, ь/ъ dropped;
2. Latin words are also transliterated into Cyrillic (Kazakh 2021 Latin,
   ad-hoc chat Latin and Russian transliteration) so they meet kk/ru text;
3. words are stemmed (Snowball for ru/en, a suffix list for Kazakh) and cut
   to a fixed length, which absorbs most inflection.

Typos are handled by the search service against the index vocabulary.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

_FOLD = str.maketrans(
    {
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "ё": "е",
        "й": "и",
        "ь": "",
        "ъ": "",
    }
)
_LATIN_FOLD = str.maketrans(
    {
        "á": "a",
        "ä": "a",
        "ǵ": "g",
        "ğ": "g",
        "ń": "n",
        "ñ": "n",
        "ó": "o",
        "ö": "o",
        "ú": "u",
        "ü": "u",
        "ý": "u",
        "ı": "y",
        "ş": "sh",
        "ç": "ch",
        "'": "",
        "’": "",
    }
)
# Longest first: a digraph must win over its first letter.
_TRANSLIT = [
    ("shch", "щ"),
    ("sch", "щ"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
    ("ya", "я"),
    ("yu", "ю"),
    ("ye", "е"),
    ("yo", "е"),
    ("ia", "я"),
    ("a", "а"),
    ("b", "б"),
    ("c", "к"),
    ("d", "д"),
    ("e", "е"),
    ("f", "ф"),
    ("g", "г"),
    ("h", "х"),
    ("i", "и"),
    ("j", "ж"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("q", "к"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("v", "в"),
    ("w", "у"),
    ("x", "х"),
    ("y", "ы"),
    ("z", "з"),
]
_TRANSLIT_RE = re.compile("|".join(src for src, _ in _TRANSLIT))
_TRANSLIT_MAP = dict(_TRANSLIT)
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC_RE = re.compile(r"[а-я]")
# Kazakh endings after folding (case, plural, possessive, verb forms), longest first.
_KK_SUFFIXES = sorted(
    {
        "лардын",
        "лердин",
        "дардын",
        "тардын",
        "ларга",
        "лерге",
        "ларды",
        "лерди",
        "ларда",
        "лерде",
        "лардан",
        "лерден",
        "ынан",
        "инен",
        "ына",
        "ине",
        "нын",
        "нин",
        "дын",
        "дин",
        "тын",
        "тин",
        "ган",
        "ген",
        "кан",
        "кен",
        "дан",
        "ден",
        "тан",
        "тен",
        "нан",
        "нен",
        "лар",
        "лер",
        "дар",
        "дер",
        "тар",
        "тер",
        "ды",
        "ди",
        "ты",
        "ти",
        "ны",
        "ни",
        "га",
        "ге",
        "ка",
        "ке",
        "на",
        "не",
        "да",
        "де",
        "та",
        "те",
        "мен",
        "бен",
        "пен",
        "сыз",
        "сиз",
        "ым",
        "им",
        "ын",
        "ин",
        "сы",
        "си",
        "уге",
        "уга",
    },
    key=len,
    reverse=True,
)
STEM_LENGTH = 6
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


def transliterate(word: str) -> str:
    """Latin word → Cyrillic, the way chat Latin maps back (qujat → куjат → куждат)."""
    return _TRANSLIT_RE.sub(lambda m: _TRANSLIT_MAP[m.group(0)], word)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if _CYRILLIC_RE.search(word):
        base = str(_stemmer("russian").stemWord(word))
        for suffix in _KK_SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= 3:
                base = base[: -len(suffix)]
                break
    else:
        base = str(_stemmer("english").stemWord(word))
    return base[:STEM_LENGTH]


def words(text: str) -> list[str]:
    return [w for w in _WORD_RE.findall(fold(text)) if w not in _STOPWORDS and len(w) > 1]


def index_terms(text: str) -> str:
    """Space-joined stems of a snippet's text, as stored for the search backends."""
    return " ".join(stem(w) for w in words(text))


def query_terms(text: str) -> tuple[list[str], list[str]]:
    """Stems to look for in (kk/ru text, en text). Latin words count for both."""
    cyrillic: list[str] = []
    latin: list[str] = []
    for word in words(text):
        if word.isascii() and word.isalpha():
            latin.append(stem(word))
            cyrillic.append(stem(transliterate(word)))
        elif not word.isdigit():
            cyrillic.append(stem(word))
    return list(dict.fromkeys(cyrillic)), list(dict.fromkeys(latin))
