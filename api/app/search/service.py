"""Search snippets in kk, ru and en: normalise the query, mend its words, find, rank.

1. The query's words get their stems per script (`normalize.query_words`).
2. Per language, each word is matched to terms of that language's index: the same
   stem; stems that are a prefix of one another or share their first five letters
   (other word forms, Kazakh endings the stemmer leaves); for a word the index does
   not know, close spellings (typos); and everyday words and abbreviations for the
   official ones (`synonyms`). Each term carries a similarity.
3. The engine (`backends`) finds candidate texts holding those terms; languages
   that cannot beat the answers found so far are skipped, and the commonest words
   of the query are not needed for a text to be found.
4. One scorer ranks every candidate, whichever engine found it: BM25F (title above
   body) with IDF from the index statistics held in memory; per query word, the
   best of its terms counts. The sum is divided by the weight of the whole query,
   so a text that answers all of her words wins, and scores of different languages
   compare: a language that knows only some of her words cannot win on those.

Scores run from 0 to 10 (`SCORE_SCALE`): about 1 means a tenth of what she asked
matched; a text answering every word in its body scores about 4, in its title more.
"""

from __future__ import annotations

import bisect
import difflib
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from app.i18n import SUPPORTED
from app.models import Snippet, SnippetText
from app.search.backends import Hit, backend_for, merge
from app.search.normalize import QueryWord, index_terms, query_words
from app.search.questions import QuestionIndex
from app.search.synonyms import table as synonym_table

log = logging.getLogger(__name__)

VOCAB_TTL_SECONDS = 30.0
STALE_CHECK_SAMPLE = 12
CLOSE_MATCH_CUTOFF = 0.75
# Ranking: BM25 constants, the title's weight against the body, the score's scale.
K1 = 1.2
B = 0.75
TITLE_WEIGHT = 3.0
# Her message as close as can be to one of a snippet's questions (cosine 1) adds this
# many points (search.questions; scripts/tune_ranking.py chose it). Below MIN_COSINE a
# question match is noise and does not bring a snippet in on its own.
QUESTION_WEIGHT = 4.0
MIN_COSINE = 0.2
SCORE_SCALE = 10.0
# Matching a query word to index terms.
MIN_TYPO = 3  # "ка" is not a typo of "как"
MIN_PREFIX = 4  # shorter stems are too ambiguous to stand for longer ones
SHARED_PREFIX = 5  # "тиркеи" (тіркеймін) and "тиркел" (тіркелу) share 5 letters
SIBLING_SIMILARITY = 0.7
TYPO_SIMILARITY = 0.9  # times difflib's ratio
SYNONYM_SIMILARITY = 0.85
SYNONYM_SOURCE = 0.9  # a word this close to a synonym's word counts as that word
MAX_TERMS_PER_WORD = 6
# A Latin word read as Kazakh or Russian is a guess; more so when it is English.
TRANSLITERATION_SIMILARITY = 0.9
ENGLISH_WORD_AS_CYRILLIC = 0.6
# Candidates the engine returns per language, before the scorer ranks them.
MIN_CANDIDATES = 60
# Words worth together this share of the query need not be in a text for it to be found.
TAIL_SHARE = 0.25


@dataclass(frozen=True)
class Result:
    snippet_id: str
    topic: str
    lang: str
    score: float


Terms = tuple[str, ...]  # one index term, or the terms of a many-word synonym


@dataclass(frozen=True)
class WordPlan:
    """A query word in one language: its weight and the index terms that stand for it."""

    weight: float
    terms: tuple[tuple[Terms, float], ...]  # (terms, similarity), most similar first


