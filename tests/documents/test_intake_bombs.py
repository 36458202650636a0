"""ZIP bombs at case intake (API and page): refused before parsing; nothing stored or used."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ipcenter.documents.models import Document
from ipcenter.filings.selectors import quota_left
from ipcenter.patents.application import Paragraph, ParsedApplication
from ipcenter.preexam.models import Case, CaseVersion
from tests.conftest import Cast, client_for
from tests.documents.test_archive_limits import BOMBS, FAST, IDS
from tests.documents.test_upload import stored_files
from tests.preexam.factories import case_request, ready, submitted_case

pytestmark = pytest.mark.usefixtures("in_english")


def _quota(cast: Cast) -> int:
    return quota_left(organization=cast.ent_a, center=cast.shanghai, year=timezone.localdate().year)


def _nothing_stored(cast: Cast, quota_before: int) -> None:
    assert not Case.objects.exists()
    assert Document.objects.count() == 0
    assert stored_files() == []
    assert _quota(cast) == quota_before


@pytest.mark.parametrize(("label", "make", "message"), BOMBS, ids=IDS)
def test_the_intake_api_refuses_each_bomb(cast: Cast, label: str, make: Any, message: str) -> None:
    ready(cast)
    before = _quota(cast)
    request = case_request(cast.ent_a)
    body = {
        "center": "shanghai",
        "title": request.title,
        "patent_type": request.patent_type,
        "applicants": request.applicants,
        "inventors": request.inventors,
        "main_code": request.main_code,
    }
    started = time.perf_counter()
    response = client_for(cast.erin).post(
        "/api/v1/preexam/cases",
        {"request": json.dumps(body), "full": SimpleUploadedFile("application.docx", make())},
    )
    elapsed = time.perf_counter() - started
    print(f"POST /api/v1/preexam/cases refused {label} in {elapsed:.3f} s")
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == {"full": message}
    assert elapsed < FAST
    _nothing_stored(cast, before)


@pytest.mark.parametrize(("label", "make", "message"), BOMBS, ids=IDS)
def test_the_intake_page_refuses_each_bomb(cast: Cast, label: str, make: Any, message: str) -> None:
    ready(cast)
    before = _quota(cast)
    request = case_request(cast.ent_a)
    started = time.perf_counter()
    response = client_for(cast.erin).post(
        "/preexam/cases/new/",
        {
            "center": cast.shanghai.pk,
            "patent_type": "invention",
            "title": request.title,
            "applicants": cast.ent_a.name,
            "inventors": "\n".join(request.inventors),
            "main_code": request.main_code,
            "full": SimpleUploadedFile("application.docx", make()),
            "action": "submit",
        },
    )
    elapsed = time.perf_counter() - started
    print(f"POST /preexam/cases/new/ refused {label} in {elapsed:.3f} s")
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert elapsed < FAST
    _nothing_stored(cast, before)


def test_the_case_page_shows_a_bounded_part_of_a_huge_description(cast: Cast) -> None:
    """A case stored before the limits (the issue's 200 MB one) must not come back whole."""
    case = submitted_case(cast)
    version = CaseVersion.objects.get(case=case)
    app = ParsedApplication.from_dict(version.parsed)
    canary = "LAST-PARAGRAPH-CANARY"
    app.description = [Paragraph(text="lol " * 250) for _ in range(2000)]
    app.description.append(Paragraph(text=canary))
    CaseVersion.objects.filter(pk=version.pk).update(parsed=app.to_dict())  # as stored before

    response = client_for(cast.erin).get(f"/preexam/cases/{case.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert len(body) < 1_000_000  # the description alone is 2 MB
    assert canary not in body
    assert 'data-testid="description-cut"' in body
    assert "paragraphs are not shown here" in body
