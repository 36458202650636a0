"""The embedded backend's own machinery: the HNSW graph and its filtered search, tombstones and
compaction, the commit protocol under failure, the writer lock, other processes."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ipcenter.patents.corpus import PatentRecord
from ipcenter.search.base import Filters, SearchRequest
from ipcenter.search.embedded import EmbeddedBackend, IndexLockedError
from tests.search.conftest import fill


def dense_keys(backend: EmbeddedBackend, text: str, limit: int = 10, **options: Any) -> list[str]:
    request = SearchRequest(like_text=text, mode="dense", limit=limit, explain=False, **options)
    return [hit.key for hit in backend.search(request).hits]


def exact_keys(
    records: list[PatentRecord], vectors: dict, query: np.ndarray, limit: int
) -> list[str]:
    scores = [(float(vectors[r.key] @ query), r.key) for r in records]
    return [key for _, key in sorted(scores, reverse=True)[:limit]]


def test_segments_fold_into_the_hnsw_graph_and_search_matches_exact(
    tmp_path: Path, corpus: list[PatentRecord], vectors: dict, encoder: Any
) -> None:
    backend = EmbeddedBackend(tmp_path, encoder, merge_rows=100, exact_below=10)
    records = corpus[:300]
    for start in range(0, 300, 60):
        fill(backend, records[start : start + 60], vectors)
    state = backend._state
    assert state.base is not None and len(state.base) >= 240
    assert sum(len(part) for part in state.parts) == 300
    text = "magnetic field sensor with coils"
    query = encoder.encode([text])[0]
    expected = exact_keys(records, vectors, query, 10)
    found = dense_keys(backend, text)
    assert len(set(found) & set(expected)) >= 9  # HNSW recall@10 on 300 documents
    # A filter keeping most documents runs inside HNSW (an IDSelectorBitmap) ...
    english = [r for r in records if r.language == "en"]
    found = dense_keys(backend, text, filters=Filters(languages=("en",)))
    assert set(found) <= {r.key for r in english}
    assert len(set(found) & set(exact_keys(english, vectors, query, 10))) >= 9
    # ... one keeping few scans them exactly, and still returns k.
    chinese = [r for r in records if r.language == "zh"][:8]
    backend.exact_below = 50
    found = dense_keys(
        backend,
        text,
        limit=5,
        filters=Filters(
            exclude_keys=tuple(r.key for r in records if r.language != "zh" or r not in chinese)
        ),
    )
    assert found == exact_keys(chinese, vectors, query, 5)
    backend.close()


def test_replacements_leave_tombstones_until_compaction(
    tmp_path: Path, corpus: list[PatentRecord], vectors: dict, encoder: Any
) -> None:
    backend = EmbeddedBackend(tmp_path, encoder, merge_rows=50, rebuild_dead_ratio=0.3)
    records = corpus[:60]
    fill(backend, records, vectors)
    assert backend._state.base is not None
    changed = [dataclasses.replace(r, title=r.title + " (corrected)") for r in records[:10]]
    fill(backend, changed, vectors)
    assert len(backend._state.dead) == 10
    assert backend.count() == 60
    for record in changed[:3]:
        hits = dense_keys(backend, record.abstract, limit=60)
        assert hits.count(record.key) == 1
        assert backend.get(record.key) == record
    # More tombstones than rebuild_dead_ratio of the graph: the next commit rebuilds it from
    # the live vectors, and the tombstones go.
    fill(backend, [dataclasses.replace(r, title=r.title + " again") for r in records[:25]], vectors)
    assert len(backend._state.dead) == 0
    assert len(backend._state.base or []) == 60
    fill(backend, changed[:5], vectors)
    backend.compact()
    state = backend._state
    assert len(state.dead) == 0 and not state.segments
    assert len(state.base or []) == backend.count() == 60
    assert dense_keys(backend, records[30].abstract, limit=1) == [records[30].key]
    # Old generations' files are collected.
    manifests = sorted(p.name for p in (tmp_path / "vectors").glob("manifest-*.json"))
    assert len(manifests) <= 3
    backend.close()


class _FailingWriter:
    """Stands in for tantivy's writer and fails at one method."""

    def __init__(self, writer: Any, method: str, after: int = 0) -> None:
        self._writer, self._method, self._left = writer, method, after

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._writer, name)
        if name != self._method:
            return attribute

        def fail(*args: Any, **kwargs: Any) -> Any:
            if self._left <= 0:
                raise OSError("disk full")
            self._left -= 1
            return attribute(*args, **kwargs)

        return fail


