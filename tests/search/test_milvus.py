"""The Milvus backend's own machinery, on Milvus Lite: expressions, large records, encoders."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pytest

from ipcenter.patents.corpus import PatentRecord
from ipcenter.search.base import DateRange, Filters, SearchRequest
from ipcenter.search.milvus import MilvusBackend
from ipcenter.search.query import parse_query
from tests.search.conftest import fill


def test_filters_become_milvus_expressions() -> None:
    expression = MilvusBackend._filter_expr(
        Filters(
            ipc_prefixes=("A01B 1/",),
            offices=("CN", "US"),
            languages=("zh",),
            dates=(DateRange("priority_date", None, dt.date(1970, 1, 11)),),
            exclude_keys=('US"1',),
            has_ipc=True,
        )
    )
    assert expression == (
        'array_contains_any(ipc_prefix, ["A01B 1/"]) and office in ["CN", "US"] and '
        'lang in ["zh"] and priority_date > -10000000 and priority_date < 10 and '
        'ipc_count > 0 and key not in ["US\\"1"]'
    )


def test_phrases_become_shingles(milvus_uri: str, encoder: Any) -> None:
    backend = MilvusBackend(milvus_uri, "expressions", encoder=encoder)
    must = parse_query('title:"电池 pack" "magnetic field"').must
    expression = backend._node_expr(must)  # type: ignore[arg-type]
    assert "TEXT_MATCH(title, '电池__pack')" in expression
    assert "TEXT_MATCH(abstract, 'magnet_field')" in expression
    assert "TEXT_MATCH(claims, 'magnet_field')" in expression
    backend.close()


def test_a_record_too_large_for_one_field_is_stored_in_chunks(
    milvus_uri: str, encoder: Any, corpus: list[PatentRecord], vectors: dict
) -> None:
    backend = MilvusBackend(milvus_uri, "large", encoder=encoder)
    # A real record whose description is the real abstracts of the rest of the corpus.
    description = "\n".join(record.abstract for record in corpus[1:])
    record = dataclasses.replace(corpus[0], description=description)
    assert len(description) > 200_000
    backend.upsert_with_vectors(
        [record, corpus[1]], np.vstack([vectors[corpus[0].key], vectors[corpus[1].key]])
    )
    backend.commit()
    chunks = backend._client.query(
        backend.store, filter=f'key == "{record.key}"', output_fields=["id"]
    )
    assert len(chunks) >= 2
    assert backend.get(record.key) == record
    assert backend.get(corpus[1].key) == corpus[1]
    # Replacing it with a small version drops the chunks.
    fill(backend, [corpus[0]], vectors)
    assert backend.get(corpus[0].key) == corpus[0]
    chunks = backend._client.query(
        backend.store, filter=f'key == "{corpus[0].key}"', output_fields=["id"]
    )
    assert chunks == []
    backend.close()


def test_uncommitted_writes_are_discarded_on_close(
    milvus_uri: str, encoder: Any, corpus: list[PatentRecord], vectors: dict
) -> None:
    backend = MilvusBackend(milvus_uri, "discard", encoder=encoder)
    fill(backend, corpus[:1], vectors)
    backend.upsert_with_vectors(corpus[1:2], vectors[corpus[1].key][None, :])
    backend.delete([corpus[0].key])
    backend.close()
    again = MilvusBackend(milvus_uri, "discard", encoder=encoder)
    assert again.count() == 1 and again.get(corpus[0].key) == corpus[0]
    again.close()


@dataclasses.dataclass
class _OtherEncoder:
    name: str = "another-model"
    dimension: int = 512

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.zeros((len(texts), self.dimension), dtype=np.float32)


def test_a_collection_refuses_another_encoder(
    milvus_uri: str, encoder: Any, corpus: list[PatentRecord], vectors: dict
) -> None:
    backend = MilvusBackend(milvus_uri, "encoders", encoder=encoder)
    fill(backend, corpus[:1], vectors)
    backend.close()
    with pytest.raises(ValueError, match="use-multilingual-v3"):
        MilvusBackend(milvus_uri, "encoders", encoder=_OtherEncoder())  # type: ignore[arg-type]


def test_bm25_scores_are_positive_and_ordered(built: dict) -> None:
    results = built["milvus"].search(SearchRequest(query="magnetic sensor", mode="bm25", limit=10))
    scores = [hit.score for hit in results.hits]
    assert scores and all(score > 0 for score in scores)
    assert scores == sorted(scores, reverse=True)


def test_open_backend_names_the_collection(milvus_uri: str, encoder: Any) -> None:
    from ipcenter.search.backends import open_backend
    from ipcenter.search.base import SearchBackend

    backend = open_backend("milvus", f"{milvus_uri}#named", encoder=encoder)
    assert isinstance(backend, MilvusBackend) and isinstance(backend, SearchBackend)
    assert backend.collection == "named"
    assert backend.count() == 0
    assert backend.search(SearchRequest(query="anything")).hits == []
    backend.close()
