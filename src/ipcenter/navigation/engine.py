"""The corpus's search index, as this process sees it.

One backend per process, opened on first use from the settings (IPCENTER_SEARCH_BACKEND,
IPCENTER_SEARCH_DIR, IPCENTER_MILVUS_URI). The table of documents is the truth; the index is
derived from it: rows are written first, and indexed after their transaction commits, so a
rolled-back batch never reaches the index. A row whose indexing failed keeps ``indexed_at``
empty and is picked up by the pending sweep (``index_pending``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ipcenter.navigation.models import PatentDocument

if TYPE_CHECKING:
    from ipcenter.search.base import SearchBackend

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_backend: SearchBackend | None = None
# Rows read from the table and written to the index at a time.
CHUNK = 500
# Rows marked indexed per UPDATE (a chain of ORs; SQLite limits the expression depth).
_MARK_CHUNK = 200


def backend_location() -> str:
    if settings.IPCENTER_SEARCH_BACKEND == "milvus":
        return str(settings.IPCENTER_MILVUS_URI)
    return str(settings.IPCENTER_SEARCH_DIR)


def get_backend() -> SearchBackend:
    """The process's backend, opened on first use."""
    global _backend
    with _lock:
        if _backend is None:
            from ipcenter.search.backends import open_backend

            kind = settings.IPCENTER_SEARCH_BACKEND
            if kind == "embedded":
                settings.IPCENTER_SEARCH_DIR.mkdir(parents=True, exist_ok=True)
            _backend = open_backend(kind, backend_location())
        return _backend


def reset_backend() -> None:
    """Close the backend; the next get_backend() opens it again from the settings (tests)."""
    global _backend
    with _lock:
        if _backend is not None:
            try:
                _backend.close()
            except Exception:  # closing a broken index must not hide the reason it broke
                logger.exception("closing the search backend failed")
        _backend = None


def _mark_indexed(documents: list[PatentDocument]) -> None:
    """Mark the rows indexed, unless their content changed since they were read."""
    now = timezone.now()
    for start in range(0, len(documents), _MARK_CHUNK):
        chunk = documents[start : start + _MARK_CHUNK]
        same = reduce(or_, (Q(pk=d.pk, content_hash=d.content_hash) for d in chunk))
        PatentDocument.objects.filter(same).update(indexed_at=now)


def _index(documents: list[PatentDocument]) -> int:
    if not documents:
        return 0
    backend = get_backend()
    backend.upsert(d.to_record() for d in documents)
    backend.commit()
    _mark_indexed(documents)
    return len(documents)


def index_records(keys: Iterable[str]) -> int:
    """Write the rows with these keys to the index (after their transaction committed)."""
    wanted = list(dict.fromkeys(keys))
    done = 0
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        done += _index(list(PatentDocument.objects.filter(key__in=chunk)))
    return done


def index_pending(*, progress: Callable[[int], None] | None = None) -> int:
    """Index every row that is not in the index yet (or changed since it was indexed)."""
    done = 0
    last_id = 0
    while True:
        chunk = list(
            PatentDocument.objects.filter(indexed_at__isnull=True, pk__gt=last_id).order_by("pk")[
                :CHUNK
            ]
        )
        if not chunk:
            return done
        last_id = chunk[-1].pk
        done += _index(chunk)
        if progress is not None:
            progress(len(chunk))


def reindex_all(*, progress: Callable[[int], None] | None = None) -> int:
    """Write every row of the table to the index again (replacing by key)."""
    done = 0
    last_id = 0
    while True:
        chunk = list(PatentDocument.objects.filter(pk__gt=last_id).order_by("pk")[:CHUNK])
        if not chunk:
            return done
        last_id = chunk[-1].pk
        done += _index(chunk)
        if progress is not None:
            progress(len(chunk))