class LangIndex:
    """Statistics of one language's indexed texts: document frequencies and lengths."""

    def __init__(self, lang: str, df: Counter[str], docs: int, total_length: int) -> None:
        self.lang = lang
        self.df: dict[str, int] = dict(df)
        self.docs = max(docs, 1)
        self.avg_length = max(total_length / self.docs, 1.0)
        self.sorted_terms = sorted(self.df)
        self.by_first: dict[str, list[str]] = {}
        for term in self.sorted_terms:
            self.by_first.setdefault(term[:1], []).append(term)
        self.max_idf = self.idf_of(1)
        self._cache: dict[str, tuple[tuple[Terms, float], ...]] = {}

    def idf_of(self, df: float) -> float:
        return math.log(1.0 + (self.docs - df + 0.5) / (df + 0.5))

    def df_of(self, terms: Terms) -> int:
        return min(self.df.get(t, 0) for t in terms)

    def _starting_with(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.sorted_terms, prefix)
        end = bisect.bisect_left(self.sorted_terms, prefix + "\uffff", lo=start)
        return self.sorted_terms[start:end]

    def alternatives(self, stem: str) -> tuple[tuple[Terms, float], ...]:
        """Index terms that may stand for `stem`, most similar first."""
        cached = self._cache.get(stem)
        if cached is None:
            if len(self._cache) > 50_000:
                self._cache.clear()
            cached = self._cache[stem] = self._find_alternatives(stem)
        return cached

    def _find_alternatives(self, stem: str) -> tuple[tuple[Terms, float], ...]:
        found: dict[str, float] = {}
        if stem in self.df:
            found[stem] = 1.0
        if len(stem) >= MIN_PREFIX:
            # Another form of the word: one stem is the start of the other.
            for term in self._starting_with(stem):
                found.setdefault(term, _prefix_similarity(stem, term))
            for end in range(len(stem) - 1, MIN_PREFIX - 1, -1):
                if stem[:end] in self.df:
                    found.setdefault(stem[:end], _prefix_similarity(stem[:end], stem))
            if len(stem) > SHARED_PREFIX:
                for term in self._starting_with(stem[:SHARED_PREFIX]):
                    found.setdefault(term, SIBLING_SIMILARITY)
        if stem not in self.df and len(stem) >= MIN_TYPO:
            # A typo: same first letter (typos rarely hit it), similar length.
            candidates = [
                t
                for t in self.by_first.get(stem[:1], [])
                if abs(len(t) - len(stem)) <= 2 and len(t) >= MIN_TYPO
            ]
            matcher = difflib.SequenceMatcher(b=stem, autojunk=False)
            for term in difflib.get_close_matches(stem, candidates, n=3, cutoff=CLOSE_MATCH_CUTOFF):
                matcher.set_seq1(term)
                similarity = TYPO_SIMILARITY * matcher.ratio()
                found[term] = max(found.get(term, 0.0), similarity)
        alternatives: dict[Terms, float] = {(t,): sim for t, sim in found.items()}
        # Her everyday word or abbreviation for the text's word (synonyms.GROUPS).
        synonyms = synonym_table(self.lang)
        for source in {stem} | {t for t, sim in found.items() if sim >= SYNONYM_SOURCE}:
            weight = found.get(source, 1.0) * SYNONYM_SIMILARITY
            for terms in synonyms.get(source, ()):
                if all(t in self.df for t in terms):
                    alternatives[terms] = max(alternatives.get(terms, 0.0), weight)
        best = sorted(alternatives.items(), key=lambda kv: (-kv[1], -self.df_of(kv[0]), kv[0]))
        return tuple(best[:MAX_TERMS_PER_WORD])

    def plan(self, stems: Sequence[str], certainty: float = 1.0) -> WordPlan | None:
        """How a query word (given its possible stems) is looked for in this language."""
        found: dict[Terms, float] = {}
        for stem in stems:
            for terms, similarity in self.alternatives(stem):
                found[terms] = max(found.get(terms, 0.0), certainty * similarity)
        if not found:
            return None
        ranked = sorted(found.items(), key=lambda kv: (-kv[1], -self.df_of(kv[0]), kv[0]))[
            :MAX_TERMS_PER_WORD
        ]
        # The word weighs as rare as the texts it finds, all its forms together: a
        # rare form of a common word ("подавать" beside "подать") is not a rare word.
        found_in = min(sum(sim * self.df_of(terms) for terms, sim in ranked), self.docs)
        return WordPlan(self.idf_of(found_in), tuple(ranked))


def _prefix_similarity(short: str, long: str) -> float:
    return 0.6 + 0.4 * len(short) / len(long)


