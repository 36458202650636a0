"""The baselines every product figure is printed beside.

- ranking: bm25s (BM25 in NumPy sparse matrices) and SQLite FTS5 (its built-in bm25()), both
  fed the text analysed by the product's analyser, so that Chinese is segmented the same way;
  exact dense search (a NumPy matrix product over the same vectors) for the HNSW index;
- IPC suggestion: TF-IDF + a linear SVM, and BM25 k-nearest neighbours (bm25s);
- phrase similarity: TF-IDF cosine on character n-grams.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

Analyser = Callable[[str], list[str]]


# --- analysis ----------------------------------------------------------------------------------


def analysers() -> tuple[Analyser, Analyser]:
    """The product's analyser for documents and for queries (ipcenter.search.analysis): the
    baselines index and look up exactly the terms the product's BM25 index does."""
    from ipcenter.search.analysis import analyze, analyze_query

    return analyze, analyze_query


# --- ranking baselines -------------------------------------------------------------------------


class Bm25sIndex:
    """bm25s over pre-analysed documents."""

    name = "bm25s"

    def __init__(self) -> None:
        import bm25s

        self._retriever = bm25s.BM25()

    def build(self, documents: Iterable[list[str]]) -> None:
        """Index documents given as term lists; terms become ids on the way in (a list of
        strings per document would take ten times the memory: about 25 GB at 1M documents)."""
        vocabulary: dict[str, int] = {}
        ids = [
            np.fromiter((vocabulary.setdefault(term, len(vocabulary)) for term in terms), np.int32)
            for terms in documents
        ]
        vocabulary.setdefault("", len(vocabulary))  # what unknown query terms map to
        self._retriever.index((ids, vocabulary), create_empty_token=False, show_progress=False)

    def search(self, tokens: list[str], k: int = 10) -> list[int]:
        k = min(k, int(self._retriever.scores["num_docs"]))
        result = self._retriever.retrieve([tokens or [""]], k=k, show_progress=False)
        ids, scores = result.documents[0], result.scores[0]
        return [int(i) for i, s in zip(ids, scores, strict=True) if s > 0]


class Fts5Index:
    """SQLite FTS5 over pre-analysed documents (tokens joined by spaces), ranked by bm25()."""

    name = "SQLite FTS5"

    def __init__(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        self.path = path
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='unicode61')")

    def build(self, documents: Iterable[list[str]]) -> None:
        rows = ((i, " ".join(tokens)) for i, tokens in enumerate(documents))
        with self._db:
            self._db.executemany("INSERT INTO docs(rowid, body) VALUES (?, ?)", rows)
        self._db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        self._db.commit()

    def search(self, tokens: list[str], k: int = 10) -> list[int]:
        terms = list(dict.fromkeys(t.replace('"', "") for t in tokens if t.strip('"')))
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        rows = self._db.execute(
            "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT ?", (match, k)
        )
        return [int(row[0]) for row in rows]

    def close(self) -> None:
        self._db.close()


class ExactDense:
    """Exact cosine search: one matrix product over all the (unit) vectors."""

    name = "exact (NumPy)"

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors

    def search(self, query: np.ndarray, k: int = 10) -> list[int]:
        scores = self.vectors @ query
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        return [int(i) for i in top[np.argsort(-scores[top])]]


# --- IPC suggestion baselines ------------------------------------------------------------------


class TfidfSvm:
    """TF-IDF (word uni- and bigrams for English; character 1-2-grams for Chinese) and a linear
    SVM, one class per main subclass; labels ranked by the decision function."""

    def __init__(self, lang: str) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        self.name = "TF-IDF + linear SVM"
        if lang == "zh":
            self._vectorizer = TfidfVectorizer(
                analyzer="char", ngram_range=(1, 2), sublinear_tf=True, min_df=2
            )
        else:
            self._vectorizer = TfidfVectorizer(
                ngram_range=(1, 2), sublinear_tf=True, min_df=2, stop_words="english"
            )
        self._model = LinearSVC(C=0.5)

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> TfidfSvm:
        self._model.fit(self._vectorizer.fit_transform(texts), labels)
        return self

    def rank(self, texts: Sequence[str], k: int = 5) -> list[list[str]]:
        scores = self._model.decision_function(self._vectorizer.transform(texts))
        if scores.ndim == 1:  # two classes
            scores = np.stack([-scores, scores], axis=1)
        classes = self._model.classes_
        order = np.argsort(-scores, axis=1)[:, :k]
        return [[str(classes[i]) for i in row] for row in order]


class Bm25Knn:
    """BM25 k-nearest neighbours: the document is the query against the training documents
    (bm25s), and each of the top ``neighbours`` votes for its main subclass with its score."""

    def __init__(self, neighbours: int = 20) -> None:
        self.name = "BM25 kNN (bm25s)"
        self._analyse, self._analyse_query = analysers()
        self._neighbours = neighbours
        self._index = Bm25sIndex()
        self._labels: list[str] = []

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> Bm25Knn:
        self._index.build(self._analyse(text) for text in texts)
        self._labels = list(labels)
        return self

    def rank(self, texts: Sequence[str], k: int = 5) -> list[list[str]]:
        out = []
        for text in texts:
            tokens = self._analyse(text) or [""]
            result = self._index._retriever.retrieve(
                [tokens], k=self._neighbours, show_progress=False
            )
            votes: dict[str, float] = defaultdict(float)
            for i, score in zip(result.documents[0], result.scores[0], strict=True):
                votes[self._labels[int(i)]] += float(score)
            out.append(sorted(votes, key=lambda label: -votes[label])[:k])
        return out


def majority_labels(labels: Sequence[str], k: int = 5) -> list[str]:
    return [label for label, _ in Counter(labels).most_common(k)]


# --- phrase similarity baseline ----------------------------------------------------------------


def tfidf_cosine(pairs: Sequence[tuple[str, str]], fit_on: Sequence[str]) -> np.ndarray:
    """Cosine of character 2-4-gram TF-IDF vectors (word-bounded), fitted on ``fit_on``."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    vectorizer.fit(fit_on)
    left = vectorizer.transform([a for a, _ in pairs])
    right = vectorizer.transform([b for _, b in pairs])
    return np.asarray(left.multiply(right).sum(axis=1)).ravel()


def describe(obj: Any) -> str:
    return str(getattr(obj, "name", type(obj).__name__))
