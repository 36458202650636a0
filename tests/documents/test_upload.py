"""Uploads: real files of each type are kept with their SHA-256; anything else is refused."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from ipcenter.audit.models import AuditEvent
from ipcenter.documents.models import Document
from tests.conftest import Cast, client_for
from tests.documents import files

API = "/api/v1/documents"
PAGE = "/documents/"
ACCEPTED = "PDF, DOCX, XLSX, PNG, JPEG, TIFF, XML"


def stored_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def api_upload(client: Any, organization_id: int, name: str, data: bytes, **fields: Any) -> Any:
    payload = {"organization_id": organization_id, "kind": "general", **fields}
    payload["file"] = SimpleUploadedFile(name, data)
    return client.post(API, payload)


GOOD_FILES = [
    ("request.pdf", files.pdf_bytes, "application/pdf"),
    (
        "rules.docx",
        files.docx_bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("drawing.png", files.png_bytes, "image/png"),
    ("US08930553.xml", files.uspto_xml_bytes, "application/xml"),
]


@pytest.mark.parametrize(("name", "make", "mime"), GOOD_FILES)
def test_api_upload_keeps_file_and_its_sha256(cast: Cast, name: str, make: Any, mime: str) -> None:
    data = make()
    response = api_upload(client_for(cast.erin), cast.ent_a.pk, name, data, title="证明")
    assert response.status_code == 201
    body = response.json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert (body["original_name"], body["content_type"], body["size"]) == (name, mime, len(data))
    assert (body["organization_id"], body["title"], body["confidential"]) == (
        cast.ent_a.pk,
        "证明",
        True,
    )
    document = Document.objects.get(pk=body["id"])
    assert document.uploaded_by == cast.erin
    with document.file.open("rb") as stored:
        assert stored.read() == data
    assert name not in document.file.name  # the stored name reveals nothing
    [path] = stored_files()
    assert path.read_bytes() == data


def test_upload_is_audited(cast: Cast) -> None:
    data = files.pdf_bytes()
    body = api_upload(client_for(cast.erin), cast.ent_a.pk, "a.pdf", data).json()
    event = AuditEvent.objects.get(tag="documents:document:uploaded")
    assert event.subject_id == body["id"]
    assert event.organization_id == cast.ent_a.pk
    assert event.new["sha256"] == hashlib.sha256(data).hexdigest()


def test_page_upload_stores_the_document(cast: Cast) -> None:
    data = files.docx_bytes()
    response = client_for(cast.dave).post(
        PAGE,
        {
            "organization": cast.ent_a.pk,
            "kind": "ip_rules",
            "title": "IP rules",
            "confidential": "on",
            "file": SimpleUploadedFile("rules.docx", data),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == PAGE
    document = Document.objects.get()
    assert (document.kind, document.title, document.confidential) == ("ip_rules", "IP rules", True)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    listing = client_for(cast.erin).get(PAGE)
    assert [d.pk for d in listing.context["page"]] == [document.pk]


def test_uploading_for_another_organization_is_404(cast: Cast) -> None:
    client = client_for(cast.erin)
    other = api_upload(client, cast.ent_b.pk, "a.pdf", files.pdf_bytes())
    missing = api_upload(client, 999_999, "a.pdf", files.pdf_bytes())
    assert (other.status_code, missing.status_code) == (404, 404)
    assert other.json() == missing.json()
    assert Document.objects.count() == 0
    assert stored_files() == []


def test_page_does_not_offer_other_organizations(cast: Cast) -> None:
    response = client_for(cast.erin).post(
        PAGE,
        {
            "organization": cast.ent_b.pk,
            "kind": "general",
            "file": SimpleUploadedFile("a.pdf", files.pdf_bytes()),
        },
    )
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert Document.objects.count() == 0


REFUSED = [
    ("empty.pdf", lambda: b"", "The file is empty."),
    (
        "drawing.pdf",
        files.png_bytes,
        "The file name ends in .pdf but its content is PNG. Upload the file with its real type.",
    ),
    (
        "tool.exe",
        files.elf_bytes,
        f"Files of type ELF are not accepted. Accepted types: {ACCEPTED}.",
    ),
    (
        "tool.pdf",
        files.elf_bytes,
        f"Files of type ELF are not accepted. Accepted types: {ACCEPTED}.",
    ),
    (
        "bundle.zip",
        files.zip_bytes,
        f"The file type could not be recognised. Accepted types: {ACCEPTED}.",
    ),
    (
        "broken.pdf",
        files.truncated_pdf_bytes,
        "The PDF file is damaged or incomplete and cannot be read.",
    ),
    (
        "broken.xml",
        lambda: files.MALFORMED_XML,
        "The XML file is damaged or incomplete and cannot be read.",
    ),
    (
        "bomb.xml",
        lambda: files.ENTITY_BOMB,
        "The XML file is damaged or incomplete and cannot be read.",
    ),
]


@pytest.mark.parametrize(("name", "make", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_api_refuses_with_the_reason_in_english(
    cast: Cast, name: str, make: Any, message: str
) -> None:
    response = api_upload(client_for(cast.alice), cast.shanghai.organization.pk, name, make())
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == message
    assert body["errors"] == {"file": message}
    assert Document.objects.count() == 0
    assert stored_files() == []
    assert not AuditEvent.objects.filter(tag="documents:document:uploaded").exists()


@pytest.mark.parametrize(("name", "make"), [r[:2] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_api_refuses_for_chinese_speaker_too(cast: Cast, name: str, make: Any) -> None:
    # The catalogue may not be compiled yet, so only the shape of the answer is checked here.
    response = api_upload(client_for(cast.erin), cast.ent_a.pk, name, make())
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"file"}
    assert Document.objects.count() == 0
    assert stored_files() == []


def test_api_refuses_oversized_file(cast: Cast, settings: Any) -> None:
    settings.IPCENTER_MAX_UPLOAD_BYTES = 100
    data = files.pdf_bytes()
    response = api_upload(client_for(cast.alice), cast.shanghai.organization.pk, "a.pdf", data)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "file": f"The file is {len(data)}\xa0bytes; the limit is 100\xa0bytes."
    }
    assert Document.objects.count() == 0
    assert stored_files() == []


def test_file_at_the_limit_is_accepted(cast: Cast, settings: Any) -> None:
    data = files.png_bytes()
    settings.IPCENTER_MAX_UPLOAD_BYTES = len(data)
    response = api_upload(client_for(cast.alice), cast.shanghai.organization.pk, "a.png", data)
    assert response.status_code == 201


def test_unknown_kind_is_refused(cast: Cast) -> None:
    response = api_upload(
        client_for(cast.alice), cast.shanghai.organization.pk, "a.pdf", files.pdf_bytes(), kind="x"
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"kind"}
    assert stored_files() == []


@pytest.mark.parametrize(("name", "make", "message"), REFUSED[1:], ids=[r[0] for r in REFUSED[1:]])
def test_page_shows_the_reason_inline(cast: Cast, name: str, make: Any, message: str) -> None:
    response = client_for(cast.alice).post(
        PAGE,
        {
            "organization": cast.shanghai.organization.pk,
            "kind": "general",
            "file": SimpleUploadedFile(name, make()),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    assert Document.objects.count() == 0
    assert stored_files() == []


def test_page_refuses_empty_file(cast: Cast) -> None:
    response = client_for(cast.alice).post(
        PAGE,
        {
            "organization": cast.shanghai.organization.pk,
            "kind": "general",
            "file": SimpleUploadedFile("empty.pdf", b""),
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["file"]
    assert stored_files() == []


@pytest.mark.parametrize("who", ["bob", "sam", "ivan", "nina"])
def test_people_without_upload_role_are_refused(cast: Cast, who: str) -> None:
    response = api_upload(client_for(getattr(cast, who)), cast.ent_a.pk, "a.pdf", files.pdf_bytes())
    assert response.status_code == 404
    assert Document.objects.count() == 0
