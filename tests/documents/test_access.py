"""Who may open a document; everyone else gets the same 404 as for an id that does not exist."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ipcenter.audit.models import AuditEvent
from ipcenter.documents.models import Document
from ipcenter.documents.services import document_grant, document_store, documents_visible_to
from tests.conftest import Cast, client_for
from tests.documents import files

DATA = files.pdf_bytes()


def store(cast: Cast, *, center: Any = None, confidential: bool = True) -> Document:
    return document_store(
        actor=cast.erin,
        organization=cast.ent_a,
        upload=SimpleUploadedFile("request.pdf", DATA),
        center=center,
        confidential=confidential,
    )


@pytest.fixture
def document(cast: Cast) -> Document:
    """Enterprise A's confidential request, sent to the Shanghai center."""
    return store(cast, center=cast.shanghai)


def content(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def downloads() -> int:
    return AuditEvent.objects.filter(tag="documents:document:downloaded").count()


@pytest.mark.parametrize("who", ["erin", "dave", "alice"])
def test_entitled_people_download_through_api(cast: Cast, document: Document, who: str) -> None:
    client = client_for(getattr(cast, who))
    meta = client.get(f"/api/v1/documents/{document.pk}")
    assert meta.status_code == 200
    assert meta.json()["sha256"] == document.sha256
    response = client.get(f"/api/v1/documents/{document.pk}/content")
    assert response.status_code == 200
    assert content(response) == DATA
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'attachment; filename="request.pdf"'


@pytest.mark.parametrize("who", ["erin", "alice"])
def test_entitled_people_download_through_page(cast: Cast, document: Document, who: str) -> None:
    client = client_for(getattr(cast, who))
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    response = client.get(f"/documents/{document.pk}/download/")
    assert response.status_code == 200
    assert content(response) == DATA


@pytest.mark.parametrize("who", ["frank", "carol", "sam", "grace", "ivan", "bob", "nina"])
def test_others_get_the_same_404_as_for_a_missing_id(
    cast: Cast, document: Document, who: str
) -> None:
    client = client_for(getattr(cast, who))
    for suffix in ("", "/content"):
        real = client.get(f"/api/v1/documents/{document.pk}{suffix}")
        random = client.get(f"/api/v1/documents/{uuid.uuid4()}{suffix}")
        malformed = client.get(f"/api/v1/documents/not-a-uuid{suffix}")
        assert real.status_code == random.status_code == malformed.status_code == 404
        assert real.json() == random.json() == malformed.json()
    assert downloads() == 0


@pytest.mark.parametrize("who", ["frank", "carol", "sam"])
def test_others_get_404_on_the_pages(cast: Cast, document: Document, who: str) -> None:
    client = client_for(getattr(cast, who))
    assert client.get(f"/documents/{document.pk}/").status_code == 404
    assert client.get(f"/documents/{document.pk}/download/").status_code == 404
    assert client.get(f"/documents/{uuid.uuid4()}/download/").status_code == 404
    assert client.get("/documents/not-a-uuid/download/").status_code == 404


def test_center_manager_needs_the_document_to_be_sent_to_her_center(cast: Cast) -> None:
    unsent = store(cast)
    assert client_for(cast.alice).get(f"/api/v1/documents/{unsent.pk}").status_code == 404
    assert client_for(cast.erin).get(f"/api/v1/documents/{unsent.pk}").status_code == 200


def test_each_download_of_confidential_document_is_audited(cast: Cast, document: Document) -> None:
    client_for(cast.alice).get(f"/api/v1/documents/{document.pk}/content")
    client_for(cast.erin).get(f"/documents/{document.pk}/download/", REMOTE_ADDR="192.0.2.5")
    events = list(AuditEvent.objects.filter(tag="documents:document:downloaded").order_by("id"))
    assert [(e.actor_label, e.subject_id) for e in events] == [
        ("alice", str(document.pk)),
        ("erin", str(document.pk)),
    ]
    assert events[1].client_address == "192.0.2.5"
    assert events[0].center == cast.shanghai


def test_download_of_public_document_is_not_audited(cast: Cast) -> None:
    public = store(cast, confidential=False)
    response = client_for(cast.erin).get(f"/api/v1/documents/{public.pk}/content")
    assert content(response) == DATA
    assert downloads() == 0


def test_grant_gives_the_agency_access(cast: Cast, document: Document) -> None:
    client = client_for(cast.grace)
    assert client.get(f"/api/v1/documents/{document.pk}/content").status_code == 404
    document_grant(actor=cast.dave, document=document, organization=cast.agency)
    response = client.get(f"/api/v1/documents/{document.pk}/content")
    assert response.status_code == 200
    assert content(response) == DATA
    assert [d.pk for d in documents_visible_to(cast.grace)] == [document.pk]
    listed = client.get("/api/v1/documents").json()
    assert [d["id"] for d in listed] == [str(document.pk)]
    assert AuditEvent.objects.filter(tag="documents:document:granted").count() == 1


def test_grant_is_only_for_the_owner(cast: Cast, document: Document) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        document_grant(actor=cast.frank, document=document, organization=cast.ent_b)
    assert client_for(cast.frank).get(f"/api/v1/documents/{document.pk}").status_code == 404


def test_lists_show_only_what_one_may_open(cast: Cast, document: Document) -> None:
    other = document_store(
        actor=cast.frank,
        organization=cast.ent_b,
        upload=SimpleUploadedFile("b.png", files.png_bytes()),
    )
    assert [d["id"] for d in client_for(cast.erin).get("/api/v1/documents").json()] == [
        str(document.pk)
    ]
    assert [d["id"] for d in client_for(cast.frank).get("/api/v1/documents").json()] == [
        str(other.pk)
    ]
    alice_page = client_for(cast.alice).get("/documents/")
    assert [d.pk for d in alice_page.context["page"]] == [document.pk]


def test_viewing_a_confidential_pdf_shows_it_inline_and_is_audited(
    cast: Cast, document: Document
) -> None:
    response = client_for(cast.alice).get(
        f"/documents/{document.pk}/view/", REMOTE_ADDR="192.0.2.9"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert content(response) == DATA
    assert "default-src 'none'" in response["Content-Security-Policy"]
    event = AuditEvent.objects.get(tag="documents:document:viewed")
    assert (event.actor_label, event.subject_id, event.client_address) == (
        "alice",
        str(document.pk),
        "192.0.2.9",
    )


def test_viewing_someone_elses_document_is_refused_and_leaves_no_trace(
    cast: Cast, document: Document
) -> None:
    assert client_for(cast.frank).get(f"/documents/{document.pk}/view/").status_code == 404
    assert client_for(cast.sam).get(f"/documents/{document.pk}/view/").status_code == 404
    assert not AuditEvent.objects.filter(tag="documents:document:viewed").exists()
