"""The folding tokenizer: one spelling per word, offsets still on her text."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.folding_tokenizer import FoldingTokenizer, fold_tokens, transliterate


def _tokenize(text: str) -> list[tuple[str, int, int]]:
    tokenizer = FoldingTokenizer(FoldingTokenizer.get_default_config())
    message = Message({TEXT: text})
    return [(t.text, t.start, t.end) for t in tokenizer.tokenize(message, TEXT)]


def test_latin_kazakh_and_cyrillic_kazakh_give_the_same_tokens() -> None:
    cyrillic = [form for form, _, _ in _tokenize("Құжат қайдан аламын")]
    latin = [form for form, _, _ in _tokenize("kuzhat kaidan alamyn")]
    assert cyrillic == latin


def test_kazakh_typed_with_russian_letters_folds_like_kazakh() -> None:
    assert _tokenize("құжат")[0][0] == _tokenize("кужат")[0][0]


def test_latin_russian_is_transliterated() -> None:
    forms = [form for form, _, _ in _tokenize("kak zaregistrirovat rebenka v shkolu")]
    assert forms == ["как", "зарегистрироват", "ребенка", "в", "школу"]


def test_english_stays_english() -> None:
    forms = [form for form, _, _ in _tokenize("How do I register my child")]
    assert forms == ["how", "do", "i", "register", "my", "child"]


def test_offsets_point_at_her_words() -> None:
    text = "Almatyda  kuzhat"
    for form, start, end in _tokenize(text):
        assert text[start:end].lower() in ("almatyda", "kuzhat")
        assert form != text[start:end]


def test_only_the_text_is_folded() -> None:
    tokenizer = FoldingTokenizer(FoldingTokenizer.get_default_config())
    message = Message({TEXT: "kuzhat", INTENT: "child_documents"})
    assert [t.text for t in tokenizer.tokenize(message, INTENT)] == ["child_documents"]


def test_longest_latin_digraph_wins() -> None:
    assert transliterate("shchi") == "щи"
    assert transliterate("zhana") == "жана"
    assert fold_tokens("", []) == []
