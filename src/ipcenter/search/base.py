"""The search interface: requests, filters, results, and the protocol every backend implements.

One conformance suite (tests/search/test_conformance.py) runs against every backend, so a page
or a job written against :class:`SearchBackend` behaves the same on the embedded default and on
Milvus.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from ipcenter.patents.corpus import PatentRecord

__all__ = [
    "DATE_FIELDS",
    "DateRange",
    "Encoder",
    "Filters",
    "Hit",
    "Passage",
    "SearchBackend",
    "SearchRequest",
    "SearchResults",
]

Mode = Literal["bm25", "dense", "hybrid"]
DateField = Literal["priority_date", "filing_date", "publication_date", "grant_date"]
DATE_FIELDS: tuple[str, ...] = ("priority_date", "filing_date", "publication_date", "grant_date")


@dataclass(frozen=True)
class DateRange:
    """``start <= date < end`` on one of the record's dates; either bound may be open.

    A record without that date never matches a range.
    """

    field: DateField
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True)
class Filters:
    """Restrictions applied inside every retriever (BM25 and dense), never after the top k.

    ``ipc_prefixes`` match any of the record's IPC symbols by prefix on the compact form
    ("A01B", "A01B 1/", "H04L 29/06"), ``cpc_prefixes`` its CPC symbols the same way;
    ``offices`` and ``languages`` match exactly (``languages`` the record's own language);
    ``exclude_keys`` removes documents (the case's own family, say); ``has_ipc`` keeps only
    records with (True) or without (False) an IPC symbol.
    """

    ipc_prefixes: tuple[str, ...] = ()
    cpc_prefixes: tuple[str, ...] = ()
    offices: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    dates: tuple[DateRange, ...] = ()
    exclude_keys: tuple[str, ...] = ()
    has_ipc: bool | None = None

    def is_empty(self) -> bool:
        return self == Filters()


@dataclass(frozen=True)
class SearchRequest:
    """What to look for.

    ``query`` is free text or a fielded/Boolean expression in the syntax of
    :func:`ipcenter.search.query.parse_query` (``title:drone AND ipc:B64C pd:2015..2020``);
    its field restrictions (IPC, office, language, dates) join ``filters``. ``like_text``
    asks for documents like a passage (an application, a claim, a product description): it is
    used as it is, without query syntax. ``explain`` adds highlighted passages (BM25) and the
    closest sentences (dense) to the hits; benchmarks turn it off.
    """

    query: str = ""
    like_text: str = ""
    mode: Mode = "hybrid"
    filters: Filters = Filters()
    limit: int = 10
    offset: int = 0
    explain: bool = True


@dataclass(frozen=True)
class Passage:
    """A piece of a document that explains a hit: the field it is from, its text, and the
    character spans (start, end) of the matched words inside ``text`` for highlighting.

    ``field`` is "title", "abstract", "claims" or "description", or for a translation the
    field and its language ("abstract_en"); ``item`` is the claim's index in
    ``record.claims`` (0 otherwise) and ``offset`` where ``text`` starts in that field's value,
    so ``value[offset + start:offset + end]`` is a highlighted word of the original text.
    """

    field: str
    text: str
    spans: tuple[tuple[int, int], ...] = ()
    score: float = 0.0
    offset: int = 0
    item: int = 0


@dataclass
class Hit:
    """One result. ``score`` is the fused score in hybrid mode, else the retriever's own;
    ``bm25_rank``/``dense_rank`` (1-based) say where each retriever placed it."""

    key: str
    score: float
    record: PatentRecord
    bm25_rank: int | None = None
    dense_rank: int | None = None
    bm25_score: float | None = None
    dense_score: float | None = None
    passages: list[Passage] = field(default_factory=list)  # BM25: highlighted passages
    sentences: list[Passage] = field(default_factory=list)  # dense: the closest sentences


@dataclass
class SearchResults:
    hits: list[Hit]
    # Documents matching (BM25 and filters); for dense alone, the candidates scored (those
    # passing the filters and the query's constraints); for hybrid, the BM25 count or the
    # fused list's length, whichever is larger.
    total: int
    took_ms: float = 0.0


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into unit-length float32 vectors of ``dimension`` components."""

    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class SearchBackend(Protocol):
    """A corpus index. Writes are visible to searches after :meth:`commit`."""

    name: str

    def upsert(self, records: Iterable[PatentRecord]) -> int:
        """Add or replace records by key; returns how many were written."""
        ...

    def delete(self, keys: Iterable[str]) -> int: ...

    def commit(self) -> None: ...

    def count(self) -> int: ...

    def get(self, key: str) -> PatentRecord | None: ...

    def search(self, request: SearchRequest) -> SearchResults: ...

    def close(self) -> None: ...
