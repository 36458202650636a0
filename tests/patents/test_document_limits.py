"""The patent reader bounds what it opens and what it keeps; no database.

A DOCX is measured before python-docx builds it (ZIP bombs), and the text kept from any
format is bounded in paragraphs and characters, since it is stored with the case and shown.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from ipcenter.lib.archives import ArchiveLimits
from ipcenter.patents.application import ParseError
from ipcenter.patents.documents import ReaderLimits, parse_document
from tests.conftest import SHARED_DATA
from tests.documents import files

SAMPLES = Path(__file__).resolve().parents[2] / "src" / "ipcenter" / "patents" / "samples"
SAMPLE = SAMPLES / "US08926509.docx"  # the longest sample: 349 paragraphs, 183,334 characters

READER_BOMBS = [
    ("unpacks_to_200mb", files.docx_bomb, "archive_unpacked_too_large"),
    ("many_entries", files.docx_many_entries, "archive_too_many_entries"),
    ("high_ratio", files.docx_high_ratio, "archive_compression_ratio"),
    ("many_paragraphs", files.docx_many_paragraphs, "archive_too_many_paragraphs"),
    ("entities_inside", files.docx_with_dtd, "archive_dtd"),
    ("paragraphs_in_main_dat", files.docx_redirected_paragraphs, "archive_too_many_paragraphs"),
    ("paragraphs_under_long_prefix", files.docx_long_prefix, "archive_too_many_paragraphs"),
    ("entities_in_main_dat", files.docx_redirected_dtd, "archive_dtd"),
    ("main_dat_in_utf16", files.docx_redirected_utf16, "corrupt_zip"),
]


@pytest.mark.parametrize(("label", "make", "code"), READER_BOMBS, ids=[b[0] for b in READER_BOMBS])
def test_the_reader_refuses_each_bomb_before_opening_it(label: str, make: Any, code: str) -> None:
    data = make()
    started = time.perf_counter()
    with pytest.raises(ParseError) as caught:
        parse_document("application.docx", data)
    elapsed = time.perf_counter() - started
    print(f"parse_document refused {label} in {elapsed:.3f} s")
    assert caught.value.code == code
    assert "application.docx" in caught.value.message
    assert elapsed < 5.0


def test_every_real_docx_sample_is_read_with_the_default_limits() -> None:
    for path in sorted(SAMPLES.glob("*.docx")):
        assert parse_document(path.name, path.read_bytes()).claims, path.name


def test_python_docx_paragraphs_are_bounded() -> None:
    limits = ReaderLimits(archive=ArchiveLimits(max_paragraphs=20_000), max_paragraphs=100)
    with pytest.raises(ParseError) as caught:
        parse_document(SAMPLE.name, SAMPLE.read_bytes(), limits=limits)
    assert caught.value.code == "too_many_paragraphs"
    assert "more than 100 paragraphs" in caught.value.message


def test_docx_text_length_is_bounded() -> None:
    with pytest.raises(ParseError) as caught:
        parse_document(SAMPLE.name, SAMPLE.read_bytes(), limits=ReaderLimits(max_chars=100_000))
    assert caught.value.code == "text_too_long"
    assert parse_document(SAMPLE.name, SAMPLE.read_bytes(), limits=ReaderLimits(max_chars=200_000))


def test_xml_text_is_bounded_too() -> None:
    path = SHARED_DATA / "uspto_xml" / "xml2014__US08927118.xml"
    data = path.read_bytes()
    assert parse_document(path.name, data).description
    with pytest.raises(ParseError) as caught:
        parse_document(path.name, data, limits=ReaderLimits(max_chars=10_000))
    assert caught.value.code == "text_too_long"


def test_a_zip_of_patent_xml_keeps_its_doctype() -> None:
    """USPTO XML declares a DOCTYPE; in a plain ZIP (not an office file) it is still read."""
    path = SHARED_DATA / "uspto_xml" / "ipgb20221025_wk43.zip"
    assert parse_document(path.name, path.read_bytes()).title
