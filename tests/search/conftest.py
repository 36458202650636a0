"""Session fixtures of the search tests: the real fixture corpus, its vectors (computed once),
and both backends built over it; fresh empty backends for the tests that write."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from ipcenter.patents.corpus import PatentRecord
from ipcenter.search.base import Encoder
from ipcenter.search.embedded import EmbeddedBackend
from ipcenter.search.embedding import UseEncoder, document_text, encode_documents
from ipcenter.search.milvus import MilvusBackend
from ipcenter.search.retrieval import RetrievalBackend
from tests.search.fixture_corpus import build_corpus

BACKEND_KINDS = ("embedded", "milvus")
# The embedded test index folds its segments into the HNSW graph early, so the graph (and
# filtered HNSW search) is what the conformance suite exercises, not only the exact scan.
EMBEDDED_OPTIONS = {"merge_rows": 64, "exact_below": 64}


@pytest.fixture(scope="session")
def data_dir() -> Path:
    from tests.conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared patent data is missing at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def corpus(data_dir: Path) -> list[PatentRecord]:
    return build_corpus(data_dir)


@pytest.fixture(scope="session")
def by_key(corpus: list[PatentRecord]) -> dict[str, PatentRecord]:
    return {record.key: record for record in corpus}


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return UseEncoder()


@pytest.fixture(scope="session")
def vectors(corpus: list[PatentRecord], encoder: Encoder) -> dict[str, np.ndarray]:
    """Every corpus document's vector, computed once for the whole session."""
    matrix = encode_documents(encoder, [document_text(record) for record in corpus])
    return {record.key: row for record, row in zip(corpus, matrix, strict=True)}


@pytest.fixture(scope="session")
def milvus_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Milvus Lite database file for the session (its server runs in this process)."""
    from milvus_lite.server_manager import server_manager_instance

    uri = str(tmp_path_factory.mktemp("milvus") / "search.db")
    yield uri
    server_manager_instance.release_server(uri)


BackendFactory = Callable[..., RetrievalBackend]


@pytest.fixture(scope="session")
def make_backend(
    tmp_path_factory: pytest.TempPathFactory, encoder: Encoder, milvus_uri: str
) -> Iterator[BackendFactory]:
    """``make_backend(kind, location=None, **options)``: a backend, new and empty unless
    ``location`` (a directory, or a Milvus collection name) names an existing one."""
    opened: list[RetrievalBackend] = []

    def make(kind: str, location: str | None = None, **options: object) -> RetrievalBackend:
        backend: RetrievalBackend
        if kind == "embedded":
            path = location or str(tmp_path_factory.mktemp("embedded"))
            backend = EmbeddedBackend(path, encoder, **{**EMBEDDED_OPTIONS, **options})  # type: ignore[arg-type]
        else:
            collection = location or f"c{uuid.uuid4().hex[:12]}"
            backend = MilvusBackend(milvus_uri, collection, encoder=encoder, **options)  # type: ignore[arg-type]
        opened.append(backend)
        return backend

    yield make
    for backend in opened:
        with contextlib.suppress(Exception):  # closed by its test already
            backend.close()


def location_of(backend: RetrievalBackend) -> str:
    """What ``make_backend`` needs to open ``backend``'s index again."""
    if isinstance(backend, EmbeddedBackend):
        return str(backend.path)
    assert isinstance(backend, MilvusBackend)
    return backend.collection


def fill(
    backend: RetrievalBackend,
    records: list[PatentRecord],
    vectors: dict[str, np.ndarray],
) -> None:
    """Upsert records with their session vectors and commit."""
    matrix = np.vstack([vectors[record.key] for record in records])
    backend.upsert_with_vectors(records, matrix)  # type: ignore[attr-defined]
    backend.commit()


@pytest.fixture(scope="session")
def built(
    make_backend: BackendFactory, corpus: list[PatentRecord], vectors: dict[str, np.ndarray]
) -> dict[str, RetrievalBackend]:
    """Both backends over the whole fixture corpus (read-only: tests that write make their
    own)."""
    backends = {}
    for kind in BACKEND_KINDS:
        backend = make_backend(kind)
        fill(backend, corpus, vectors)
        backends[kind] = backend
    return backends


@pytest.fixture(params=BACKEND_KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def index(kind: str, built: dict[str, RetrievalBackend]) -> RetrievalBackend:
    """The built backend of this test's kind."""
    return built[kind]
