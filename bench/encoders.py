"""The product's text encoder, a disk cache of its vectors, and the composed document vectors of
the resampled corpora.

Embedding is the slow part of indexing (milliseconds a text on two cores), so every text is
embedded once and kept in ``.cache/bench/vectors.sqlite`` keyed by the model's name and the
SHA-1 of the text. A resampled document is made of real sentences, so its vector is composed:
the normalised mean of its sentences' vectors (:class:`ComposedEncoder`). The embedding rate
the benchmarks report is measured apart, on real documents embedded end to end.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.data import split_sentences


def product_encoder() -> Any:
    """The encoder the product indexes with (``$IPCENTER_ENCODER``, USE multilingual by
    default)."""
    from ipcenter.search.embedding import default_encoder

    return default_encoder()


class VectorCache:
    """Vectors by (model, SHA-1 of the text) in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, digest BLOB, vector BLOB, "
            "PRIMARY KEY (model, digest)) WITHOUT ROWID"
        )

    @staticmethod
    def digest(text: str) -> bytes:
        return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).digest()

    def get_many(self, model: str, digests: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(digests))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT digest, vector FROM vectors WHERE model = ? AND digest IN ({marks})",  # noqa: S608
                (model, *chunk),
            )
            for digest, blob in rows:
                found[digest] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model: str, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
            [(model, digest, np.asarray(v, dtype=np.float32).tobytes()) for digest, v in items],
        )
        self._db.commit()

    def close(self) -> None:
        self._db.close()


class CachedEncoder:
    """An encoder that looks texts up in the cache first and embeds only the missing ones.

    Queries (``encode_queries``, which the product's search calls) always go to the model.
    """

    def __init__(self, inner: Any, cache: VectorCache, batch_size: int = 128) -> None:
        self.inner = inner
        self.name = str(inner.name)
        self.dimension = int(inner.dimension)
        self.cache = cache
        self.batch_size = batch_size
        self.embedded = 0  # texts sent to the model
        self.embed_seconds = 0.0

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        started = time.perf_counter()
        out = [
            self.inner.encode(texts[i : i + self.batch_size])
            for i in range(0, len(texts), self.batch_size)
        ]
        self.embed_seconds += time.perf_counter() - started
        self.embedded += len(texts)
        return np.vstack(out) if out else np.zeros((0, self.dimension), dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        from ipcenter.search.embedding import encode_queries

        return encode_queries(self.inner, list(texts))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        digests = [VectorCache.digest(t) for t in texts]
        found = self.cache.get_many(self.name, digests)
        missing = list(
            {d: t for d, t in zip(digests, texts, strict=True) if d not in found}.items()
        )
        if missing:
            vectors = self._embed([t for _, t in missing])
            new = [(d, v) for (d, _), v in zip(missing, vectors, strict=True)]
            self.cache.put_many(self.name, new)
            found.update(new)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, digest in enumerate(digests):
            out[row] = found[digest]
        return out


class ComposedEncoder:
    """A document's vector is the normalised mean of its sentences' (cached) vectors; a
    query's is the model's, as in the product."""

    def __init__(self, cached: CachedEncoder) -> None:
        self.cached = cached
        self.name = cached.name
        self.dimension = cached.dimension
        self.compose_seconds = 0.0

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.cached.encode_queries(texts)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        started = time.perf_counter()
        texts = list(texts)
        pieces = [split_sentences(text) or [text] for text in texts]
        flat = [piece for group in pieces for piece in group]
        vectors = self.cached.encode(flat)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        row = 0
        for index, group in enumerate(pieces):
            mean = vectors[row : row + len(group)].mean(axis=0)
            row += len(group)
            norm = float(np.linalg.norm(mean))
            out[index] = mean / norm if norm > 0 else mean
        self.compose_seconds += time.perf_counter() - started
        return out
