"""Role-matrix probes for the navigation area's endpoints (merged by tests/test_role_matrix.py).

Searching the corpus needs any role: Erin (an applicant) and Bob (a pre-examiner) search, Nina
(no role) is refused. Imports are the navigation analysts': Nora is served, Bob is refused.
Neither permission is checked against a center, so there is no wrong-scope probe; a job or
document that does not exist answers 404 (tests/navigation/test_confidentiality.py).

The probes' documents and jobs come from the demo corpus shipped in the package (real data).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from ipcenter.navigation import services
from ipcenter.navigation.demo import demo_paths
from ipcenter.navigation.models import ImportJob, ImportState
from tests.matrix_support import Case, Value, World

SEARCH = {"allowed": "erin", "wrong_role": "nina"}
EXAMINER_SEARCH = {"allowed": "bob", "wrong_role": "nina"}
IMPORT = {"allowed": "nora", "wrong_role": "bob"}
DOCUMENT_KEY = "CNAPP85105156"  # the first record of the demo's cn_patents_a01.jsonl
_CN_DEMO = "cn_patents_a01.jsonl"


def _sample_lines(count: int = 5) -> bytes:
    path = next(p for p in demo_paths() if p.name == _CN_DEMO)
    with path.open("rb") as fh:
        return b"".join(next(fh) for _ in range(count))


def _sample_file() -> Path:
    """In the test's media folder, which each test has to itself (tests/conftest.py)."""
    folder = Path(settings.MEDIA_ROOT) / "matrix"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / _CN_DEMO
    path.write_bytes(_sample_lines())
    return path


def _upload(w: World) -> dict[str, Any]:
    return {"file": SimpleUploadedFile(_CN_DEMO, _sample_lines())}


def _documents(w: World) -> None:
    def build() -> ImportJob:
        job = services.corpus_import_create(actor=None, paths=[_sample_file()], enqueue=False)
        return services.corpus_import_run(job_id=job.pk)

    w.once("navigation:documents", build)


def _job(w: World, state: str) -> ImportJob:
    def build() -> ImportJob:
        job = services.corpus_import_create(actor=None, paths=[_sample_file()], enqueue=False)
        if state == ImportState.FAILED:
            services.import_transition(job=job, to=ImportState.RUNNING, actor=None)
            services.import_transition(
                job=job, to=ImportState.FAILED, actor=None, updates={"error": "matrix"}
            )
        return job

    job: ImportJob = w.once(f"navigation:job:{state}", build)
    return job


QUEUED: Value = lambda w: {"job_id": _job(w, ImportState.QUEUED).pk}  # noqa: E731
FAILED: Value = lambda w: {"job_id": _job(w, ImportState.FAILED).pk}  # noqa: E731
DOCUMENT: Value = lambda w: {"key": DOCUMENT_KEY}  # noqa: E731


def _built(value: Value) -> Any:
    """Build the probe's objects before the request (and before the audit rows are counted)."""
    return lambda w, client: value(w)


def _with_documents(w: World, client: Any) -> None:
    _documents(w)


QUERY = {"q": "免耕 tillage"}

CASES: dict[str, Case] = {
    # pages
    "GET /navigation/": Case(**SEARCH, data=lambda w: QUERY),
    "GET /navigation/export.csv": Case(**EXAMINER_SEARCH, data=lambda w: QUERY),
    "GET /navigation/documents/{key}/": Case(**SEARCH, args=DOCUMENT, before=_with_documents),
    "GET /navigation/ipc/": Case(**EXAMINER_SEARCH),
    "GET /navigation/ipc/{symbol}/": Case(**SEARCH, args=lambda w: {"symbol": "A01B"}),
    "GET /navigation/imports/": Case(**IMPORT),
    "POST /navigation/imports/": Case(**IMPORT, data=_upload),
    "GET /navigation/imports/{job_id}/": Case(**IMPORT, args=QUEUED, before=_built(QUEUED)),
    "POST /navigation/imports/{job_id}/resume/": Case(**IMPORT, args=FAILED, before=_built(FAILED)),
    "POST /navigation/imports/{job_id}/cancel/": Case(**IMPORT, args=QUEUED, before=_built(QUEUED)),
    # API
    "GET /api/v1/navigation/search": Case(**SEARCH, data=lambda w: QUERY, token=True),
    "GET /api/v1/navigation/documents/{key}": Case(
        **EXAMINER_SEARCH, args=DOCUMENT, before=_with_documents
    ),
    "GET /api/v1/navigation/ipc/{symbol}": Case(
        **SEARCH, args=lambda w: {"symbol": "A01B 1/02"}, token=True
    ),
    "GET /api/v1/navigation/imports": Case(**IMPORT, token=True),
    "POST /api/v1/navigation/imports": Case(**IMPORT, data=_upload, multipart=True, token=True),
    "GET /api/v1/navigation/imports/{job_id}": Case(
        **IMPORT, args=QUEUED, before=_built(QUEUED), token=True
    ),
    "GET /api/v1/navigation/imports/{job_id}/rejections": Case(
        **IMPORT, args=QUEUED, before=_built(QUEUED)
    ),
    "POST /api/v1/navigation/imports/{job_id}/resume": Case(
        **IMPORT, args=FAILED, before=_built(FAILED), token=True
    ),
    "POST /api/v1/navigation/imports/{job_id}/cancel": Case(
        **IMPORT, args=QUEUED, before=_built(QUEUED)
    ),
}