class _Vocabulary:
    """Index statistics of one database, held in memory and refreshed when it changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.langs: dict[str, LangIndex] = {}
        self.questions = QuestionIndex(())
        self._stamp: tuple[object, ...] | None = None
        self._checked = 0.0

    def refresh(self, session: Session) -> None:
        now = time.monotonic()
        if now - self._checked < VOCAB_TTL_SECONDS and self._stamp is not None:
            return
        stamp = tuple(session.execute(select(func.count(), func.max(Snippet.updated_at))).one())
        with self._lock:
            self._checked = now
            if stamp == self._stamp:
                return
            df: dict[str, Counter[str]] = {}
            docs: Counter[str] = Counter()
            lengths: Counter[str] = Counter()
            rows = session.execute(
                select(
                    SnippetText.snippet_id,
                    SnippetText.lang,
                    SnippetText.title,
                    SnippetText.questions,
                    SnippetText.search_title,
                    SnippetText.search_body,
                )
                .join(Snippet)
                .where(Snippet.status == "approved")
            ).all()
            for _, lang, _, _, title, body in rows:
                terms = f"{title} {body}".split()
                df.setdefault(lang, Counter()).update(set(terms))
                docs[lang] += 1
                lengths[lang] += len(terms)
            self.langs = {lang: LangIndex(lang, df[lang], docs[lang], lengths[lang]) for lang in df}
            self.questions = QuestionIndex((r[0], r[1], r[2], r[3]) for r in rows)
            self._stamp = stamp

    def invalidate(self) -> None:
        with self._lock:
            self._stamp = None
            self._checked = 0.0


def index_is_stale(session: Session) -> bool:
    """Were the stored stems made by another version of `normalize.index_terms`?"""
    sample = session.execute(
        select(
            SnippetText.title, SnippetText.body, SnippetText.search_title, SnippetText.search_body
        )
        .order_by(SnippetText.snippet_id, SnippetText.lang)
        .limit(STALE_CHECK_SAMPLE)
    )
    return any(
        index_terms(title) != stored_title or index_terms(body) != stored_body
        for title, body, stored_title, stored_body in sample
    )


def rebuild_index(session: Session) -> int:
    """Re-make every text's stems and the engine's index (the caller commits).

    Sync only re-indexes snippets whose content changed, so when `index_terms` changes
    (a new release) sync calls this once: see `index_is_stale`. Returns texts redone.
    """
    texts = session.execute(
        select(SnippetText.snippet_id, SnippetText.lang, SnippetText.title, SnippetText.body)
    ).all()
    log.warning("search index made by another normalisation; re-indexing %d texts", len(texts))
    for start in range(0, len(texts), 1000):
        session.execute(
            update(SnippetText),
            [
                {
                    "snippet_id": t.snippet_id,
                    "lang": t.lang,
                    "search_title": index_terms(t.title),
                    "search_body": index_terms(t.body),
                }
                for t in texts[start : start + 1000]
            ],
        )
    session.flush()
    backend_for(session.get_bind().dialect.name).reindex(
        session, session.scalars(select(Snippet.id)).all()
    )
    return len(texts)


class _Vocabularies:
    """One vocabulary per database, so a process may serve (or measure) several."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_db: dict[str, _Vocabulary] = {}

    def for_session(self, session: Session) -> _Vocabulary:
        bind = session.get_bind()
        engine = bind.engine if isinstance(bind, Connection) else bind
        key = engine.url.render_as_string(hide_password=True)
        with self._lock:
            vocab = self._by_db.get(key)
            if vocab is None:
                vocab = self._by_db[key] = _Vocabulary()
        vocab.refresh(session)
        return vocab

    def invalidate(self) -> None:
        """The knowledge changed (sync): re-read the statistics on the next search."""
        with self._lock:
            vocabs = list(self._by_db.values())
        for vocab in vocabs:
            vocab.invalidate()


vocabulary = _Vocabularies()


@dataclass(frozen=True)
class _LangQuery:
    words: tuple[WordPlan, ...]
    norm: float  # the weight of the whole query in this language

    @property
    def ceiling(self) -> float:
        """The best score a text in this language could reach: every word found in full."""
        return SCORE_SCALE * sum(_worth(w) for w in self.words) / self.norm

    def terms(self) -> dict[str, float]:
        """The terms the engine looks for.

        The commonest words, worth together at most TAIL_SHARE of the query, cannot make
        a text an answer on their own: a text need not hold them to be found (it is still
        scored on them). This keeps "ребенок" or "бала" from dragging in half the corpus.
        """
        total = sum(_worth(w) for w in self.words)
        tail = 0.0
        carrying: list[WordPlan] = []
        for i, word in enumerate(sorted(self.words, key=_worth)):
            if tail + _worth(word) <= TAIL_SHARE * total and i < len(self.words) - 1:
                tail += _worth(word)
            else:
                carrying.append(word)
        weights: dict[str, float] = {}
        for word in carrying:
            for terms, similarity in word.terms:
                for term in terms:
                    weight = word.weight * similarity / len(terms)
                    weights[term] = max(weights.get(term, 0.0), weight)
        return weights


