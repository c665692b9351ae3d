"""Her message against the questions each snippet answers (knowledge `questions:`).

Words are matched by their letters, not their stems: the character n-grams (2 to 5
letters, within words) of her message and of each question, weighted by TF-IDF, and
compared by cosine. A misspelt word, a missing Kazakh letter, a Kazakh ending the stemmer
does not know still share most of their n-grams with the right question. A Kazakh or
Russian word typed in Latin letters is also read in Cyrillic. A snippet's match is its
best question (its title counts as one). Pure Python: a few thousand short questions
fit in memory, and one message meets a few hundred of them through the n-grams they share.

Chosen by measurement (scripts/tune_ranking.py, README "Measurements"): on the relevance
benchmark's half kept for choosing, with the topic given, picking a topic's snippet by
this match was right more often than by the stem search (BM25) alone.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from textfold import transliterate

from app.search.normalize import fold

MIN_N, MAX_N = 2, 5
_WORD = re.compile(r"[^\W_]+")
_LATIN = re.compile(r"[a-z]")


def ngrams(text: str, lang: str) -> Counter[str]:
    words = _WORD.findall(fold(text))
    if lang != "en":
        words += [transliterate(w) for w in words if _LATIN.search(w)]
    grams: Counter[str] = Counter()
    for word in words:
        padded = f" {word} "
        for n in range(MIN_N, MAX_N + 1):
            grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


class QuestionIndex:
    """TF-IDF vectors of every question, per language, with an inverted index."""

    def __init__(self, rows: Iterable[tuple[str, str, str, str]]) -> None:
        """rows: (snippet id, lang, title, questions one per line) of approved snippets."""
        raw: dict[str, list[tuple[str, Counter[str]]]] = defaultdict(list)
        for snippet_id, lang, title, questions in rows:
            for question in [title, *questions.split("\n")]:
                if question.strip():
                    raw[lang].append((snippet_id, ngrams(question, lang)))
        self._idf: dict[str, dict[str, float]] = {}
        self._docs: dict[str, list[str]] = {}
        self._postings: dict[str, dict[str, list[tuple[int, float]]]] = {}
        for lang, docs in raw.items():
            df = Counter(g for _, grams in docs for g in grams)
            idf = {g: math.log((1 + len(docs)) / (1 + n)) + 1.0 for g, n in df.items()}
            postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
            for i, (_, grams) in enumerate(docs):
                for g, w in _unit(grams, idf).items():
                    postings[g].append((i, w))
            self._idf[lang] = idf
            self._docs[lang] = [snippet_id for snippet_id, _ in docs]
            self._postings[lang] = dict(postings)

    def match(self, text: str, lang: str) -> dict[str, float]:
        """Snippet id -> cosine of her message with its closest question (0 to 1)."""
        idf = self._idf.get(lang)
        if not idf:
            return {}
        query = _unit(ngrams(text, lang), idf)
        sums: dict[int, float] = defaultdict(float)
        postings = self._postings[lang]
        for g, w in query.items():
            for i, dw in postings.get(g, ()):
                sums[i] += w * dw
        best: dict[str, float] = {}
        for i, cosine in sums.items():
            snippet_id = self._docs[lang][i]
            if cosine > best.get(snippet_id, 0.0):
                best[snippet_id] = cosine
        return best


def _unit(grams: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """Sublinear TF times IDF, to unit length; n-grams no question has are dropped."""
    weights = {g: (1.0 + math.log(n)) * idf[g] for g, n in grams.items() if g in idf}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {g: w / norm for g, w in weights.items()}
