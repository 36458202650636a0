"""Intake: request data checked, documents checked and parsed first, everything stored at once."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ipcenter.audit.models import AuditEvent
from ipcenter.documents.models import Document, DocumentGrant
from ipcenter.lib.errors import InvalidInput
from ipcenter.notifications.models import Notification
from ipcenter.patents.samples import seeded_defect
from ipcenter.preexam import services
from ipcenter.preexam.models import Case, CaseState, CaseVersion, Clock, ClockKind, Finding
from tests.conftest import Cast, client_for
from tests.documents import files
from tests.preexam.factories import (
    SAMPLE,
    SAMPLE_XML,
    case_request,
    docx_bytes,
    part_docx,
    png_upload,
    ready,
    sample_upload,
    submitted_case,
    upload,
)


def _nothing_stored() -> None:
    assert not Case.objects.exists()
    assert not Document.objects.filter(kind="application").exists()
    assert not AuditEvent.objects.filter(tag="preexam:case:submitted").exists()


def test_a_submission_stores_the_parsed_case_in_one_go(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(cast)

    assert case.state == CaseState.SUBMITTED
    assert case.reference.startswith("SH-") and case.reference.endswith("-00001")
    assert case.organization == cast.ent_a and case.agency is None
    assert case.main_code == "A61B 5/00"
    version = CaseVersion.objects.get(case=case)
    assert version.number == 1
    assert len(version.parsed["claims"]) == 10
    assert version.parsed["claims"][1]["depends_on"] == [1]
    docs = list(version.documents.select_related("document"))
    assert [d.part for d in docs] == ["full"]
    document = docs[0].document
    assert document.confidential and document.center == cast.shanghai
    assert document.organization == cast.ent_a
    assert case.events.filter(action="submitted").exists()
    assert AuditEvent.objects.filter(tag="preexam:case:submitted", subject_id=str(case.pk)).exists()
    clock = Clock.objects.get(case=case)
    assert clock.kind == ClockKind.DECISION and clock.stopped_at is None
    assert case.examiner == cast.bob
    assert Notification.objects.filter(recipient=cast.bob, tag="preexam:case:assigned").exists()


def test_references_count_up_per_center_and_year(cast: Cast) -> None:
    first = submitted_case(cast)
    second = submitted_case(cast, name=SAMPLE_XML, title="Another title")
    assert int(second.reference[-5:]) == int(first.reference[-5:]) + 1


def test_the_checker_flags_a_seeded_defect(cast: Cast) -> None:
    case = submitted_case(cast, data=seeded_defect(SAMPLE, "claim_forward_reference"))
    codes = set(Finding.objects.filter(version__case=case).values_list("code", flat=True))
    assert "claim_reference_forward" in codes
    finding = Finding.objects.get(version__case=case, code="claim_reference_forward")
    assert finding.location and finding.severity == "error"


def test_the_abstract_limit_comes_from_the_center_setting(cast: Cast) -> None:
    from ipcenter.centers.services import center_settings_change

    forty_words = " ".join(["word"] * 40) + "."
    data = docx_bytes(abstract=forty_words)
    case = submitted_case(cast, data=data, title="Gripper one")
    assert not Finding.objects.filter(version__case=case, code="abstract_too_long").exists()
    center_settings_change(
        center=cast.shanghai, actor=cast.alice, values={"abstract_max_chars": 50}, reason="short"
    )
    case = submitted_case(cast, data=data, title="Gripper two")
    finding = Finding.objects.get(version__case=case, code="abstract_too_long")
    assert finding.params["limit"] == 25


def test_an_agent_submits_for_an_enterprise_and_documents_are_shared(cast: Cast) -> None:
    case = submitted_case(cast, by_agent=True)
    assert case.organization == cast.ent_a and case.agency == cast.agency
    document = case.versions.get().documents.get().document
    # The application's documents are the applicant's, shared with the agency while engaged.
    assert document.organization == cast.ent_a and document.uploaded_by == cast.grace
    grant = DocumentGrant.objects.get(document=document, organization=cast.agency)
    assert grant.expires_at is None  # the engagement is open-ended


def test_split_parts_are_merged(cast: Cast) -> None:
    ready(cast)
    case = services.case_submit(
        actor=cast.erin,
        center=cast.shanghai,
        request=case_request(cast.ent_a),
        files=[
            ("claims", upload("claims.docx", part_docx("claims"))),
            ("description", upload("description.docx", part_docx("description"))),
            ("abstract", upload("abstract.docx", part_docx("abstract"))),
        ],
    )
    parsed = case.versions.get().parsed
    assert len(parsed["claims"]) == 2 and parsed["abstract"] and parsed["description"]
    assert parsed["claims"][1]["depends_on"] == [1]
    assert case.versions.get().documents.count() == 3


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"patent_type": "trademark"}, "patent_type"),
        ({"applicants": []}, "applicants"),
        ({"inventors": []}, "inventors"),
        ({"main_code": "Z99Q 1/00"}, "main_code"),
        ({"main_code": "A61B 9999/00"}, "main_code"),
        ({"further_codes": ["nonsense"]}, "further_codes"),
        (
            {"priority_claims": [{"country": "U", "number": "1", "date": "2025-01-01"}]},
            "priority_claims",
        ),
        (
            {"priority_claims": [{"country": "US", "number": "1", "date": "2999-01-01"}]},
            "priority_claims",
        ),
    ],
)
def test_bad_request_data_is_refused_before_anything_is_stored(
    cast: Cast, changes: dict[str, Any], field: str
) -> None:
    ready(cast)
    with pytest.raises(InvalidInput) as caught:
        services.case_submit(
            actor=cast.erin,
            center=cast.shanghai,
            request=case_request(cast.ent_a, **changes),
            files=[("full", sample_upload())],
        )
    assert field in caught.value.errors
    _nothing_stored()


def test_designs_take_locarno_classes(cast: Cast) -> None:
    ready(cast)
    case = services.case_submit(
        actor=cast.erin,
        center=cast.shanghai,
        request=case_request(cast.ent_a, patent_type="design", main_code="24-02"),
        files=[("drawings", png_upload("front.png"))],
    )
    assert case.main_code == "24-02"
    with pytest.raises(InvalidInput) as caught:
        services.case_submit(
            actor=cast.erin,
            center=cast.shanghai,
            request=case_request(cast.ent_a, patent_type="design", main_code="A61B 5/00"),
            files=[("drawings", png_upload("front.png"))],
        )
    assert "main_code" in caught.value.errors


def test_an_unparseable_document_stores_nothing_and_says_where(cast: Cast) -> None:
    ready(cast)
    broken = docx_bytes(claims=["A gripper."]).replace(b"word/document.xml", b"word/documen_.xml")
    with pytest.raises(InvalidInput) as caught:
        services.case_submit(
            actor=cast.erin,
            center=cast.shanghai,
            request=case_request(cast.ent_a),
            files=[("full", upload("application.docx", broken))],
        )
    assert "full" in caught.value.errors
    _nothing_stored()


def test_a_parse_error_names_the_part_and_the_place(cast: Cast) -> None:
    import docx

    ready(cast)
    document = docx.Document()
    document.add_paragraph("A gripper without its number.")
    document.add_paragraph("2. The gripper of claim 1.")
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(InvalidInput) as caught:
        services.case_submit(
            actor=cast.erin,
            center=cast.shanghai,
            request=case_request(cast.ent_a),
            files=[
                ("claims", upload("claims.docx", out.getvalue())),
                ("description", upload("description.docx", part_docx("description"))),
                ("abstract", upload("abstract.docx", part_docx("abstract"))),
            ],
        )
    message = caught.value.errors["claims"]
    assert "A gripper without its number" in message and "paragraph 1" in message
    _nothing_stored()


def test_an_xml_of_an_unknown_kind_is_refused(cast: Cast) -> None:
    ready(cast)
    with pytest.raises(InvalidInput) as caught:
        services.case_submit(
            actor=cast.erin,
            center=cast.shanghai,
            request=case_request(cast.ent_a),
            files=[("full", upload("application.xml", b"<?xml version='1.0'?><recipe/>"))],
        )
    assert "recipe" in caught.value.errors["full"]
    _nothing_stored()


def test_missing_parts_and_wrong_types_are_refused(cast: Cast) -> None:
    ready(cast)
    with pytest.raises(InvalidInput) as caught:
        services.case_submit(
            actor=cast.erin,
            center=cast.shanghai,
            request=case_request(cast.ent_a),
            files=[("claims", sample_upload())],
        )
    assert "files" in caught.value.errors
    with pytest.raises(InvalidInput) as caught:
        services.case_submit(
            actor=cast.erin,
            center=cast.shanghai,
            request=case_request(cast.ent_a),
            files=[("full", png_upload("application.png"))],
        )
    assert "full" in caught.value.errors
    with pytest.raises(InvalidInput):
        services.case_submit(
            actor=cast.erin,
            center=cast.shanghai,
            request=case_request(cast.ent_a),
            files=[("full", SimpleUploadedFile("application.docx", b"not a zip"))],
        )
    _nothing_stored()


def test_storage_failing_midway_leaves_nothing_half_stored(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    ready(cast)
    real_store = services.document_store
    calls: list[str] = []

    def failing_store(**kwargs: Any) -> Document:
        if calls:
            raise OSError("disk full")
        document = real_store(**kwargs)
        calls.append(document.file.name)
        return document

    monkeypatch.setattr(services, "document_store", failing_store)
    with pytest.raises(OSError, match="disk full"):
        services.case_submit(
            actor=cast.erin,
            center=cast.shanghai,
            request=case_request(cast.ent_a),
            files=[
                ("claims", upload("claims.docx", part_docx("claims"))),
                ("description", upload("description.docx", part_docx("description"))),
                ("abstract", upload("abstract.docx", part_docx("abstract"))),
            ],
        )
    _nothing_stored()
    assert not Document.objects.exists()
    from django.core.files.storage import default_storage

    assert calls and not default_storage.exists(calls[0])
    assert not Clock.objects.exists()


def test_the_api_takes_a_multipart_submission(cast: Cast) -> None:
    ready(cast)
    request = case_request(cast.ent_a)
    body = {
        "center": "shanghai",
        "title": request.title,
        "patent_type": request.patent_type,
        "applicants": request.applicants,
        "inventors": request.inventors,
        "main_code": request.main_code,
        "priority_claims": [{"country": "US", "number": "60/384,200", "date": "2002-05-30"}],
    }
    response = client_for(cast.erin).post(
        "/api/v1/preexam/cases", {"request": json.dumps(body), "full": sample_upload()}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "submitted" and data["versions"][0]["parsed"]["claims"]
    assert data["priority_claims"][0]["country"] == "US"
    case = Case.objects.get(pk=data["id"])
    assert str(case.priority_date) == "2002-05-30"


def test_the_api_answers_422_for_a_parse_error(cast: Cast) -> None:
    ready(cast)
    body = {
        "center": "shanghai",
        "title": "x",
        "patent_type": "invention",
        "applicants": [cast.ent_a.name],
        "inventors": ["I"],
        "main_code": "A61B 5/00",
    }
    response = client_for(cast.erin).post(
        "/api/v1/preexam/cases",
        {"request": json.dumps(body), "full": upload("a.xml", b"<?xml version='1.0'?><root/>")},
    )
    assert response.status_code == 422
    assert "full" in response.json()["errors"]
    response = client_for(cast.erin).post(
        "/api/v1/preexam/cases", {"request": "{not json", "full": sample_upload()}
    )
    assert response.status_code == 422
    _nothing_stored()


@pytest.mark.parametrize(
    "make",
    [
        files.docx_redirected_paragraphs,
        files.docx_long_prefix,
        files.docx_redirected_dtd,
        files.docx_redirected_utf16,
    ],
    ids=lambda make: make.__name__,
)
def test_a_hostile_docx_is_refused_before_it_is_parsed(cast: Cast, make: Any) -> None:
    """Security re-check of issue 9: the main part renamed through _rels/.rels (word/main.dat)
    or held under a long prefix is measured like word/document.xml, before python-docx opens
    it; the refusal comes at once and nothing is stored."""
    ready(cast)
    request = case_request(cast.ent_a)
    body = {
        "center": "shanghai",
        "title": request.title,
        "patent_type": request.patent_type,
        "applicants": request.applicants,
        "inventors": request.inventors,
        "main_code": request.main_code,
    }
    data = make()
    started = time.perf_counter()
    response = client_for(cast.erin).post(
        "/api/v1/preexam/cases",
        {"request": json.dumps(body), "full": upload("application.docx", data)},
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 422, response.content
    assert "full" in response.json()["errors"]
    assert elapsed < 1.0
    _nothing_stored()
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not a file of any known type", "The file type could not be recognised."),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "Files of type ELF are not accepted."),
    ],
)
def test_a_refused_type_names_what_the_part_accepts(
    in_english: Cast, content: bytes, expected: str
) -> None:
    cast = ready(in_english)
    with pytest.raises(InvalidInput) as caught:
        services.case_submit(
            actor=cast.erin,
            center=cast.shanghai,
            request=case_request(cast.ent_a),
            files=[("full", SimpleUploadedFile("application.pdf", content))],
        )
    message = str(caught.value.errors["full"])
    assert message == f"{expected} Accepted types: DOCX, PDF, XML."
    assert "unknown" not in message
    _nothing_stored()