def _worth(word: WordPlan) -> float:
    return word.weight * word.terms[0][1]


def _plan(
    qwords: Sequence[QueryWord], langs: Sequence[str], vocab: _Vocabulary
) -> dict[str, _LangQuery]:
    plans: dict[str, list[WordPlan | None]] = {}
    for lang in langs:
        index = vocab.langs.get(lang)
        if index is None:
            continue
        plans[lang] = [index.plan(w.stems(lang), _certainty(w, lang, vocab)) for w in qwords]
    # A word no language knows tells nothing; one that only some know weighs, in the
    # others, as much as their rarest word: those texts do not answer it.
    known = [any(p[i] is not None for p in plans.values()) for i in range(len(qwords))]
    queries: dict[str, _LangQuery] = {}
    for lang, word_plans in plans.items():
        found = tuple(p for p in word_plans if p is not None)
        if not found:
            continue
        # A word found only as a guess (a typo, a transliteration) counts in part as
        # not found, so a language that merely resembles her words does not win.
        max_idf = vocab.langs[lang].max_idf
        norm = sum(
            max_idf if p is None else p.weight * p.terms[0][1] + max_idf * (1 - p.terms[0][1])
            for p, k in zip(word_plans, known, strict=True)
            if k
        )
        queries[lang] = _LangQuery(found, norm)
    return queries


def _certainty(word: QueryWord, lang: str, vocab: _Vocabulary) -> float:
    """How likely a Latin word is meant as Cyrillic Kazakh or Russian: less if English."""
    if not word.latin or lang == "en":
        return 1.0
    english = vocab.langs.get("en")
    if english is not None and any(stem in english.df for stem in word.en):
        return ENGLISH_WORD_AS_CYRILLIC
    return TRANSLITERATION_SIMILARITY


def _score(hit: Hit, query: _LangQuery, index: LangIndex) -> float:
    title = hit.title.split()
    body = hit.body.split()
    title_tf = Counter(title)
    body_tf = Counter(body)
    length = len(title) + len(body)
    k = K1 * (1.0 - B + B * length / index.avg_length)
    total = 0.0
    for word in query.words:
        best = 0.0
        for terms, similarity in word.terms:
            if similarity <= best:
                break  # most similar first: nothing after can beat a full match
            found = 0.0
            for term in terms:
                tf = TITLE_WEIGHT * title_tf.get(term, 0) + body_tf.get(term, 0)
                found += tf / (tf + k)
            best = max(best, similarity * found / len(terms))
        total += word.weight * best
    return SCORE_SCALE * total / query.norm if query.norm else 0.0


def search(
    session: Session, query: str, *, lang: str | None = None, limit: int = 5
) -> list[Result]:
    qwords = query_words(query)
    if not qwords:
        return []
    vocab = vocabulary.for_session(session)
    plans = _plan(qwords, [lang] if lang else SUPPORTED, vocab)
    if not plans:
        return []
    backend = backend_for(session.get_bind().dialect.name)
    asked = {code: vocab.questions.match(query, code) for code in plans}
    bonus = {code: QUESTION_WEIGHT * max(m.values(), default=0.0) for code, m in asked.items()}
    hits: list[Hit] = []
    # Most promising language first; one whose best possible score cannot reach the
    # answers found so far is not asked at all.
    for code, plan in sorted(plans.items(), key=lambda kv: -(kv[1].ceiling + bonus[kv[0]])):
        if len(hits) >= limit and plan.ceiling + bonus[code] <= hits[-1].score:
            continue
        found = backend.search(session, code, plan.terms(), max(MIN_CANDIDATES, limit * 10))
        matches = asked[code]
        scored = {
            h.snippet_id: _score(h, plan, vocab.langs[code])
            + QUESTION_WEIGHT * matches.get(h.snippet_id, 0.0)
            for h in found
        }
        # A snippet whose question she nearly wrote is a candidate even without her words.
        for snippet_id, cosine in matches.items():
            if snippet_id not in scored and cosine >= MIN_COSINE:
                scored[snippet_id] = QUESTION_WEIGHT * cosine
        hits = merge([*hits, *(Hit(sid, code, sc) for sid, sc in scored.items() if sc > 0)], limit)
    if not hits:
        return []
    topics = dict(
        session.execute(
            select(Snippet.id, Snippet.topic).where(Snippet.id.in_([h.snippet_id for h in hits]))
        ).all()
    )
    return [Result(h.snippet_id, topics[h.snippet_id], h.lang, round(h.score, 4)) for h in hits]
