"""The search backend beyond one machine: Milvus, through pymilvus' MilvusClient.

The same interface and the same results' shape as the embedded backend (one conformance suite
runs against both; CI runs it on Milvus Lite, a local file URI). What Milvus holds per document:

- ``all``: the document's analysed token stream (:mod:`ipcenter.search.indexing`), the input of
  Milvus' BM25 function (``all_sparse``). Milvus is fed the shared analyzer's terms separated by
  spaces and reads them back with a whitespace tokenizer, rather than its own jieba analyzer:
  that way both backends index the very same terms and rank alike, and English stemming
  ("batteries" finds "battery") and CJK bigrams work the same. (Milvus Lite's analyzer ignores
  the stemmer filter and offers no whitespace tokenizer; its "standard" tokenizer, used there
  instead, keeps each of our terms whole.)
- ``title``, ``abstract``, ``claims``, ``description``, ``applicants``, ``inventors``,
  ``translations``: per-field streams with ``TEXT_MATCH`` enabled, for fielded and Boolean
  clauses, plus "shingles" (two terms joined by ``_``, or ``__`` when one unigram stands
  between them) so a phrase is matched as consecutive pairs of its terms (exact for two-term
  phrases, nearly so for longer ones).
- ``office``, ``lang``, ``ipc_prefix``/``cpc_prefix`` (every prefix of every symbol), dates as
  day numbers: filters as Milvus expressions inside both the BM25 and the vector search.
- ``vector``: the dense vector (HNSW, inner product); ``record``: the record as compressed JSON
  (records too large for one field go, in chunks, to the ``<collection>_store`` collection,
  which also holds the encoder's name).

Hybrid search fuses the two result lists on the client with the shared reciprocal rank fusion
(:mod:`ipcenter.search.retrieval`), so its results match the embedded backend's in shape.

Writes are buffered until :meth:`MilvusBackend.commit`, which applies them (deletes, then
upserts in chunks) and flushes: before a commit nothing of them is visible. Milvus has no
multi-row transactions: a commit interrupted half-way leaves part of it applied; running the
same upserts again repairs it.
"""

from __future__ import annotations

import base64
import itertools
import json
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ipcenter.patents.corpus import PatentRecord, RecordError
from ipcenter.search.base import Encoder, Filters
from ipcenter.search.embedding import encode_documents
from ipcenter.search.indexing import (
    TEXT_FIELD_NAMES,
    PreparedDocument,
    date_number,
    prepare,
    record_json,
    stream,
    symbol_prefixes,
)
from ipcenter.search.query import And, Node, Not, Or, ParsedQuery, Phrase, Term
from ipcenter.search.retrieval import Ranked, RetrievalBackend

__all__ = ["MilvusBackend"]

FORMAT = 1
_VARCHAR = 65_535
_FIELD_BYTES = 65_000
_MISSING_DATE = -10_000_000
_PREFIXES = 1024
_WRITE_CHUNK = 256
_MAX_LIMIT = 16_384
_META = "__meta__"
# Terms in a field's TEXT_MATCH string kept short of Milvus' expression limits.
_TEXT_FIELDS = TEXT_FIELD_NAMES
_DATE_COLUMNS = {
    "priority_date": "priority_date",
    "filing_date": "filing_date",
    "publication_date": "publication_date",
    "grant_date": "grant_date",
}


def _shingles(terms: list[str]) -> list[str]:
    pairs = [f"{a}_{b}" for a, b in itertools.pairwise(terms)]
    pairs += [f"{a}__{b}" for a, b in zip(terms, terms[2:], strict=False)]
    return pairs


def _match_text(values: list[list[str]]) -> str:
    """A field's TEXT_MATCH string: its stream, then its shingles, cut to fit one field."""
    text = stream(values)
    shingles = " ".join(shingle for value in values for shingle in _shingles(value))
    full = f"{text} {shingles}".strip()
    return _cut(full, _FIELD_BYTES)


def _cut(text: str, size: int) -> str:
    data = text.encode()
    if len(data) <= size:
        return text
    cut = data[:size].decode(errors="ignore")
    return cut.rsplit(" ", 1)[0]


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _values(values: Iterable[str]) -> str:
    return "[" + ", ".join(_quote(value) for value in values) + "]"