def test_a_failed_commit_leaves_the_last_commit_on_disk(
    tmp_path: Path, corpus: list[PatentRecord], vectors: dict, encoder: Any
) -> None:
    backend = EmbeddedBackend(tmp_path, encoder)
    fill(backend, corpus[:5], vectors)
    matrix = np.vstack([vectors[r.key] for r in corpus[5:8]])
    backend.upsert_with_vectors(corpus[5:8], matrix)
    # The vector files of the next generation get written, then tantivy's commit fails.
    backend._writer = _FailingWriter(backend._writer, "commit")
    with pytest.raises(OSError, match="disk full"):
        backend.commit()
    assert (tmp_path / "vectors" / "manifest-00000002.json").exists()
    reopened = EmbeddedBackend(tmp_path, encoder)
    assert reopened.count() == 5
    assert reopened.get(corpus[6].key) is None
    assert dense_keys(reopened, corpus[6].abstract, limit=10).count(corpus[6].key) == 0
    reopened.close()
    # The failed batch was discarded; writing goes on, over the orphaned files.
    assert backend.count() == 5
    fill(backend, corpus[5:8], vectors)
    assert backend.count() == 8
    assert dense_keys(backend, corpus[6].abstract, limit=1) == [corpus[6].key]
    backend.close()


def test_a_failure_while_writing_a_batch_discards_the_uncommitted_changes(
    tmp_path: Path, corpus: list[PatentRecord], vectors: dict, encoder: Any
) -> None:
    backend = EmbeddedBackend(tmp_path, encoder)
    fill(backend, corpus[:2], vectors)
    backend.upsert_with_vectors([corpus[2]], vectors[corpus[2].key][None, :])
    backend._writer = _FailingWriter(backend._writer, "add_document", after=1)
    with pytest.raises(OSError):
        backend.upsert_with_vectors(corpus[3:6], np.vstack([vectors[r.key] for r in corpus[3:6]]))
    backend.commit()  # nothing left to commit
    assert backend.count() == 2
    assert backend.get(corpus[2].key) is None and backend.get(corpus[3].key) is None
    assert {
        hit.key
        for hit in backend.search(
            SearchRequest(query=corpus[0].title, mode="bm25", explain=False)
        ).hits
    } >= {corpus[0].key}
    backend.close()


def test_vectors_must_fit_the_batch(
    tmp_path: Path, corpus: list[PatentRecord], vectors: dict, encoder: Any
) -> None:
    backend = EmbeddedBackend(tmp_path, encoder)
    with pytest.raises(ValueError, match="2 records but 1 vectors"):
        backend.upsert_with_vectors(corpus[:2], np.zeros((1, 512)))
    with pytest.raises(ValueError, match="shape"):
        backend.upsert_with_vectors(corpus[:1], np.zeros((1, 384)))
    bad = np.full((1, 512), np.nan)
    with pytest.raises(ValueError, match="NaN"):
        backend.upsert_with_vectors(corpus[:1], bad)
    backend.commit()
    assert backend.count() == 0
    backend.close()


@dataclasses.dataclass
class _OtherEncoder:
    name: str = "another-model"
    dimension: int = 512

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.zeros((len(texts), self.dimension), dtype=np.float32)


def test_an_index_refuses_another_encoder(
    tmp_path: Path, corpus: list[PatentRecord], vectors: dict, encoder: Any
) -> None:
    backend = EmbeddedBackend(tmp_path, encoder)
    fill(backend, corpus[:1], vectors)
    backend.close()
    with pytest.raises(ValueError, match="use-multilingual-v3"):
        EmbeddedBackend(tmp_path, _OtherEncoder())  # type: ignore[arg-type]


