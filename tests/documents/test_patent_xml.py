"""Real USPTO XML of the DOCTYPE era is accepted safely; declared entities stay refused."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ipcenter.documents.models import Document
from ipcenter.documents.validation import XML, UploadRejected, check_upload
from tests.conftest import Cast, client_for
from tests.documents import files

DOCTYPE_ERA = [
    "pap__US20010000044A1.xml",
    "pap__US20010000943A1.xml",
    "pap__US20010009014A1.xml",
    "sgml__US06336130.xml",
    "sgml__US06337117.xml",
    "sgml__USD435854S1.xml",
]
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE us-patent-grant [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<us-patent-grant>&secret;</us-patent-grant>
"""


def check(name: str, data: bytes) -> object:
    return check_upload(name=name, size=len(data), stream=io.BytesIO(data), max_bytes=10_000_000)


@pytest.mark.parametrize("name", DOCTYPE_ERA)
def test_doctype_era_uspto_xml_is_accepted(shared_data: Path, name: str) -> None:
    assert check(name, (shared_data / "uspto_xml" / name).read_bytes()) is XML


@pytest.mark.parametrize("data", [XXE, files.ENTITY_BOMB], ids=["external-entity", "bomb"])
def test_declared_entities_are_still_refused(data: bytes) -> None:
    with pytest.raises(UploadRejected) as caught:
        check("evil.xml", data)
    assert caught.value.reason == "malformed"


def test_pap_application_upload_through_the_api(cast: Cast, shared_data: Path) -> None:
    data = (shared_data / "uspto_xml" / "pap__US20010000943A1.xml").read_bytes()
    response = client_for(cast.erin).post(
        "/api/v1/documents",
        {
            "organization_id": cast.ent_a.pk,
            "kind": "general",
            "file": SimpleUploadedFile("US20010000943A1.xml", data),
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["content_type"], body["sha256"]) == (
        "application/xml",
        hashlib.sha256(data).hexdigest(),
    )
    assert Document.objects.filter(pk=body["id"]).exists()
