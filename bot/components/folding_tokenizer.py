"""Whitespace tokens in one spelling, so the classifier learns a word once, not four times.

People write the same Kazakh or Russian word as "құжат", "кужат", "qujat" or "kuzhat".
This tokenizer splits like Rasa's WhitespaceTokenizer, then gives each token of the
message text a folded form: lowercase, Kazakh letters as the Russian ones people type
instead (the emergency detector's fold), and, when the message is Kazakh or Russian typed
in Latin letters, transliterated to Cyrillic. The tokens keep their offsets in the text
as she wrote it, so entities still point at her words. English stays as it is.
й is folded into и, as Latin spellings cannot tell them apart.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from actions.language import detect
from safety.detector import normalise

# Longest first: "shch" before "sh", "zh" before "z".
_LATIN_TO_CYRILLIC = [
    ("shch", "щ"),
    ("sch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("ts", "ц"),
    ("yu", "ю"),
    ("iu", "ю"),
    ("ya", "я"),
    ("ia", "я"),
    ("yo", "е"),
    ("ye", "е"),
    ("a", "а"),
    ("b", "б"),
    ("c", "ц"),
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
    ("x", "кс"),
    ("y", "ы"),
    ("z", "з"),
]
_LATIN_PATTERN = re.compile("|".join(re.escape(latin) for latin, _ in _LATIN_TO_CYRILLIC))
_CYRILLIC_FOR = dict(_LATIN_TO_CYRILLIC)
_LATIN_WORD = re.compile(r"[a-z]")


def transliterate(word: str) -> str:
    """Latin Kazakh or Russian -> Cyrillic (folded); other characters stay."""
    return _LATIN_PATTERN.sub(lambda m: _CYRILLIC_FOR[m.group(0)], word)


def fold_tokens(text: str, tokens: list[str]) -> list[str]:
    """The folded form of each token of `text`."""
    latin_kk_or_ru = bool(_LATIN_WORD.search(text.lower())) and detect(text) in ("kk", "ru")
    folded = []
    for token in tokens:
        form = normalise(token)
        if latin_kk_or_ru:
            form = transliterate(form)
        # Latin "i" stands for both и and й: fold them together (қайдан = kaidan).
        folded.append(form.replace("й", "и") or token)
    return folded


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class FoldingTokenizer(WhitespaceTokenizer):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return WhitespaceTokenizer.get_default_config()

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        if attribute != TEXT or not tokens:
            return tokens
        forms = fold_tokens(message.get(TEXT) or "", [t.text for t in tokens])
        return [
            Token(form, t.start, t.end, data=t.data, lemma=form)
            for t, form in zip(tokens, forms, strict=True)
        ]