def test_one_writer_at_a_time(
    tmp_path: Path, corpus: list[PatentRecord], vectors: dict, encoder: Any
) -> None:
    first = EmbeddedBackend(tmp_path, encoder)
    second = EmbeddedBackend(tmp_path, encoder, lock_timeout=0.2)
    first.upsert_with_vectors(corpus[:1], vectors[corpus[0].key][None, :])
    with pytest.raises(IndexLockedError, match="another process is writing"):
        second.upsert_with_vectors(corpus[1:2], vectors[corpus[1].key][None, :])
    first.commit()  # releases the lock
    second.upsert_with_vectors(corpus[1:2], vectors[corpus[1].key][None, :])
    second.commit()
    assert first.count() == second.count() == 2
    first.close()
    second.close()


READER = """
import sys
from ipcenter.search.embedded import EmbeddedBackend
backend = EmbeddedBackend(sys.argv[1])
print(backend.count(), flush=True)
sys.stdin.readline()
print(backend.count(), backend.get(sys.argv[2]) is not None, flush=True)
"""


def test_another_process_sees_each_commit(
    tmp_path: Path, corpus: list[PatentRecord], vectors: dict, encoder: Any
) -> None:
    writer = EmbeddedBackend(tmp_path, encoder)
    fill(writer, corpus[:2], vectors)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(tmp_path), corpus[3].key],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None and reader.stdin is not None
    assert reader.stdout.readline().split() == ["2"]
    fill(writer, corpus[2:4], vectors)
    reader.stdin.write("\n")
    reader.stdin.flush()
    assert reader.stdout.readline().split() == ["4", "True"]
    assert reader.wait(timeout=60) == 0
    writer.close()


@pytest.mark.parametrize("storage", ["flat", "fp16"])
def test_other_vector_storages(
    tmp_path: Path, corpus: list[PatentRecord], vectors: dict, encoder: Any, storage: str
) -> None:
    backend = EmbeddedBackend(tmp_path, encoder, storage=storage, merge_rows=10)
    fill(backend, corpus[:40], vectors)
    manifest = json.loads(next((tmp_path / "vectors").glob("manifest-*.json")).read_text())
    assert manifest["base_factory"].endswith({"flat": "Flat", "fp16": "SQfp16"}[storage])
    assert dense_keys(backend, corpus[7].abstract, limit=1) == [corpus[7].key]
    backend.close()


def test_has_ipc_and_exclusions_in_both_retrievers(
    tmp_path: Path, corpus: list[PatentRecord], vectors: dict, encoder: Any
) -> None:
    backend = EmbeddedBackend(tmp_path, encoder, merge_rows=10, exact_below=5)
    records = [r for r in corpus if r.source == "us_patents_ipc"][:40]
    records += [r for r in corpus if r.source == "patentsview_neural_network"][:40]
    fill(backend, records, vectors)
    with_ipc = {r.key for r in records if r.ipc}
    without = {r.key for r in records if not r.ipc}
    assert with_ipc and without
    for mode in ("bm25", "dense", "hybrid"):
        for has_ipc, expected in ((True, with_ipc), (False, without)):
            request = SearchRequest(
                query="network sensor",
                mode=mode,
                limit=100,
                explain=False,  # type: ignore[arg-type]
                filters=Filters(has_ipc=has_ipc, exclude_keys=(sorted(expected)[0],)),
            )
            keys = {hit.key for hit in backend.search(request).hits}
            assert keys and keys <= expected - {sorted(expected)[0]}
    backend.close()


def test_open_backend(tmp_path: Path, encoder: Any) -> None:
    from ipcenter.search.backends import open_backend
    from ipcenter.search.base import SearchBackend

    backend = open_backend("embedded", str(tmp_path / "new" / "index"), encoder=encoder)
    assert isinstance(backend, EmbeddedBackend) and isinstance(backend, SearchBackend)
    assert backend.count() == 0
    assert backend.search(SearchRequest(query="anything")).hits == []
    backend.close()
    with pytest.raises(ValueError, match="unknown search backend"):
        open_backend("solr", str(tmp_path))
