"""The search pipeline every backend shares: plan, retrieve, fuse, page, explain.

A backend supplies three primitives — BM25 over its text index, dense search over its vectors
(both with the filters applied inside), and loading records by key — and
:class:`RetrievalBackend.search` does the rest the same way for all of them, so a request gives
results of the same shape and order on the embedded index and on Milvus.

Hybrid mode asks each retriever for its best ``max(offset + limit, HYBRID_DEPTH)`` documents
and fuses them by reciprocal rank (:mod:`ipcenter.search.fusion`). A query's constraints (its
fielded clauses, phrases, AND/NOT) restrict the dense retriever too, so every hybrid hit
satisfies the query; its plain words do not, so dense retrieval can add documents that share no
word with the query (another language, other terms).
"""

from __future__ import annotations

import abc
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ipcenter.patents.corpus import PatentRecord
from ipcenter.search.base import Encoder, Filters, Hit, SearchRequest, SearchResults
from ipcenter.search.embedding import DOCUMENT_CHARS, encode_queries, truncate
from ipcenter.search.explain import closest_sentences, highlight_passages
from ipcenter.search.fusion import DEFAULT_K, reciprocal_rank_fusion
from ipcenter.search.query import Node, ParsedQuery, like_text_query, parse_query

__all__ = ["HYBRID_DEPTH", "Ranked", "RetrievalBackend", "merge_filters", "plan_request"]

# Candidates each retriever gives the fusion (at least; more when a deep page is asked for).
HYBRID_DEPTH = 100
# A value no document has: a filter that can match nothing.
_NOTHING = "\x00"


@dataclass
class Ranked:
    """One retriever's answer: keys best first, their scores, and how many documents it
    considered matching (BM25: matching the query and filters; dense: passing the filters)."""

    keys: list[str] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    total: int = 0


