"""`ipcenter corpus import | reindex | status` on real files of the shared data set."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from ipcenter.navigation import engine, services
from ipcenter.navigation.models import ImportJob, ImportOrigin, ImportState, PatentDocument
from tests.navigation.conftest import head_lines


def corpus_cmd(*args: str, capture: Any) -> str:
    out = io.StringIO()
    with capture(execute=True):
        call_command("corpus", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_reads_csv_zip_and_jsonl_and_reports_per_file(
    shared_data: Path, tmp_path: Path, db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(shared_data / "raw" / "ritonavir_804.csv", folder)
    shutil.copy(shared_data / "uspto_xml" / "ipgb20230404_wk14.zip", folder)
    head_lines(shared_data / "cn_patents_a01.jsonl", folder / "cn_patents_a01.jsonl", 50)
    # A reference file in the same folder is skipped, with its reason.
    shutil.copy(shared_data / "uspto_xml" / "cpcMaster__cpcMaster.xml", folder)

    report = corpus_cmd(
        "import", str(folder), "--no-progress", capture=django_capture_on_commit_callbacks
    )

    job = ImportJob.objects.get()
    assert job.origin == ImportOrigin.CLI and job.created_by is None
    assert job.state == ImportState.SUCCEEDED
    by_label = {s["label"]: s for s in job.sources}
    assert by_label["cn_patents_a01.jsonl"]["created"] == 50
    assert by_label["ritonavir_804.csv"]["read"] == 804
    assert by_label["ipgb20230404_wk14.zip"]["created"] > 0
    assert by_label["cpcMaster__cpcMaster.xml"]["skipped"]
    for label in ("cn_patents_a01.jsonl", "ritonavir_804.csv", "ipgb20230404_wk14.zip"):
        line = next(x for x in report.splitlines() if x.startswith(label))
        source = by_label[label]
        assert line.split()[1:] == [
            str(source[k]) for k in ("read", "created", "updated", "unchanged", "rejected")
        ]
    assert "Skipped files:" in report and "cpcMaster__cpcMaster.xml:" in report
    assert f"Import #{job.pk}: succeeded" in report
    if job.rejected:
        assert "Rejected records, by reason:" in report
    assert PatentDocument.objects.count() == job.created
    assert engine.get_backend().count() == PatentDocument.objects.count()


def test_a_failed_import_is_resumed_from_the_command_line(
    shared_data: Path,
    tmp_path: Path,
    db: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.IPCENTER_CORPUS_BATCH_SIZE = 10
    path = head_lines(shared_data / "us_patents_ipc.jsonl", tmp_path / "us_patents_ipc.jsonl", 35)
    real_write = services._write_documents
    calls = {"n": 0}

    def crash_once(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        real_write(*args, **kwargs)

    monkeypatch.setattr(services, "_write_documents", crash_once)
    with pytest.raises(CommandError, match="resume with: ipcenter corpus import --resume"):
        corpus_cmd("import", str(path), "--no-progress", capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.state == ImportState.FAILED and job.read == 20

    report = corpus_cmd(
        "import",
        "--resume",
        str(job.pk),
        "--no-progress",
        capture=django_capture_on_commit_callbacks,
    )
    job.refresh_from_db()
    assert job.state == ImportState.SUCCEEDED and (job.read, job.created) == (35, 35)
    assert "succeeded" in report
    assert PatentDocument.objects.count() == 35


def test_bad_arguments_are_refused(db: Any, tmp_path: Path) -> None:
    # The command speaks the installation's language; this test reads its English messages.
    with translation.override("en"), pytest.raises(CommandError, match="PATH"):
        call_command("corpus", "import", stdout=io.StringIO())
    with translation.override("en"), pytest.raises(CommandError, match="No such file"):
        call_command("corpus", "import", str(tmp_path / "nothing.jsonl"), stdout=io.StringIO())
    with translation.override("en"), pytest.raises(CommandError, match="no import job #42"):
        call_command("corpus", "import", "--resume", "42", stdout=io.StringIO())


def test_status_and_reindex(
    shared_data: Path, tmp_path: Path, db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    path = head_lines(shared_data / "cn_patents_a01.jsonl", tmp_path / "cn_patents_a01.jsonl", 30)
    job = services.corpus_import_create(actor=None, paths=[path], enqueue=False)
    services.corpus_import_run(job_id=job.pk)  # not indexed: no commit callbacks here
    status = corpus_cmd("status", capture=django_capture_on_commit_callbacks)
    assert "Documents:          30" in status
    assert "Waiting for index:  30" in status
    assert "In the index:       0" in status
    assert "By office:          CN 30" in status
    out = corpus_cmd("reindex", "--pending", capture=django_capture_on_commit_callbacks)
    assert "Indexed 30 documents" in out
    status = corpus_cmd("status", capture=django_capture_on_commit_callbacks)
    assert "Waiting for index:  0" in status and "In the index:       30" in status
    out = corpus_cmd("reindex", capture=django_capture_on_commit_callbacks)
    assert "Indexed 30 documents" in out
