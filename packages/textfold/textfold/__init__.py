"""One spelling for the ways people in Kazakhstan type Kazakh, Russian and English.

The emergency detector (bot/safety/detector.py), the bot's folding tokenizer
(bot/components/folding_tokenizer.py) and the API's search (api/app/search/normalize.py)
all read "кужат", "qujat" and "құжат" as one word. They used to carry a table each, and
the tables had drifted apart; this package is the one table. It imports nothing but the
standard library, so both environments (Python 3.10 for Rasa, 3.11 for the API) install it.

- `KAZAKH_TO_RUSSIAN`: the Kazakh letters people type as Russian ones when they have no
  Kazakh keyboard (ә→а, қ→к, ...), and ё→е.
- `LATIN_TO_ASCII`: Latin letters with diacritics (the Kazakh Latin alphabets of 2018 and
  2021, Turkish- and Czech-style transliteration) as plain ASCII; apostrophes (the 2017
  alphabet's "a'", "b'et") and invisible characters removed.
- `LATIN_TO_CYRILLIC`: chat Latin read back as Cyrillic (qujat → кужат), longest first.

Where the three copies disagreed, the choice was measured (README "Measurements",
2026-12-07): `ı` is `i` (Kazakh Latin 2018 writes й and и with it: qalaı, qaıda), `c` is
ц before e and i and к elsewhere, `x` is х, and `y` after a vowel is й.
"""

from __future__ import annotations

import re
import unicodedata

KAZAKH_LETTERS = frozenset("әғқңөұүһі")

# Each letter of the first string as the one below it in the second.
KAZAKH_TO_RUSSIAN = dict(zip("әғқңөұүһіё", "агкноуухие", strict=True))

LATIN_TO_ASCII = {
    # Kazakh Latin 2018 and 2021, Turkish- and Czech-style transliteration. ı is i: the
    # 2018 alphabet writes й and и with it (qalaı, qaıda); ý is у in the 2018 alphabet.
    **dict(zip("áàâäãåǵğıíìîïńñňóòôöõúùûüūýéèêë", "aaaaaaggiiiiinnnooooouuuuuueeee", strict=True)),
    **dict.fromkeys("şš", "sh"),
    **dict.fromkeys("çč", "ch"),
    "ž": "zh",
    # the combining dot left by "İ".lower(), apostrophes and look-alikes, invisible
    # characters (zero-width spaces and joiners, soft hyphen, byte order mark): removed
    **dict.fromkeys("\u0307'’‘ʼ`´ʻ′\u200b\u200c\u200d\u00ad\ufeff", ""),
}

# Longest first: a digraph wins over its first letter ("shch" before "sh", "zh" before
# "z"). The result keeps й, so a Russian stemmer still sees "какой" in "kakoy".
LATIN_TO_CYRILLIC = (
    ("shch", "щ"),
    ("sch", "щ"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("zh", "ж"),
    ("kh", "х"),
    ("gh", "г"),
    ("ts", "ц"),
    ("ya", "я"),
    ("yu", "ю"),
    ("ye", "е"),
    ("yo", "е"),
    ("ia", "я"),
    ("iu", "ю"),
    # y after a vowel is й: "detskiy", "isteymin", "kakoy".
    ("ay", "ай"),
    ("ey", "ей"),
    ("iy", "ий"),
    ("oy", "ой"),
    ("uy", "уй"),
    # c is ц before a front vowel, к elsewhere.
    ("ce", "це"),
    ("ci", "ци"),
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
)

_KAZAKH_TABLE = str.maketrans(KAZAKH_TO_RUSSIAN)
_LATIN_TABLE = str.maketrans(LATIN_TO_ASCII)
_BOTH_TABLE = str.maketrans({**KAZAKH_TO_RUSSIAN, **LATIN_TO_ASCII})
_CYRILLIC_FOR = dict(LATIN_TO_CYRILLIC)
_LATIN_RUN = re.compile("|".join(re.escape(latin) for latin, _ in LATIN_TO_CYRILLIC))


def has_kazakh_letters(text: str) -> bool:
    return not KAZAKH_LETTERS.isdisjoint(text)


def fold_kazakh(text: str) -> str:
    """Kazakh letters as the Russian ones people type instead, ё as е; nothing else."""
    return text.translate(_KAZAKH_TABLE)


def fold_latin(text: str) -> str:
    """Latin diacritics as ASCII, apostrophes and invisible characters removed."""
    return text.translate(_LATIN_TABLE)


def fold(text: str) -> str:
    """NFC, lowercase, both folds above, runs of white space as one space: the form the
    emergency lexicon is written for, and the tokenizer's starting point."""
    text = unicodedata.normalize("NFC", text).lower().translate(_BOTH_TABLE)
    return " ".join(text.split())


def transliterate(word: str) -> str:
    """Lowercase Latin (Kazakh 2021, chat Latin, Russian transliteration) as Cyrillic;
    other characters stay as they are."""
    return _LATIN_RUN.sub(lambda m: _CYRILLIC_FOR[m.group(0)], word)