def _text_match(field: str, terms: Iterable[str]) -> str:
    # Terms are analysed words: letters and digits (and _ in shingles), never a quote.
    return f"TEXT_MATCH({field}, '{' '.join(terms)}')"


class MilvusBackend(RetrievalBackend):
    """Milvus (or Milvus Lite at a local file URI) behind the search interface."""

    name = "milvus"

    def __init__(
        self,
        uri: str,
        collection: str = "patents",
        encoder: Encoder | None = None,
        *,
        token: str = "",
        hnsw_m: int = 32,
        ef_construction: int = 80,
        ef_search: int = 96,
    ) -> None:
        super().__init__(encoder)
        from pymilvus import MilvusClient

        self.uri = uri
        self.collection = collection
        self.store = f"{collection}_store"
        self.hnsw_m = hnsw_m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self._client = MilvusClient(uri=uri, token=token) if token else MilvusClient(uri=uri)
        self._pending: dict[str, tuple[PreparedDocument, np.ndarray] | None] = {}
        self._meta = self._open()

    # --- the collections ----------------------------------------------------------------------

    def _open(self) -> dict[str, Any]:
        client = self._client
        if client.has_collection(self.collection):
            rows = client.get(self.store, ids=[_META], output_fields=["data"])
            meta = json.loads(rows[0]["data"]) if rows else {}
            if meta.get("format") != FORMAT:
                raise RuntimeError(f"{self.collection} at {self.uri} is not an ipcenter index")
            if self._encoder is not None and meta["encoder"] != self._encoder.name:
                raise ValueError(
                    f"{self.collection} holds {meta['encoder']} vectors, not {self._encoder.name}"
                )
            client.load_collection(self.collection)
            client.load_collection(self.store)
            return meta
        return {}

    def _create(self, dimension: int) -> None:
        for params in ({"tokenizer": "whitespace"}, {"tokenizer": "standard"}):
            try:
                self._create_with(dimension, params)
                break
            except Exception as exc:  # Milvus Lite lacks the whitespace tokenizer
                if "tokenizer" not in str(exc) or params["tokenizer"] == "standard":
                    raise
        self._meta = {
            "format": FORMAT,
            "encoder": self.encoder.name,
            "dimension": dimension,
        }
        self._client.upsert(
            self.store,
            [{"id": _META, "key": _META, "data": json.dumps(self._meta), "dummy": [0.0, 0.0]}],
        )

    def _create_with(self, dimension: int, analyzer: dict[str, Any]) -> None:
        from pymilvus import DataType, Function, FunctionType

        client = self._client
        schema = client.create_schema(auto_id=False)
        schema.add_field("key", DataType.VARCHAR, max_length=128, is_primary=True)
        text = {
            "max_length": _VARCHAR,
            "enable_analyzer": True,
            "enable_match": True,
            "analyzer_params": analyzer,
        }
        schema.add_field("all", DataType.VARCHAR, **text)
        schema.add_field("all_sparse", DataType.SPARSE_FLOAT_VECTOR)
        for name in _TEXT_FIELDS:
            schema.add_field(name, DataType.VARCHAR, **text)
        schema.add_field("office", DataType.VARCHAR, max_length=8)
        schema.add_field("lang", DataType.VARCHAR, max_length=8)
        for name in ("ipc_prefix", "cpc_prefix"):
            schema.add_field(
                name,
                DataType.ARRAY,
                element_type=DataType.VARCHAR,
                max_capacity=_PREFIXES,
                max_length=64,
            )
        schema.add_field("ipc_count", DataType.INT32)
        for column in _DATE_COLUMNS.values():
            schema.add_field(column, DataType.INT32)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
        schema.add_field("record", DataType.VARCHAR, max_length=_VARCHAR)
        schema.add_field("chunks", DataType.INT32)
        schema.add_function(
            Function(
                name="all_bm25",
                function_type=FunctionType.BM25,
                input_field_names=["all"],
                output_field_names=["all_sparse"],
            )
        )
        index = client.prepare_index_params()
        index.add_index("all_sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        index.add_index(
            "vector",
            index_type="HNSW",
            metric_type="IP",
            params={"M": self.hnsw_m, "efConstruction": self.ef_construction},
        )
        client.create_collection(self.collection, schema=schema, index_params=index)
        try:
            self._create_store()
        except Exception:
            client.drop_collection(self.collection)
            raise

    def _create_store(self) -> None:
        from pymilvus import DataType

        client = self._client
        if client.has_collection(self.store):
            client.drop_collection(self.store)
        schema = client.create_schema(auto_id=False)
        schema.add_field("id", DataType.VARCHAR, max_length=160, is_primary=True)
        schema.add_field("key", DataType.VARCHAR, max_length=128)
        schema.add_field("data", DataType.VARCHAR, max_length=_VARCHAR)
        schema.add_field("dummy", DataType.FLOAT_VECTOR, dim=2)
        index = client.prepare_index_params()
        index.add_index("dummy", index_type="FLAT", metric_type="L2")
        client.create_collection(self.store, schema=schema, index_params=index)

    def _built_with(self) -> str | None:
        return self._meta.get("encoder") if self._meta else None

    @property
    def _ready(self) -> bool:
        return bool(self._meta)

    # --- writing ------------------------------------------------------------------------------

    def upsert(self, records: Iterable[PatentRecord]) -> int:
        """Add or replace records by key, applied at :meth:`commit`; the batch is validated,
        analysed and embedded first (a bad record raises and nothing of it is kept)."""
        return self.upsert_with_vectors(records, None)

    def upsert_with_vectors(
        self, records: Iterable[PatentRecord], vectors: np.ndarray | None
    ) -> int:
        """:meth:`upsert` with precomputed vectors (row i for record i), see
        :meth:`ipcenter.search.embedded.EmbeddedBackend.upsert_with_vectors`."""
        records = list(records)
        prepared: dict[str, tuple[PreparedDocument, int]] = {}
        for number, record in enumerate(records):
            try:
                document = prepare(record)
            except RecordError as exc:
                raise RecordError(f"record {number + 1} of the batch: {exc}") from exc
            prepared.pop(document.key, None)
            prepared[document.key] = (document, number)
        if not prepared:
            return 0
        documents = [document for document, _ in prepared.values()]
        if vectors is None:
            matrix = encode_documents(self.encoder, [d.dense_text for d in documents])
        else:
            given = np.asarray(vectors)
            if len(given) != len(records):
                raise ValueError(f"{len(records)} records but {len(given)} vectors")
            matrix = given[[number for _, number in prepared.values()]]
        dimension = int(self._meta.get("dimension") or self.encoder.dimension)
        matrix = np.asarray(matrix, dtype=np.float32)
        if matrix.shape != (len(documents), dimension) or not np.isfinite(matrix).all():
            raise ValueError(f"expected finite vectors of shape ({len(documents)}, {dimension})")
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        matrix = matrix / norms
        for document, vector in zip(documents, matrix, strict=True):
            self._pending.pop(document.key, None)
            self._pending[document.key] = (document, vector)
        return len(documents)

    def delete(self, keys: Iterable[str]) -> int:
        """Delete documents by key at :meth:`commit`; returns how many exist now."""
        keys = list(dict.fromkeys(keys))
        existing = set(self._existing(keys))
        count = 0
        for key in keys:
            pending = self._pending.get(key)
            if key in existing or pending is not None:
                count += 1
            self._pending.pop(key, None)
            self._pending[key] = None
        return count

    def _existing(self, keys: Sequence[str]) -> list[str]:
        if not self._ready or not keys:
            return []
        rows = self._client.query(
            self.collection, filter=f"key in {_values(keys)}", output_fields=["key"]
        )
        return [row["key"] for row in rows]

    def _row(self, document: PreparedDocument, vector: np.ndarray) -> tuple[dict, list[dict]]:
        record = record_json(document.record)
        packed = base64.b64encode(zlib.compress(record, 6)).decode("ascii")
        chunks: list[dict] = []
        if len(packed) > _VARCHAR:
            chunks = [
                {
                    "id": f"{document.key}#{number}",
                    "key": document.key,
                    "data": packed[start : start + _VARCHAR],
                    "dummy": [0.0, 0.0],
                }
                for number, start in enumerate(range(0, len(packed), _VARCHAR))
            ]
            packed = ""
        row: dict[str, Any] = {
            "key": document.key,
            "all": document.all_text,
            "office": document.office[:8],
            "lang": document.language[:8],
            "ipc_prefix": symbol_prefixes(document.ipc)[:_PREFIXES],
            "cpc_prefix": symbol_prefixes(document.cpc)[:_PREFIXES],
            "ipc_count": len(document.ipc),
            "vector": vector.tolist(),
            "record": packed,
            "chunks": len(chunks),
        }
        for name in _TEXT_FIELDS:
            row[name] = _match_text(document.fields[name])
        for name, column in _DATE_COLUMNS.items():
            value = document.dates[name]
            row[column] = value if value is not None else _MISSING_DATE
        return row, chunks

    def commit(self) -> None:
        """Apply the buffered writes (deletes, then upserts) and flush them."""
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        client = self._client
        if not self._ready:
            self._create(int(self.encoder.dimension))
        keys = list(pending)
        for start in range(0, len(keys), _WRITE_CHUNK):
            batch = keys[start : start + _WRITE_CHUNK]
            client.delete(self.store, filter=f"key in {_values(batch)}")
        deleted = [key for key, value in pending.items() if value is None]
        for start in range(0, len(deleted), _WRITE_CHUNK):
            client.delete(self.collection, ids=deleted[start : start + _WRITE_CHUNK])
        rows: list[dict] = []
        chunks: list[dict] = []
        for value in pending.values():
            if value is None:
                continue
            row, row_chunks = self._row(*value)
            rows.append(row)
            chunks.extend(row_chunks)
            if len(rows) >= _WRITE_CHUNK:
                client.upsert(self.collection, rows)
                rows = []
        if rows:
            client.upsert(self.collection, rows)
        for start in range(0, len(chunks), 16):
            client.upsert(self.store, chunks[start : start + 16])
        client.flush(self.collection)
        client.flush(self.store)

    # --- reading ------------------------------------------------------------------------------

    def count(self) -> int:
        if not self._ready:
            return 0
        rows = self._client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def get(self, key: str) -> PatentRecord | None:
        return self._records([key]).get(key)

    def _records(self, keys: Sequence[str]) -> dict[str, PatentRecord]:
        keys = list(dict.fromkeys(keys))
        if not self._ready or not keys:
            return {}
        rows = self._client.query(
            self.collection,
            filter=f"key in {_values(keys)}",
            output_fields=["key", "record", "chunks"],
        )
        packed = {row["key"]: row["record"] for row in rows}
        chunked = [row["key"] for row in rows if row["chunks"]]
        if chunked:
            parts = self._client.query(
                self.store, filter=f"key in {_values(chunked)}", output_fields=["id", "key", "data"]
            )
            parts.sort(key=lambda part: int(part["id"].rsplit("#", 1)[1]))
            for key in chunked:
                packed[key] = "".join(part["data"] for part in parts if part["key"] == key)
        return {
            key: PatentRecord.from_dict(json.loads(zlib.decompress(base64.b64decode(data))))
            for key, data in packed.items()
        }

    def close(self) -> None:
        """Close the connection; writes not committed are discarded."""
        self._pending = {}
        self._client.close()

    # --- expressions --------------------------------------------------------------------------

    def _node_expr(self, node: Node) -> str:
        if isinstance(node, Term):
            field = node.field or "all"
            return " and ".join(_text_match(field, [term]) for term in node.terms)
        if isinstance(node, Phrase):
            if len(node.terms) == 1:
                return _text_match(node.field or "all", node.terms)
            # Consecutive terms as shingles (see _shingles); a wider gap, both terms alone.
            needed: list[str] = []
            for index in range(len(node.terms) - 1):
                gap = node.offsets[index + 1] - node.offsets[index]
                first, second = node.terms[index], node.terms[index + 1]
                needed += [f"{first}{'_' * gap}{second}"] if gap in (1, 2) else [first, second]
            fields = [node.field] if node.field else list(_TEXT_FIELDS)
            alternatives = [
                " and ".join(_text_match(field, [piece]) for piece in dict.fromkeys(needed))
                for field in fields
            ]
            return "(" + " or ".join(f"({one})" for one in alternatives) + ")"
        if isinstance(node, And):
            return "(" + " and ".join(self._node_expr(child) for child in node.children) + ")"
        if isinstance(node, Or):
            return "(" + " or ".join(self._node_expr(child) for child in node.children) + ")"
        assert isinstance(node, Not)
        return f"(not {self._node_expr(node.child)})"

    def _match_expr(self, query: ParsedQuery) -> str:
        if query.must is not None:
            return self._node_expr(query.must)
        terms = list(dict.fromkeys(term for word in query.should for term in word.terms))
        return _text_match("all", terms) if terms else ""

    @staticmethod
    def _filter_expr(filters: Filters) -> str:
        clauses = []
        if filters.ipc_prefixes:
            clauses.append(f"array_contains_any(ipc_prefix, {_values(filters.ipc_prefixes)})")
        if filters.cpc_prefixes:
            clauses.append(f"array_contains_any(cpc_prefix, {_values(filters.cpc_prefixes)})")
        if filters.offices:
            clauses.append(f"office in {_values(filters.offices)}")
        if filters.languages:
            clauses.append(f"lang in {_values(filters.languages)}")
        for date_range in filters.dates:
            column = _DATE_COLUMNS[date_range.field]
            clauses.append(f"{column} > {_MISSING_DATE}")
            if date_range.start is not None:
                clauses.append(f"{column} >= {date_number(date_range.start)}")
            if date_range.end is not None:
                clauses.append(f"{column} < {date_number(date_range.end)}")
        if filters.has_ipc is not None:
            clauses.append("ipc_count > 0" if filters.has_ipc else "ipc_count == 0")
        if filters.exclude_keys:
            clauses.append(f"key not in {_values(filters.exclude_keys)}")
        return " and ".join(clauses)

    @staticmethod
    def _both(*expressions: str) -> str:
        present = [f"({expression})" for expression in expressions if expression]
        return " and ".join(present)

    def _count(self, expression: str) -> int:
        rows = self._client.query(self.collection, filter=expression, output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    # --- retrieval ----------------------------------------------------------------------------

    def _bm25(self, query: ParsedQuery, filters: Filters, depth: int) -> Ranked:
        if not self._ready or depth <= 0:
            return Ranked()
        filter_expr = self._filter_expr(filters)
        must_expr = self._node_expr(query.must) if query.must is not None else ""
        match_expr = self._both(self._match_expr(query), filter_expr)
        total = self._count(match_expr)
        limit = min(depth, _MAX_LIMIT)
        keys: list[str] = []
        scores: list[float] = []
        if query.terms:
            results = self._client.search(
                self.collection,
                data=[" ".join(query.terms)],
                anns_field="all_sparse",
                limit=limit,
                filter=self._both(must_expr, filter_expr),
                search_params={"metric_type": "BM25"},
                output_fields=["key"],
            )[0]
            keys = [hit["entity"]["key"] for hit in results]
            # Milvus Lite reports BM25 scores negated; Milvus itself, positive.
            scores = [abs(float(hit["distance"])) for hit in results]
        if len(keys) < limit and len(keys) < total:
            # Documents matching without any ranked term (a query of NOT clauses, filters).
            rest = self._both(
                match_expr,
                f"not {_text_match('all', query.terms)}" if query.terms else "",
                f"key not in {_values(keys)}" if keys else "",
            )
            rows = self._client.query(
                self.collection, filter=rest, output_fields=["key"], limit=limit - len(keys)
            )
            extra = sorted(row["key"] for row in rows)
            keys += extra
            scores += [0.0] * len(extra)
        return Ranked(keys=keys, scores=scores, total=total)

    def _dense(
        self, vector: np.ndarray, constraint: Node | None, filters: Filters, depth: int
    ) -> Ranked:
        if not self._ready or depth <= 0:
            return Ranked()
        expression = self._both(
            self._node_expr(constraint) if constraint is not None else "",
            self._filter_expr(filters),
        )
        results = self._client.search(
            self.collection,
            data=[np.asarray(vector, dtype=np.float32).tolist()],
            anns_field="vector",
            limit=min(depth, _MAX_LIMIT),
            filter=expression,
            search_params={"metric_type": "IP", "params": {"ef": max(self.ef_search, depth)}},
            output_fields=["key"],
        )[0]
        total = self._count(expression)
        return Ranked(
            keys=[hit["entity"]["key"] for hit in results],
            scores=[float(hit["distance"]) for hit in results],
            total=total,
        )