def _merge_prefixes(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    """Prefixes a symbol must match from both lists: of each pair where one extends the
    other, the longer (a symbol starting with both starts with the longer)."""
    if not first or not second:
        return first or second
    merged: dict[str, None] = {}
    for a in first:
        for b in second:
            if a.startswith(b):
                merged[a] = None
            elif b.startswith(a):
                merged[b] = None
    return tuple(merged) or (_NOTHING,)


def _merge_values(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    if not first or not second:
        return first or second
    both = tuple(value for value in first if value in second)
    return both or (_NOTHING,)


def merge_filters(first: Filters, second: Filters) -> Filters:
    """Filters a document must pass both of."""
    if second.is_empty():
        return first
    if first.is_empty():
        return second
    has_ipc = first.has_ipc if second.has_ipc is None else second.has_ipc
    if first.has_ipc is not None and second.has_ipc is not None and first.has_ipc != second.has_ipc:
        return replace(first, offices=(_NOTHING,))
    return Filters(
        ipc_prefixes=_merge_prefixes(first.ipc_prefixes, second.ipc_prefixes),
        cpc_prefixes=_merge_prefixes(first.cpc_prefixes, second.cpc_prefixes),
        offices=_merge_values(first.offices, second.offices),
        languages=_merge_values(first.languages, second.languages),
        dates=first.dates + second.dates,
        exclude_keys=tuple(dict.fromkeys(first.exclude_keys + second.exclude_keys)),
        has_ipc=has_ipc,
    )


def plan_request(request: SearchRequest) -> ParsedQuery:
    """The query of a request: its parsed ``query`` and its ``like_text`` together (the
    passage's terms rank beside the query's, its text is what the dense retriever embeds)."""
    parsed = parse_query(request.query) if request.query.strip() else ParsedQuery()
    if not request.like_text.strip():
        return parsed
    like = like_text_query(request.like_text)
    return ParsedQuery(
        must=parsed.must,
        should=parsed.should + like.should,
        filters=parsed.filters,
        terms=tuple(dict.fromkeys(parsed.terms + like.terms)),
        dense_text=truncate(request.like_text, DOCUMENT_CHARS),
    )


class RetrievalBackend(abc.ABC):
    """The shared half of a backend: :meth:`search`, given the primitives below."""

    name = "abstract"

    def __init__(self, encoder: Encoder | None = None) -> None:
        self._encoder = encoder

    @property
    def encoder(self) -> Encoder:
        """The encoder of this index: the one given, else the one the index was built with,
        else the process default."""
        if self._encoder is None:
            from ipcenter.search.embedding import default_encoder, get_encoder

            built_with = self._built_with()
            self._encoder = get_encoder(built_with) if built_with else default_encoder()
        return self._encoder

    def _built_with(self) -> str | None:
        """The name of the encoder the index's vectors come from (None: no vectors yet)."""
        return None

    # --- primitives -------------------------------------------------------------------------

    @abc.abstractmethod
    def _bm25(self, query: ParsedQuery, filters: Filters, depth: int) -> Ranked:
        """The ``depth`` best documents by BM25 over ``query.terms`` among those matching
        ``query`` (its ``must``, else any of its ``should`` terms, else every document) and
        ``filters``; ``total`` counts all of those."""

    @abc.abstractmethod
    def _dense(
        self, vector: np.ndarray, constraint: Node | None, filters: Filters, depth: int
    ) -> Ranked:
        """The ``depth`` documents nearest ``vector`` (inner product) among those passing
        ``filters`` and, where given, matching ``constraint``; never post-filtered."""

    @abc.abstractmethod
    def _records(self, keys: Sequence[str]) -> dict[str, PatentRecord]:
        """The committed records of these keys (missing keys left out)."""

    # --- the pipeline -----------------------------------------------------------------------

    def query_vector(self, text: str) -> np.ndarray:
        """The dense query vector of a text."""
        return encode_queries(self.encoder, [text])[0]

    def search(self, request: SearchRequest) -> SearchResults:
        started = time.perf_counter()
        plan = plan_request(request)
        filters = merge_filters(request.filters, plan.filters)
        wanted = max(0, request.offset) + max(0, request.limit)
        if request.limit <= 0:
            return SearchResults(hits=[], total=0, took_ms=0.0)
        use_bm25 = request.mode in ("bm25", "hybrid")
        use_dense = request.mode in ("dense", "hybrid") and bool(plan.dense_text.strip())
        depth = max(wanted, HYBRID_DEPTH) if request.mode == "hybrid" else wanted
        bm25 = self._bm25(plan, filters, depth) if use_bm25 else None
        vector = self.query_vector(plan.dense_text) if use_dense else None
        dense = self._dense(vector, plan.must, filters, depth) if vector is not None else None

        bm25_scores = dict(zip(bm25.keys, bm25.scores, strict=True)) if bm25 else {}
        dense_scores = dict(zip(dense.keys, dense.scores, strict=True)) if dense else {}
        if bm25 is not None and dense is not None:
            fused = reciprocal_rank_fusion([bm25.keys, dense.keys], k=DEFAULT_K)
            ranking = [(item.key, item.score, item.ranks[0], item.ranks[1]) for item in fused]
            total = max(bm25.total, len(fused))
        elif bm25 is not None:
            ranking = [
                (key, score, rank, None)
                for rank, (key, score) in enumerate(
                    zip(bm25.keys, bm25.scores, strict=True), start=1
                )
            ]
            total = bm25.total
        elif dense is not None:
            ranking = [
                (key, score, None, rank)
                for rank, (key, score) in enumerate(
                    zip(dense.keys, dense.scores, strict=True), start=1
                )
            ]
            total = dense.total
        else:
            ranking, total = [], 0

        page = ranking[request.offset : request.offset + request.limit]
        records = self._records([key for key, *_ in page])
        hits = [
            Hit(
                key=key,
                score=float(score),
                record=records[key],
                bm25_rank=bm25_rank,
                dense_rank=dense_rank,
                bm25_score=bm25_scores.get(key),
                dense_score=dense_scores.get(key),
            )
            for key, score, bm25_rank, dense_rank in page
            if key in records
        ]
        if request.explain and hits:
            self._explain(hits, plan, vector)
        took = (time.perf_counter() - started) * 1000
        return SearchResults(hits=hits, total=total, took_ms=took)

    def _explain(self, hits: list[Hit], plan: ParsedQuery, vector: np.ndarray | None) -> None:
        if plan.terms:
            for hit in hits:
                hit.passages = highlight_passages(hit.record, plan.terms)
        if vector is not None:
            found = closest_sentences([hit.record for hit in hits], vector, self.encoder)
            for hit, sentences in zip(hits, found, strict=True):
                hit.sentences = sentences
