"""Quality on the labelled sets, each figure beside its baselines.

- IPC subclass suggestion (P@1, R@5) on the test split of us_patents_ipc (English) and
  cn_patents_a01 (Chinese): the product's classifier, trained on the train split only, against
  TF-IDF + linear SVM and BM25 kNN trained on the same train split, and the commonest subclasses.
- Phrase similarity (Pearson r) on phrase_similarity.jsonl: the product's embedding cosine
  against TF-IDF cosine on character n-grams.
- Cross-lingual retrieval (recall@10) on energy_abstracts_cpc: the English translation finds
  the original-language document among every original abstract; the product's dense, hybrid and
  BM25 search against bm25s and an exact NumPy search over the same vectors.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench import data
from bench.baselines import Bm25Knn, Bm25sIndex, ExactDense, TfidfSvm, analysers, tfidf_cosine
from bench.encoders import CachedEncoder, VectorCache
from bench.report import Table

Ranker = Callable[[Sequence[str]], list[list[str]]]


# --- IPC suggestion ----------------------------------------------------------------------------


def _scores(ranked: Sequence[Sequence[str]], gold: Sequence[str]) -> tuple[float, float]:
    """P@1: the first suggestion is the main subclass; R@5: the main subclass is in the top 5."""
    if not gold:
        return 0.0, 0.0
    top1 = sum(bool(r) and r[0] == g for r, g in zip(ranked, gold, strict=True))
    top5 = sum(g in r[:5] for r, g in zip(ranked, gold, strict=True))
    return top1 / len(gold), top5 / len(gold)


def ipc_suggestion(
    data_dir: Path, lang: str, cache: VectorCache, limit: int | None = None
) -> Table:
    """The product's classifier, scored by its own :func:`evaluate`, beside the baselines
    trained here on the same train split. The product's embeddings of the test texts come
    from the cache (the same text and model it would embed); its latency is measured apart,
    one :meth:`suggest` at a time on up to 200 test documents, embedding included."""
    from ipcenter.search.classify import (
        EMBED_CHARS,
        IpcClassifier,
        evaluate,
        load_labelled,
        subsample,
    )
    from ipcenter.search.embedding import truncate

    train = [x for x in load_labelled(data_dir, split="train") if x.language == lang]
    test = [x for x in load_labelled(data_dir, split="test") if x.language == lang]
    if limit:  # a quick look: spread over the subclasses (classify.subsample)
        train, test = subsample(train, limit * 4), subsample(test, limit)
    gold = [x.subclass for x in test]
    texts = [x.text for x in test]
    set_name = "us_patents_ipc" if lang == "en" else "cn_patents_a01"
    table = Table(
        f"IPC subclass suggestion, {'English' if lang == 'en' else 'Chinese'} ({set_name}): "
        f"test split {len(test):,} documents, train split {len(train):,}",
        ["engine", "kind", "P@1", "R@5", "group P@1", "train s", "ms/doc"],
    )

    classifier = IpcClassifier.load()
    cached = CachedEncoder(classifier.encoder, cache)
    embeddings = cached.encode([truncate(text, EMBED_CHARS) for text in texts])
    figures = evaluate(classifier, test, embeddings=embeddings)
    timed = texts[:200]
    started = time.perf_counter()
    for text in timed:
        classifier.suggest(text, k=5)
    per_doc = (time.perf_counter() - started) * 1000 / max(len(timed), 1)
    table.add(
        f"ipcenter IpcClassifier {classifier.version}",
        "product",
        figures["p_at_1"],
        figures["r_at_5"],
        figures.get("group_p_at_1"),
        None,
        per_doc,
    )

    def measure(name: str, rank: Ranker, train_s: float) -> None:
        started = time.perf_counter()
        ranked = rank(texts)
        per_doc = (time.perf_counter() - started) * 1000 / max(len(texts), 1)
        p1, r5 = _scores(ranked, gold)
        table.add(name, "baseline", p1, r5, None, train_s, per_doc)

    for model in (TfidfSvm(lang), Bm25Knn()):
        started = time.perf_counter()
        model.fit([x.text for x in train], [x.subclass for x in train])
        measure(model.name, model.rank, time.perf_counter() - started)
    commonest = [label for label, _ in _most_common([x.subclass for x in train], 5)]
    measure("commonest subclasses", lambda ts: [commonest] * len(ts), 0.0)
    table.notes += [
        "split: crc32(id) % 5 == 0 is test (ipcenter.search.classify.split_of); the product's "
        "model file is trained on the train split only, the baselines on the same split here",
        "P@1: the first suggestion is the main subclass; R@5: the main subclass is among the "
        "first five; group P@1: the suggested main group is the main symbol's",
        "ms/doc: the product one suggest() at a time, embedding included, on "
        f"{len(timed)} test documents; the baselines in one batch",
    ]
    return table


def _most_common(labels: Sequence[str], k: int) -> list[tuple[str, int]]:
    from collections import Counter

    return Counter(labels).most_common(k)


# --- phrase similarity -------------------------------------------------------------------------


def phrase_similarity(data_dir: Path, encoder: Any, sample: int | None = None) -> Table:
    pairs = list(data._jsonl(data_dir / "phrase_similarity.jsonl"))
    if sample and sample < len(pairs):
        pairs = random.Random(f"phrases:{data.DEFAULT_SEED}").sample(pairs, sample)
    gold = np.array([float(p["score"]) for p in pairs])
    phrases = list(dict.fromkeys([p["anchor"] for p in pairs] + [p["target"] for p in pairs]))
    table = Table(
        f"Phrase similarity (phrase_similarity.jsonl): {len(pairs):,} pairs, "
        f"{len(phrases):,} phrases",
        ["engine", "kind", "Pearson r", "Spearman rho"],
    )
    started = time.perf_counter()
    vectors = dict(zip(phrases, encoder.encode(phrases), strict=True))
    encode_s = time.perf_counter() - started
    dense = np.array([float(vectors[p["anchor"]] @ vectors[p["target"]]) for p in pairs])
    table.add(f"{encoder.name} embedding cosine", "product", *_correlations(dense, gold))
    tfidf = tfidf_cosine([(p["anchor"], p["target"]) for p in pairs], phrases)
    table.add("TF-IDF cosine, char 2-4-grams", "baseline", *_correlations(tfidf, gold))
    table.notes.append(
        f"{'the whole file' if not sample else f'a seeded sample of {sample:,} pairs'}; the "
        f"phrases' CPC context is not used; embedding took {encode_s:.1f} s (cached vectors "
        "are reused between runs)"
    )
    return table


def _correlations(predicted: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    from scipy.stats import spearmanr

    pearson = float(np.corrcoef(predicted, gold)[0, 1])
    return pearson, float(spearmanr(predicted, gold).statistic)


# --- cross-lingual retrieval -------------------------------------------------------------------


def _energy_record(id_: str, lang: str, abstract: str) -> Any:
    from ipcenter.patents.corpus import PatentRecord

    return PatentRecord(
        office=id_[:2],
        publication_number=id_,
        abstract=abstract,
        language=lang,
        source="energy_abstracts_cpc",
        source_id=id_,
    )


def cross_lingual(
    data_dir: Path, encoder: Any, open_index: Callable[[Path], Any], limit: int | None = None
) -> Table:
    """``open_index(folder)`` opens an empty embedded backend of the product; ``encoder`` is
    the product's encoder behind the vector cache (the index is given the cached vectors of
    exactly the text it would embed itself; queries are embedded by the model)."""
    from ipcenter.search.base import SearchRequest
    from ipcenter.search.embedding import document_text, encode_queries, truncate

    documents, pairs = data.load_energy(data_dir)
    if limit:
        pairs = pairs[:limit]
        wanted = {p.id for p in pairs}
        documents = [d for d in documents if d[0] in wanted] + [
            d for d in documents if d[0] not in wanted
        ][: limit * 3]
    # One document a publication, as the product keeps it (an A and a B of one number: the last).
    by_key = {_energy_record(*d).key: d for d in documents}
    documents = list(by_key.values())
    records = [_energy_record(*d) for d in documents]
    keys = [r.key for r in records]
    target = {p.id: _energy_record(p.id, p.lang, p.original).key for p in pairs}
    vectors = encoder.encode([document_text(r) for r in records])
    ranked: dict[str, list[list[str]]] = {}

    with tempfile.TemporaryDirectory(prefix="bench-xling-") as folder:
        backend = open_index(Path(folder))
        try:
            started = time.perf_counter()
            backend.upsert_with_vectors(records, vectors)
            backend.commit()
            build_s = time.perf_counter() - started
            for mode in ("dense", "hybrid", "bm25"):
                ranked[f"ipcenter {mode}"] = [
                    [
                        hit.key
                        for hit in backend.search(
                            SearchRequest(like_text=p.english, mode=mode, limit=10, explain=False)
                        ).hits
                    ]
                    for p in pairs
                ]
        finally:
            backend.close()

    exact = ExactDense(vectors)
    queries = encode_queries(encoder, [truncate(p.english) for p in pairs])
    ranked["exact"] = [[keys[i] for i in exact.search(q, 10)] for q in queries]
    analyse, analyse_query = analysers()
    bm25 = Bm25sIndex()
    bm25.build(analyse(d[2]) for d in documents)
    ranked["bm25s"] = [[keys[i] for i in bm25.search(analyse_query(p.english))] for p in pairs]

    engines = list(ranked)
    table = Table(
        f"Cross-lingual retrieval (energy_abstracts_cpc): English translation -> original "
        f"document among {len(documents):,} original abstracts, recall@10",
        ["original language", "n", "ipcenter dense", "ipcenter hybrid", "ipcenter bm25",
         "exact dense (reference)", "bm25s (baseline)"],
    )  # fmt: skip
    langs = sorted({p.lang for p in pairs}, key=lambda lang: -sum(p.lang == lang for p in pairs))
    groups = [(lang, [i for i, p in enumerate(pairs) if p.lang == lang]) for lang in langs]
    small = [i for lang, idx in groups if len(idx) < 20 for i in idx]
    groups = [(lang, idx) for lang, idx in groups if len(idx) >= 20]
    if small:
        others = sorted({pairs[i].lang for i in small})
        groups.append((f"other ({', '.join(others)})", small))
    groups.append(("all", list(range(len(pairs)))))
    for label, indices in groups:
        row: list[Any] = [label, len(indices)]
        for engine in engines:
            hits = sum(target[pairs[i].id] in ranked[engine][i][:10] for i in indices)
            row.append(hits / len(indices) if indices else None)
        table.add(*row)
    table.notes.append(
        "queries: abstract_en of the records whose original abstract is not English and differs "
        "from it; the index holds the original abstracts only; the product searches with "
        "like_text (documents like this text); exact dense: a NumPy scan over the same vectors; "
        f"the product's index was built in {build_s:.1f} s from cached vectors"
    )
    return table
