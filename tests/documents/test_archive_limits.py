"""ZIP bombs: a DOCX or XLSX is measured before anything unpacks it, and refused quickly.

The issue's file weighed 416 KB, unpacked to 200 MB, took over two minutes at intake and made
every view of its case return 200 MB. Each bomb here is refused at the documents endpoint (API
and page) in well under a second, with a message saying why, and nothing is stored.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ipcenter.audit.models import AuditEvent
from ipcenter.documents.models import Document
from ipcenter.documents.validation import DOCX, XLSX, UploadRejected, check_upload
from ipcenter.lib.archives import ArchiveLimits, ArchiveRefused, inspect_zip
from tests.conftest import Cast, client_for
from tests.documents import files
from tests.documents.test_upload import API, PAGE, api_upload, stored_files

pytestmark = pytest.mark.usefixtures("in_english")

SAMPLES = Path(__file__).resolve().parents[2] / "src" / "ipcenter" / "patents" / "samples"
CONCORDANCE = files.SHARED_DATA / "raw" / "wipo_ipc_technology_concordance.xlsx"

# Sanity bound only: the issue asks for under a second (measured by hand, see the report).
FAST = 5.0

BOMBS: list[tuple[str, Callable[[], bytes], str]] = [
    (
        "unpacks_to_200mb",
        files.docx_bomb,
        "The DOCX file would unpack to more than 50.0\xa0MB; such a file cannot be accepted. "
        "Remove embedded objects or split the document.",
    ),
    (
        "many_entries",
        files.docx_many_entries,
        "The DOCX file holds 5017 parts; at most 1000 are accepted.",
    ),
    (
        "high_ratio",
        files.docx_high_ratio,
        "The DOCX file contains a part compressed 1027 to 1 (at most 100 to 1 is accepted); "
        "it is refused as a possible ZIP bomb.",
    ),
    (
        "many_paragraphs",
        files.docx_many_paragraphs,
        "The DOCX document has more than 20000 paragraphs; split it into smaller documents.",
    ),
    (
        "entities_inside",
        files.docx_with_dtd,
        "The DOCX file declares a DTD or XML entities, which office documents never contain; "
        "it is refused for safety.",
    ),
    # Security re-check: the main document is wherever _rels/.rels points, not by name.
    (
        "paragraphs_in_a_renamed_main_part",
        files.docx_redirected_paragraphs,
        "The DOCX document has more than 20000 paragraphs; split it into smaller documents.",
    ),
    (
        "paragraphs_under_a_long_prefix",
        files.docx_long_prefix,
        "The DOCX document has more than 20000 paragraphs; split it into smaller documents.",
    ),
    (
        "entities_in_a_renamed_main_part",
        files.docx_redirected_dtd,
        "The DOCX file declares a DTD or XML entities, which office documents never contain; "
        "it is refused for safety.",
    ),
    (
        "main_part_in_utf16",
        files.docx_redirected_utf16,
        "The DOCX file is damaged or incomplete and cannot be read.",
    ),
]
IDS = [b[0] for b in BOMBS]


def _check(data: bytes, name: str = "bomb.docx") -> Any:
    return check_upload(
        name=name, size=len(data), stream=io.BytesIO(data), max_bytes=20 * 1024 * 1024
    )


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.docx")), ids=lambda p: p.name)
def test_every_real_docx_sample_is_within_the_limits(path: Path) -> None:
    data = path.read_bytes()
    assert _check(data, path.name) is DOCX
    summary = inspect_zip(io.BytesIO(data), ArchiveLimits())
    assert summary.paragraphs is not None and summary.paragraphs < 1000


def test_a_real_workbook_is_within_the_limits() -> None:
    data = CONCORDANCE.read_bytes()
    assert _check(data, CONCORDANCE.name) is XLSX


def test_a_small_docx_with_a_few_bomb_paragraphs_is_accepted() -> None:
    assert _check(files.docx_built([files.BOMB_PARAGRAPH] * 100)) is DOCX


@pytest.mark.parametrize(("label", "make", "message"), BOMBS, ids=IDS)
def test_check_upload_refuses_each_bomb(label: str, make: Any, message: str) -> None:
    data = make()
    started = time.perf_counter()
    with pytest.raises(UploadRejected) as caught:
        _check(data)
    elapsed = time.perf_counter() - started
    print(f"check_upload refused {label} ({len(data)} bytes) in {elapsed:.3f} s")
    assert caught.value.reason.startswith("archive_") or label == "main_part_in_utf16"
    assert elapsed < FAST


def test_the_limits_are_settings(cast: Cast, settings: Any) -> None:
    settings.IPCENTER_DOCUMENT_MAX_PARAGRAPHS = 50
    data = files.docx_built([files.BOMB_PARAGRAPH] * 60)
    response = api_upload(client_for(cast.alice), cast.shanghai.organization.pk, "a.docx", data)
    assert response.status_code == 422
    assert "more than 50 paragraphs" in response.json()["detail"]
    settings.IPCENTER_DOCUMENT_MAX_PARAGRAPHS = 20_000
    settings.IPCENTER_ARCHIVE_MAX_ENTRIES = 10
    response = api_upload(client_for(cast.alice), cast.shanghai.organization.pk, "a.docx", data)
    assert response.status_code == 422
    assert "at most 10 are accepted" in response.json()["detail"]


@pytest.mark.parametrize("prefix", ["w", "q" * 45, "é" * 300, "q" * 1_000])
def test_paragraphs_are_counted_under_any_prefix_across_blocks(prefix: str) -> None:
    """Tags longer than the overlap of two 64 KB blocks are still counted exactly once, in
    whatever part holds them (here word/main.dat, where _rels/.rels points)."""
    count = 700
    main = files._word_part(
        f"<{prefix}:p/>" * count + f"<{prefix}:p >x</{prefix}:p>", prefix=prefix
    )
    summary = inspect_zip(io.BytesIO(files.docx_redirected(main)), ArchiveLimits())
    # One paragraph in word/document.xml, and every one of main.dat's.
    assert summary.paragraphs == 1 + count + 1


def test_paragraphs_are_summed_over_parts() -> None:
    main = files._word_part("<w:p/>" * 600)
    data = files.docx_redirected(main)
    assert inspect_zip(io.BytesIO(data), ArchiveLimits(max_paragraphs=601)).paragraphs == 601
    with pytest.raises(ArchiveRefused) as caught:
        inspect_zip(io.BytesIO(data), ArchiveLimits(max_paragraphs=600))
    assert caught.value.reason == "too_many_paragraphs"


def test_a_media_part_is_not_read_as_xml() -> None:
    """A binary part (an image) never reaches an XML parser: bytes in it that look like a DTD
    do not refuse the file."""
    png = files.png_bytes() + b"<!ENTITY in the pixels <w:p/>"
    data = files.docx_built([files.BOMB_PARAGRAPH], extra=[("word/media/image1.png", png)])
    assert _check(data) is DOCX


def test_a_lying_directory_cannot_unpack_more_than_it_declares() -> None:
    """Sizes are judged from the directory; zipfile stops reading an entry at its declared size
    and the checksum then fails, so the scan is refused as damaged rather than unpacking on."""
    data = bytearray(files.docx_built([files.BOMB_PARAGRAPH] * 2000))
    # The central directory entry of document.xml (its name is 46 bytes in) says 100 bytes.
    entry = data.rfind(b"word/document.xml") - 46
    assert data[entry : entry + 4] == b"PK\x01\x02"
    data[entry + 24 : entry + 28] = (100).to_bytes(4, "little")
    with pytest.raises(ArchiveRefused) as caught:
        inspect_zip(io.BytesIO(bytes(data)), ArchiveLimits())
    assert caught.value.reason == "corrupt"


@pytest.mark.parametrize(("label", "make", "message"), BOMBS, ids=IDS)
def test_api_refuses_each_bomb_quickly_and_stores_nothing(
    cast: Cast, label: str, make: Any, message: str
) -> None:
    data = make()
    client = client_for(cast.alice)
    started = time.perf_counter()
    response = api_upload(client, cast.shanghai.organization.pk, "application.docx", data)
    elapsed = time.perf_counter() - started
    print(f"POST {API} refused {label} in {elapsed:.3f} s")
    assert response.status_code == 422
    body = response.json()
    assert (body["detail"], body["errors"]) == (message, {"file": message})
    assert elapsed < FAST
    assert Document.objects.count() == 0
    assert stored_files() == []
    assert not AuditEvent.objects.filter(tag="documents:document:uploaded").exists()


@pytest.mark.parametrize(("label", "make", "message"), BOMBS, ids=IDS)
def test_page_refuses_each_bomb_inline(cast: Cast, label: str, make: Any, message: str) -> None:
    started = time.perf_counter()
    response = client_for(cast.alice).post(
        PAGE,
        {
            "organization": cast.shanghai.organization.pk,
            "kind": "general",
            "file": SimpleUploadedFile("application.docx", make()),
        },
    )
    elapsed = time.perf_counter() - started
    print(f"POST {PAGE} refused {label} in {elapsed:.3f} s")
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    assert elapsed < FAST
    assert Document.objects.count() == 0
    assert stored_files() == []
