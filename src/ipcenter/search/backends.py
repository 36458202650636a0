"""Opening a search backend by kind: "embedded" (a directory) or "milvus" (a URI)."""

from __future__ import annotations

from pathlib import Path

from ipcenter.search.base import Encoder, SearchBackend

__all__ = ["BACKENDS", "open_backend"]

BACKENDS = ("embedded", "milvus")


def open_backend(kind: str, location: str, *, encoder: Encoder | None = None) -> SearchBackend:
    """The backend of ``kind`` at ``location``: a directory for "embedded" (created if
    missing), a Milvus URI for "milvus" (``http://host:19530``, or a local ``.db`` file for
    Milvus Lite; an optional ``#collection`` suffix names the collection, "patents" by
    default). ``encoder`` defaults to the process's default encoder (or, for an existing
    index, must match the one it was built with)."""
    if kind == "embedded":
        from ipcenter.search.embedded import EmbeddedBackend

        path = Path(location)
        path.mkdir(parents=True, exist_ok=True)
        return EmbeddedBackend(path, encoder=encoder)
    if kind == "milvus":
        from ipcenter.search.milvus import MilvusBackend

        uri, _, collection = location.partition("#")
        return MilvusBackend(uri, collection or "patents", encoder=encoder)
    raise ValueError(f"unknown search backend {kind!r}; use one of {', '.join(BACKENDS)}")
