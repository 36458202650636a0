"""The analysts' imports: upload, progress polled by htmx, rejections, resume; and the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ipcenter.navigation import services
from ipcenter.navigation.models import ImportJob, ImportState, PatentDocument
from tests.conftest import Cast, client_for, token_client
from tests.navigation.conftest import Corpus

pytestmark = pytest.mark.usefixtures("in_english")

S = ImportState


def _damaged(shared_data: Path, target: Path, broken: int, good: int) -> Path:
    """Real lines of us_patents_ipc.jsonl, the last `broken` cut in half (a broken export)."""
    with (shared_data / "us_patents_ipc.jsonl").open(encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(good + broken)]
    damaged = lines[:good] + [line[: len(line) // 2] + "\n" for line in lines[good:]]
    target.write_text("".join(damaged), encoding="utf-8")
    return target


def test_an_analyst_uploads_a_file_and_reads_the_result(
    cast: Cast, corpus: Corpus, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast.nora)
    page = client.get("/navigation/imports/")
    assert page.status_code == 200 and b'data-testid="import-form"' in page.content
    # The menu marks this page, not the search page whose address is a prefix of it.
    menu = page.content.decode()
    assert menu.count('aria-current="page"') == 1
    assert 'aria-current="page" data-testid="nav-corpus-imports"' in menu
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/navigation/imports/",
            {"file": SimpleUploadedFile("cn_patents_a01.jsonl", corpus.cn.read_bytes())},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/navigation/imports/{job.pk}/"
    detail = client.get(response["Location"])
    body = detail.content.decode()
    assert 'data-state="succeeded"' in body
    assert 'data-testid="count-created">20<' in body
    assert "hx-trigger" not in body  # finished: no polling
    assert "No record was rejected." in body
    listing = client.get("/navigation/imports/").content.decode()
    assert "cn_patents_a01.jsonl" in listing and "20 documents in the corpus" in listing


def test_a_bad_upload_is_refused_with_a_message(cast: Cast, shared_data: Path) -> None:
    scheme = (shared_data / "uspto_xml" / "cpcScheme__cpc-scheme-A01L.xml").read_bytes()
    response = client_for(cast.nora).post(
        "/navigation/imports/", {"file": SimpleUploadedFile("cpc-scheme-A01L.xml", scheme)}
    )
    assert response.status_code == 200
    assert b"This file is reference data, not patent documents" in response.content
    assert not ImportJob.objects.exists()


def test_progress_is_polled_while_the_job_runs(cast: Cast, corpus: Corpus) -> None:
    job = services.corpus_import_create(actor=None, paths=[corpus.us], enqueue=False)
    client = client_for(cast.nora)
    page = client.get(f"/navigation/imports/{job.pk}/").content.decode()
    poll = f'hx-get="/navigation/imports/{job.pk}/?progress=1"'
    assert poll in page and 'hx-trigger="every 2s"' in page
    partial = client.get(f"/navigation/imports/{job.pk}/?progress=1", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert b"<html" not in partial.content and poll.encode() in partial.content
    assert "HX-Refresh" not in partial
    services.corpus_import_run(job_id=job.pk)
    done = client.get(f"/navigation/imports/{job.pk}/?progress=1", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    assert b'data-testid="count-read">20 / 20<' in done.content
    assert b"hx-trigger" not in done.content


def test_rejections_are_listed_page_by_page(cast: Cast, shared_data: Path, tmp_path: Path) -> None:
    path = _damaged(shared_data, tmp_path / "us_patents_ipc.jsonl", broken=30, good=5)
    job = services.corpus_import_create(actor=None, paths=[path], enqueue=False)
    job = services.corpus_import_run(job_id=job.pk)
    assert (job.rejected, job.created) == (30, 5)
    client = client_for(cast.nora)
    first = client.get(f"/navigation/imports/{job.pk}/").content.decode()
    assert first.count('data-testid="rejection"') == 25 and "Page 1 of 2" in first
    second = client.get(f"/navigation/imports/{job.pk}/?page=2").content.decode()
    assert second.count('data-testid="rejection"') == 5
    api, headers = token_client(cast.nora)
    answer = api.get(
        f"/api/v1/navigation/imports/{job.pk}/rejections?offset=20&limit=20", **headers
    ).json()
    assert answer["total"] == 30 and len(answer["items"]) == 10
    assert answer["items"][0]["position"] == 25 and "line 26" in answer["items"][0]["reason"]


def test_a_failed_job_is_resumed_from_its_page(
    cast: Cast,
    corpus: Corpus,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.IPCENTER_CORPUS_BATCH_SIZE = 10
    real_write = services._write_documents
    calls = {"n": 0}

    def crash_once(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the worker was stopped")
        real_write(*args, **kwargs)

    monkeypatch.setattr(services, "_write_documents", crash_once)
    job = services.corpus_import_create(actor=None, paths=[corpus.us], enqueue=False)
    job = services.corpus_import_run(job_id=job.pk)
    assert job.state == S.FAILED
    client = client_for(cast.nora)
    page = client.get(f"/navigation/imports/{job.pk}/").content.decode()
    assert 'data-testid="import-resume"' in page and "the worker was stopped" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/navigation/imports/{job.pk}/resume/", follow=True)
    job.refresh_from_db()
    assert job.state == S.SUCCEEDED and (job.read, job.created) == (20, 20)
    assert PatentDocument.objects.count() == 20
    assert b"goes on where it stopped" in response.content
    # Resuming a finished job is refused with a message, not an error page.
    again = client.post(f"/navigation/imports/{job.pk}/resume/", follow=True)
    assert again.status_code == 200
    assert b"An import that is \xe2\x80\x9cSucceeded\xe2\x80\x9d cannot become" in again.content


def test_a_queued_job_is_cancelled(cast: Cast, corpus: Corpus) -> None:
    job = services.corpus_import_create(actor=None, paths=[corpus.us], enqueue=False)
    client_for(cast.nora).post(f"/navigation/imports/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.state == S.CANCELLED
    assert services.corpus_import_run(job_id=job.pk).state == S.CANCELLED
    assert not PatentDocument.objects.exists()


def test_the_api_imports_an_upload_and_shows_its_progress(
    cast: Cast, corpus: Corpus, shared_data: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client, headers = token_client(cast.nora)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            "/api/v1/navigation/imports",
            {"file": SimpleUploadedFile("us_patents_ipc.jsonl", corpus.us.read_bytes())},
            **headers,
        )
    assert created.status_code == 201
    job_id = created.json()["id"]
    job = client.get(f"/api/v1/navigation/imports/{job_id}", **headers).json()
    assert job["state"] == "succeeded" and job["created"] == 20 and job["percent"] == 100
    assert job["created_by"] == "nora" and job["sources"][0]["format"] == "jsonl-us-ipc"
    assert job["moves"] == []
    listed = client.get("/api/v1/navigation/imports", **headers).json()
    assert [j["id"] for j in listed] == [job_id]
    refused = client.post(
        "/api/v1/navigation/imports",
        {"file": SimpleUploadedFile("README.txt", (shared_data / "README.md").read_bytes())},
        **headers,
    )
    assert refused.status_code == 422
    assert "not in a patent data format" in refused.json()["detail"]
    assert client.get("/api/v1/navigation/imports/999999", **headers).status_code == 404
    resumed = client.post(f"/api/v1/navigation/imports/{job_id}/resume", **headers)
    assert resumed.status_code == 409


def test_the_home_page_shows_the_corpus_to_analysts(
    cast: Cast, corpus: Corpus, stored: Any
) -> None:
    stored(corpus.cn)
    home = client_for(cast.nora).get("/").content.decode()
    assert "Patent corpus" in home and "20 documents in the corpus" in home
    assert "20 waiting for the search index" in home
    assert "cn_patents_a01.jsonl" in home
    assert "Patent corpus" not in client_for(cast.bob).get("/").content.decode()


def test_a_replayed_import_is_refused_once_the_role_is_gone(
    cast: Cast, corpus: Corpus, django_capture_on_commit_callbacks: Any
) -> None:
    """Security re-check of issue 9: a retry with the same Idempotency-Key is answered like a
    fresh request (403) after the analyst lost the role, not with the stored job."""
    from ipcenter.accounts.models import Membership

    client = client_for(cast.nora)

    def send() -> Any:
        return client.post(
            "/api/v1/navigation/imports",
            {"file": SimpleUploadedFile("cn_patents_a01.jsonl", corpus.cn.read_bytes())},
            HTTP_IDEMPOTENCY_KEY="import-1",
        )

    with django_capture_on_commit_callbacks(execute=True):
        first = send()
    assert first.status_code == 201, first.content
    again = send()
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    Membership.objects.filter(user=cast.nora).delete()
    replay = send()
    assert replay.status_code == 403, replay.content
    assert str(first.json()["id"]) not in replay.content.decode()
