"""Why a document matched: highlighted passages (BM25) and the closest sentences (dense).

Both work on the returned page only. :func:`highlight_passages` finds the sentences of a hit
that hold the most query terms (analysed the same way as the index, so "batteries" marks
"battery", 电池 marks the 电池 inside 锂电池) and gives the character spans of the matched words
inside each sentence, which is a verbatim slice of the original field. :func:`closest_sentences`
embeds the sentences of each hit and keeps those nearest the query vector: the evidence a
dense (possibly cross-lingual) hit has no words in common to show.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ipcenter.patents.corpus import PatentRecord
from ipcenter.search.analysis import sentence_spans, tokenize
from ipcenter.search.base import Encoder, Passage

__all__ = [
    "EXPLAIN_CHARS",
    "PASSAGES_PER_HIT",
    "SENTENCES_PER_HIT",
    "closest_sentences",
    "highlight_passages",
    "record_values",
]

# Passages and sentences given per hit.
PASSAGES_PER_HIT = 3
SENTENCES_PER_HIT = 2
# Characters of a long field (a description) looked at for explanations.
EXPLAIN_CHARS = 5_000
# Sentences of one hit embedded for the dense explanation.
_MAX_SENTENCES = 8


@dataclass(frozen=True)
class _Value:
    field: str
    item: int
    text: str


def record_values(record: PatentRecord, *, claims: int | None = None) -> Iterator[_Value]:
    """The texts of a record explanations look at, in display order: title, abstract,
    claims (the first ``claims`` of them), description (its beginning), translations."""
    if record.title:
        yield _Value("title", 0, record.title)
    if record.abstract:
        yield _Value("abstract", 0, record.abstract)
    for index, claim in enumerate(record.claims[:claims] if claims is not None else record.claims):
        if claim:
            yield _Value("claims", index, claim)
    if record.description:
        yield _Value("description", 0, record.description[:EXPLAIN_CHARS])
    for language in sorted(record.translations):
        for name in ("title", "abstract"):
            text = record.translations[language].get(name, "")
            if text:
                yield _Value(f"{name}_{language}", 0, text)


def _merge(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def highlight_passages(
    record: PatentRecord, terms: Iterable[str], *, limit: int = PASSAGES_PER_HIT
) -> list[Passage]:
    """The sentences of ``record`` holding the most of ``terms`` (analysed query terms), best
    first, with the matched words' spans; titles count whole. Empty when nothing matches."""
    wanted = set(terms)
    if not wanted:
        return []
    found: list[tuple[float, int, Passage]] = []
    for order, value in enumerate(record_values(record)):
        tokens = [token for token in tokenize(value.text) if token.term in wanted]
        if not tokens:
            continue
        bounds = [(0, len(value.text))] if value.field == "title" else sentence_spans(value.text)
        for start, end in bounds:
            inside = [token for token in tokens if start <= token.start and token.end <= end]
            if not inside:
                continue
            distinct = len({token.term for token in inside})
            score = distinct + 0.1 * min(len(inside), 10)
            spans = _merge((token.start - start, token.end - start) for token in inside)
            passage = Passage(
                field=value.field,
                text=value.text[start:end],
                spans=spans,
                score=score,
                offset=start,
                item=value.item,
            )
            found.append((score, order, passage))
    found.sort(key=lambda entry: (-entry[0], entry[1], entry[2].offset))
    return [passage for _, _, passage in found[:limit]]


def closest_sentences(
    records: Sequence[PatentRecord],
    query_vector: np.ndarray,
    encoder: Encoder,
    *,
    limit: int = SENTENCES_PER_HIT,
) -> list[list[Passage]]:
    """For each record, its ``limit`` sentences nearest the query vector (cosine in
    ``score``), from the title, abstract, first claim and translations; one encoder call
    for the whole page."""
    candidates: list[tuple[int, _Value, int, int]] = []
    for number, record in enumerate(records):
        count = 0
        for value in record_values(record, claims=1):
            if value.field == "description":
                continue
            bounds = [(0, len(value.text))] if value.field.startswith("title") else None
            for start, end in bounds or sentence_spans(value.text):
                if count >= _MAX_SENTENCES:
                    break
                candidates.append((number, value, start, end))
                count += 1
    results: list[list[Passage]] = [[] for _ in records]
    if not candidates:
        return results
    texts = [value.text[start:end] for _, value, start, end in candidates]
    vectors = np.asarray(encoder.encode(texts), dtype=np.float32)
    query = np.asarray(query_vector, dtype=np.float32).reshape(-1)
    scores = vectors @ query
    by_record: dict[int, list[tuple[float, Passage]]] = {}
    for (number, value, start, end), score in zip(candidates, scores.tolist(), strict=True):
        passage = Passage(
            field=value.field,
            text=value.text[start:end],
            score=float(score),
            offset=start,
            item=value.item,
        )
        by_record.setdefault(number, []).append((float(score), passage))
    for number, scored in by_record.items():
        scored.sort(key=lambda entry: -entry[0])
        results[number] = [passage for _, passage in scored[:limit]]
    return results
