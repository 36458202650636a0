"""Who reaches the corpus: everyone with a role searches it, only analysts import into it,
nobody without a role sees anything, and forged ids learn nothing. The corpus holds published
documents only: a pre-examination case never enters it."""

from __future__ import annotations

from typing import Any

import pytest

from ipcenter.navigation import services
from ipcenter.navigation.models import ImportJob, PatentDocument
from ipcenter.patents.samples import sample_bytes
from tests.conftest import Cast, client_for, token_client
from tests.navigation.conftest import Corpus, Importer
from tests.preexam.factories import SAMPLE, submitted_case

PAGES = [
    "/navigation/?q=tillage",
    "/navigation/export.csv?q=tillage",
    "/navigation/documents/CNAPP85105156/",
    "/navigation/ipc/",
    "/navigation/ipc/A01B/",
    "/navigation/imports/",
]
API = [
    "/api/v1/navigation/search?q=tillage",
    "/api/v1/navigation/documents/CNAPP85105156",
    "/api/v1/navigation/ipc/A01B",
    "/api/v1/navigation/imports",
]


@pytest.fixture
def job(corpus: Corpus, stored: Importer) -> ImportJob:
    return stored(corpus.cn)


def test_a_person_without_a_role_is_refused_everywhere(cast: Cast, job: ImportJob) -> None:
    client = client_for(cast.nina)
    # Pages of one object answer as if it did not exist; the others refuse outright.
    for path in [*PAGES, f"/navigation/imports/{job.pk}/"]:
        expected = (403, 404) if "/documents/" in path or "/imports/" in path else (403,)
        assert client.get(path).status_code in expected, path
    for path in [*API, f"/api/v1/navigation/imports/{job.pk}"]:
        assert client.get(path).status_code in (403, 404), path
    assert client.post(f"/navigation/imports/{job.pk}/resume/").status_code == 404
    assert b"Patent search" not in client.get("/").content


@pytest.mark.parametrize("who", ["erin", "dave", "grace", "walt", "bob", "alice", "ivan"])
def test_applicants_and_other_staff_search_but_never_reach_the_imports(
    cast: Cast, job: ImportJob, who: str
) -> None:
    person = getattr(cast, who)
    client = client_for(person)
    assert client.get("/navigation/documents/CNAPP85105156/").status_code == 200
    assert client.get("/navigation/ipc/A01B/").status_code == 200
    for path in ("/navigation/imports/", f"/navigation/imports/{job.pk}/"):
        assert client.get(path).status_code in (403, 404), path
    assert client.post(f"/navigation/imports/{job.pk}/cancel/").status_code in (403, 404)
    api = client.get(f"/api/v1/navigation/imports/{job.pk}/rejections")
    assert api.status_code in (403, 404)
    home = client.get("/").content.decode()
    assert 'data-testid="nav-patent-search"' in home
    assert 'data-testid="nav-corpus-imports"' not in home


def test_forged_ids_answer_as_missing(cast: Cast, job: ImportJob) -> None:
    client = client_for(cast.nora)
    assert client.get(f"/navigation/imports/{job.pk}/").status_code == 200
    for path in (
        "/navigation/imports/999999/",
        "/navigation/imports/abc/",
        "/navigation/documents/US0000000000/",
        "/navigation/ipc/Z99Z/",
        "/navigation/ipc/A01B9999000000/",
    ):
        assert client.get(path).status_code == 404, path
    api, headers = token_client(cast.nora)
    for path in (
        "/api/v1/navigation/imports/999999",
        "/api/v1/navigation/imports/999999/rejections",
        "/api/v1/navigation/documents/US0000000000",
        "/api/v1/navigation/ipc/Z99Z",
    ):
        answer = api.get(path, **headers)
        assert answer.status_code == 404, path
    assert api.post("/api/v1/navigation/imports/999999/resume", **headers).status_code == 404


def test_the_system_administrator_imports_too(cast: Cast, job: ImportJob) -> None:
    assert client_for(cast.sam).get(f"/navigation/imports/{job.pk}/").status_code == 200


def test_a_pre_examination_case_never_enters_the_corpus(
    cast: Cast, job: ImportJob, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(cast, data=sample_bytes(SAMPLE))
    assert PatentDocument.objects.count() == job.created == 20
    assert not PatentDocument.objects.filter(title__icontains=case.title[:30]).exists()
    assert services.corpus_reindex(pending_only=True) == 20
    client = client_for(cast.bob)
    page = client.get("/navigation/", {"q": f'"{case.title}"', "mode": "bm25"})
    assert page.status_code == 200
    assert b'data-testid="result"' not in page.content
    api = client.get("/api/v1/navigation/search", {"q": case.title, "mode": "hybrid"}).json()
    assert all(hit["key"].startswith("CN") for hit in api["hits"])
