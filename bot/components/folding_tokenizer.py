"""Whitespace tokens in one spelling, so the classifier learns a word once, not four times.

People write the same Kazakh or Russian word as "құжат", "кужат", "qujat" or "kuzhat".
This tokenizer splits like Rasa's WhitespaceTokenizer, then gives each token of the
message text a folded form: lowercase, Kazakh letters as the Russian ones people type
instead, and, when the message is Kazakh or Russian typed in Latin letters, transliterated
to Cyrillic: the tables of packages/textfold, which the emergency detector and the API's
search read too. The tokens keep their offsets in the text
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
from textfold import fold, transliterate

from common.language import detect

_LATIN_WORD = re.compile(r"[a-z]")


def fold_tokens(text: str, tokens: list[str]) -> list[str]:
    """The folded form of each token of `text`."""
    latin_kk_or_ru = bool(_LATIN_WORD.search(text.lower())) and detect(text) in ("kk", "ru")
    folded = []
    for token in tokens:
        form = fold(token)
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
