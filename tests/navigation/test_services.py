"""Import jobs: create, run, count, dedupe, reject, fail, resume, cancel, recover; the index
follows the table after commit."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ipcenter.audit.models import AuditEvent
from ipcenter.lib.errors import Conflict, InvalidInput
from ipcenter.navigation import engine, services
from ipcenter.navigation.models import ImportJob, ImportRejection, ImportState, PatentDocument
from tests.conftest import Cast
from tests.navigation.conftest import Corpus, Importer, head_lines

S = ImportState


def _counts_add_up(job: ImportJob) -> None:
    assert job.read == job.created + job.updated + job.unchanged + job.rejected
    for source in job.sources:
        if not source["skipped"]:
            assert source["read"] == sum(
                source[k] for k in ("created", "updated", "unchanged", "rejected")
            )
    assert job.read == sum(s["read"] for s in job.sources)


def test_an_import_fills_the_table_and_the_index(corpus: Corpus, imported: Importer) -> None:
    job = imported(*corpus.files)
    assert job.state == S.SUCCEEDED, job.error
    assert job.read == 55 and job.rejected == 0
    _counts_add_up(job)
    assert [s["label"] for s in job.sources] == [p.name for p in corpus.files]
    assert all(s["done"] and s["position"] == s["read"] for s in job.sources)
    assert [s["format"] for s in job.sources] == [
        "jsonl-us-ipc",
        "jsonl-cn-a01",
        "jsonl-energy-cpc",
    ]
    assert PatentDocument.objects.count() == job.created == 55
    assert not PatentDocument.objects.filter(indexed_at__isnull=True).exists()
    assert engine.get_backend().count() == 55
    doc = PatentDocument.objects.get(key="US10917092")
    assert doc.title == "Magnetic field sensor with switching network"
    assert doc.main_ipc == "H03K 17/97" and doc.language == "en"
    assert doc.to_record().key == "US10917092"
    chinese = PatentDocument.objects.get(key="CNAPP85105156")
    assert chinese.title == "利用苕子根茬免耕种植法" and chinese.main_ipc == "A01B"
    tags = list(AuditEvent.objects.filter(subject_id=str(job.pk)).values_list("tag", flat=True))
    assert sorted(tags) == [
        "navigation:import:queued",
        "navigation:import:running",
        "navigation:import:succeeded",
    ]


def test_importing_the_same_files_again_changes_nothing(corpus: Corpus, imported: Importer) -> None:
    first = imported(*corpus.files)
    stamps = dict(PatentDocument.objects.values_list("key", "updated_at"))
    again = imported(*corpus.files)
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    assert dict(PatentDocument.objects.values_list("key", "updated_at")) == stamps
    assert PatentDocument.objects.count() == first.created


def _patentsview_rows(source: Path, target: Path, rows: range) -> Path:
    with source.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        chosen = [row for i, row in enumerate(reader) if i in rows]
    out = io.StringIO()
    csv.writer(out).writerows([header, *chosen])
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


def test_the_same_publication_from_two_sources_is_one_document(
    shared_data: Path, tmp_path: Path, imported: Importer
) -> None:
    # US 8,311,961, 8,744,986 and 8,793,203 are in both sets: us_patents_ipc.jsonl has their
    # IPC and assignee, PatentsView their grant date.
    lines = tmp_path / "us_patents_ipc.jsonl"
    with (shared_data / "us_patents_ipc.jsonl").open(encoding="utf-8") as fh:
        lines.write_text(
            "".join(line for i, line in enumerate(fh) if i in (4829, 4886, 5316)),
            encoding="utf-8",
        )
    rows = _patentsview_rows(
        shared_data / "raw" / "patentsview_neural_network.csv",
        tmp_path / "patentsview_neural_network.csv",
        range(686, 689),
    )
    first = imported(lines)
    assert first.created == 3
    second = imported(rows)
    assert (second.created, second.updated) == (0, 3)
    assert PatentDocument.objects.count() == 3
    doc = PatentDocument.objects.get(key="US8311961")
    assert doc.publication_date == dt.date(2012, 11, 13)
    assert doc.ipc[:2] == ["G06E 1/00", "G06N 3/02"]
    assert doc.applicants == ["International Business Machines Corporation"]
    assert doc.source == "patentsview_neural_network.csv"
    assert engine.get_backend().count() == 3
    assert engine.get_backend().get("US8311961").publication_date == dt.date(2012, 11, 13)


def test_a_malformed_record_is_a_rejection_not_the_end(
    shared_data: Path, tmp_path: Path, imported: Importer
) -> None:
    # A file cut off in the middle of a line, as an interrupted download leaves it.
    path = head_lines(shared_data / "us_patents_ipc.jsonl", tmp_path / "us_patents_ipc.jsonl", 20)
    with (shared_data / "us_patents_ipc.jsonl").open(encoding="utf-8") as fh:
        lines = fh.readlines()[20:23]
    path.write_text(
        path.read_text(encoding="utf-8") + lines[0][:80] + "\n" + lines[1] + lines[2],
        encoding="utf-8",
    )
    job = imported(path)
    assert job.state == S.SUCCEEDED
    assert (job.read, job.created, job.rejected) == (23, 22, 1)
    rejection = ImportRejection.objects.get(job=job)
    assert rejection.position == 20 and rejection.source == "us_patents_ipc.jsonl"
    assert "line 21" in rejection.reason
    assert rejection.excerpt.startswith('{"id": ')
    _counts_add_up(job)


def test_a_crash_resumes_from_the_last_batch_without_duplicates(
    db: Any,
    corpus: Corpus,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.IPCENTER_CORPUS_BATCH_SIZE = 8
    real_write = services._write_documents
    calls = {"n": 0}

    def crash_on_the_fourth_batch(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("the worker lost its database connection")
        real_write(*args, **kwargs)

    monkeypatch.setattr(services, "_write_documents", crash_on_the_fourth_batch)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.corpus_import_create(actor=None, paths=corpus.files, enqueue=False)
        job = services.corpus_import_run(job_id=job.pk)
    assert job.state == S.FAILED
    assert "lost its database connection" in job.error
    # Three batches committed (the US file's 20 records: 8, 8, 4); the fourth, the first of
    # the Chinese file, was rolled back.
    assert job.read == 20 and PatentDocument.objects.count() == 20
    assert [s["position"] for s in job.sources] == [20, 0, 0]
    assert [s["done"] for s in job.sources] == [True, False, False]
    assert engine.get_backend().count() == 20

    monkeypatch.setattr(services, "_write_documents", real_write)
    with django_capture_on_commit_callbacks(execute=True):
        services.corpus_import_resume(actor=None, job=job, enqueue=False)
        job = services.corpus_import_run(job_id=job.pk)
    assert job.state == S.SUCCEEDED and job.error == ""
    assert (job.read, job.created, job.unchanged) == (55, 55, 0)
    _counts_add_up(job)
    assert PatentDocument.objects.count() == 55
    assert engine.get_backend().count() == 55
    tags = AuditEvent.objects.filter(subject_id=str(job.pk)).order_by("id")
    assert [e.tag.rsplit(":", 1)[1] for e in tags] == [
        "queued",
        "running",
        "failed",
        "queued",
        "running",
        "succeeded",
    ]


def test_a_cancelled_job_stops_before_its_next_batch_and_can_resume(
    db: Any, corpus: Corpus, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.IPCENTER_CORPUS_BATCH_SIZE = 10

    class CancelAfterFirstBatch:
        def source_started(self, index: int, source: dict[str, Any]) -> None:
            pass

        def advanced(self, index: int, count: int) -> None:
            services.corpus_import_cancel(actor=None, job=ImportJob.objects.get())

        def source_finished(self, index: int, source: dict[str, Any]) -> None:
            pass

    with django_capture_on_commit_callbacks(execute=True):
        job = services.corpus_import_create(actor=None, paths=[corpus.us], enqueue=False)
        job = services.corpus_import_run(job_id=job.pk, progress=CancelAfterFirstBatch())
    assert job.state == S.CANCELLED and job.read == 10
    with django_capture_on_commit_callbacks(execute=True):
        services.corpus_import_resume(actor=None, job=job, enqueue=False)
        job = services.corpus_import_run(job_id=job.pk)
    assert job.state == S.SUCCEEDED and (job.read, job.created) == (20, 20)


def test_a_job_is_run_by_one_worker_only(corpus: Corpus, imported: Importer) -> None:
    job = imported(corpus.us)
    again = services.corpus_import_run(job_id=job.pk)  # a second worker, too late
    assert again.state == S.SUCCEEDED and again.read == 20
    with pytest.raises(Conflict):
        services.corpus_import_resume(actor=None, job=job, enqueue=False)


def test_an_interrupted_job_is_queued_again_by_the_sweep(
    corpus: Corpus, db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = services.corpus_import_create(actor=None, paths=[corpus.us], enqueue=False)
    services._claim(job)  # a worker claims it, then dies
    assert services.corpus_imports_sweep() == 0  # still fresh
    with pytest.raises(Conflict):
        services.corpus_import_resume(actor=None, job=job, enqueue=False)
    with (
        time_machine.travel(timezone.now() + dt.timedelta(minutes=3)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.corpus_imports_sweep() == 1  # queued again, and run by the worker
    job.refresh_from_db()
    assert job.state == S.SUCCEEDED and job.created == 20 and job.attempt == 2
    tags = AuditEvent.objects.filter(subject_id=str(job.pk)).values_list("tag", flat=True)
    assert list(tags.order_by("id"))[-3:] == [
        "navigation:import:queued",  # by the sweep
        "navigation:import:running",
        "navigation:import:succeeded",
    ]


def test_a_job_that_keeps_killing_its_worker_is_failed_not_queued_again(
    corpus: Corpus, db: Any
) -> None:
    job = services.corpus_import_create(actor=None, paths=[corpus.us], enqueue=False)
    ImportJob.objects.filter(pk=job.pk).update(attempt=4)
    services._claim(job)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3)):
        assert services.corpus_imports_sweep() == 1
    job.refresh_from_db()
    assert job.state == S.FAILED and job.error.startswith("interrupted")
    services.corpus_import_resume(actor=None, job=job, enqueue=False)  # an analyst decides


def test_reference_files_and_unknown_files_are_skipped_with_their_reason(
    shared_data: Path, corpus: Corpus, imported: Importer
) -> None:
    scheme = shared_data / "uspto_xml" / "cpcScheme__cpc-scheme-A01L.xml"
    job = imported(corpus.us, scheme)
    assert job.state == S.SUCCEEDED
    skipped = {s["label"]: s["skipped"] for s in job.sources}
    assert skipped["us_patents_ipc.jsonl"] == ""
    assert skipped["cpcScheme__cpc-scheme-A01L.xml"]
    assert job.created == 20


def test_the_pending_sweep_indexes_what_was_not_indexed(corpus: Corpus, db: Any) -> None:
    # Without the commit callbacks (as when the index was down), the rows wait.
    job = services.corpus_import_create(actor=None, paths=[corpus.cn], enqueue=False)
    services.corpus_import_run(job_id=job.pk)
    assert PatentDocument.objects.filter(indexed_at__isnull=True).count() == 20
    assert services.corpus_reindex(pending_only=True) == 20
    assert not PatentDocument.objects.filter(indexed_at__isnull=True).exists()
    assert engine.get_backend().count() == 20
    assert services.corpus_reindex(pending_only=True) == 0
    assert services.corpus_reindex() == 20  # a full rebuild writes everything again
    assert engine.get_backend().count() == 20


# --- who may import, and what --------------------------------------------------------------


def _upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def test_an_analyst_uploads_a_file_and_the_worker_imports_it(
    corpus: Corpus, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.corpus_import_create(actor=cast.nora, upload=_upload(corpus.cn))
    job.refresh_from_db()
    assert job.state == S.SUCCEEDED and job.created == 20
    assert job.created_by == cast.nora and job.upload_name == "cn_patents_a01.jsonl"
    assert job.sources[0]["format"] == "jsonl-cn-a01"


def test_server_paths_are_for_the_command_line_only(corpus: Corpus, cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        services.corpus_import_create(actor=cast.nora, paths=[corpus.us])
    with pytest.raises(PermissionDenied):
        services.corpus_import_create(actor=cast.bob, upload=_upload(corpus.us))
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("path", "name", "message"),
    [
        ("uspto_xml/cpcScheme__cpc-scheme-A01L.xml", None, "reference data"),
        ("phrase_similarity.jsonl", None, "reference data"),
        ("README.md", "README.txt", "not in a patent data format"),
        ("raw/ipc_scheme_2020_en.tsv", None, "JSON Lines, CSV, XML or a ZIP"),
        ("raw/wipo_ipc_technology_concordance.xlsx", None, "JSON Lines, CSV, XML or a ZIP"),
    ],
)
def test_files_that_are_not_patent_data_are_refused(
    in_english: Cast, shared_data: Path, tmp_path: Path, path: str, name: str | None, message: str
) -> None:
    source = shared_data / path
    if source.stat().st_size > 200_000:
        source = head_lines(source, tmp_path / source.name, 200)
    with pytest.raises(InvalidInput) as refused:
        services.corpus_import_create(actor=in_english.nora, upload=_upload(source, name))
    assert message in str(refused.value.message)
    assert not ImportJob.objects.exists()


def test_a_file_over_the_size_limit_is_refused(
    in_english: Cast, corpus: Corpus, settings: Any
) -> None:
    settings.IPCENTER_CORPUS_MAX_UPLOAD_BYTES = 1024 * 1024
    big = SimpleUploadedFile("us_patents_ipc.jsonl", corpus.us.read_bytes() * 50)
    with pytest.raises(InvalidInput, match="larger than 1 MB"):
        services.corpus_import_create(actor=in_english.nora, upload=big)


def test_the_same_import_feeds_milvus(
    corpus: Corpus, imported: Importer, settings: Any, tmp_path: Path
) -> None:
    """IPCENTER_SEARCH_BACKEND=milvus (here Milvus Lite in a file) behind the same engine."""
    settings.IPCENTER_SEARCH_BACKEND = "milvus"
    settings.IPCENTER_MILVUS_URI = str(tmp_path / "milvus.db")
    engine.reset_backend()
    job = imported(corpus.cn)
    assert job.created == 20
    backend = engine.get_backend()
    assert backend.name != "embedded" and backend.count() == 20
    assert not PatentDocument.objects.filter(indexed_at__isnull=True).exists()
    from ipcenter.navigation.selectors import CorpusQuery, corpus_search

    results = corpus_search(CorpusQuery(q="免耕", mode="bm25"), limit=5, offset=0)
    assert results.hits[0].key == "CNAPP85105156"


def test_the_sweeps_run_every_minute_in_the_worker() -> None:
    from huey.contrib.djhuey import HUEY

    due = {t.name for t in HUEY.read_periodic(dt.datetime(2026, 3, 2, 10, 7))}
    assert {"corpus_imports_requeue", "preexam_analyses_requeue"} <= due
