"""Bounds on ZIP-based files (DOCX, XLSX, ZIP) checked before anything parses them.

Plain Python, no Django. A 400 KB DOCX can unpack to hundreds of megabytes ("ZIP bomb"), and a
parser that opens it holds all of it in memory. :func:`inspect_zip` reads the central directory
first (entry count, declared sizes, compression ratios), then streams every entry once in small
blocks: that pass proves the sizes and checksums, refuses a DTD in the XML parts of an office
file (no office format uses one, and entity declarations are how XML bombs work) and counts the
paragraphs of a Word document, all without building the document.

Python's ``zipfile`` never yields more than an entry's declared size (a larger stream fails its
checksum), so the declared sizes checked up front bound what any later reader can unpack.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

MB = 1024 * 1024

# Entries smaller than this are not held to the ratio: a few KB of repeated markup compresses
# far beyond 100 to 1 in real documents, and the total size bounds them anyway.
RATIO_GRACE_BYTES = 1 * MB

WORD_DOCUMENT = "word/document.xml"
OFFICE_CONTENT_TYPES = "[Content_Types].xml"

_BLOCK = 64 * 1024
# A paragraph element under any namespace prefix (w:p in Word, a:p in drawings), not w:pPr.
_PARAGRAPH = re.compile(rb"<(?:[A-Za-z_][\w.\-]{0,40}:)?p[\s/>]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_OVERLAP = 64  # longer than any match of the two patterns above
_XML_SUFFIXES = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class ArchiveLimits:
    max_unpacked_bytes: int = 50 * MB
    max_entries: int = 1000
    max_ratio: int = 100
    max_paragraphs: int = 20_000


@dataclass(frozen=True)
class ArchiveSummary:
    entries: int
    unpacked_bytes: int
    paragraphs: int | None  # counted in word/document.xml, None when there is none


class ArchiveRefused(Exception):
    """Why an archive is refused: a stable `reason` and the figures for the message.

    Reasons: ``too_many_entries``, ``unpacked_too_large``, ``compression_ratio``,
    ``too_many_paragraphs``, ``dtd`` (an XML part declares a DOCTYPE or entities), ``corrupt``.
    """

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def check_directory(archive: zipfile.ZipFile, limits: ArchiveLimits) -> int:
    """Refuse on the central directory alone; return the declared unpacked total."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise ArchiveRefused("too_many_entries", count=len(infos), limit=limits.max_entries)
    total = 0
    for info in infos:
        total += info.file_size
        if total > limits.max_unpacked_bytes:
            raise ArchiveRefused("unpacked_too_large", size=total, limit=limits.max_unpacked_bytes)
        if info.file_size > RATIO_GRACE_BYTES and (
            info.file_size > limits.max_ratio * max(info.compress_size, 1)
        ):
            raise ArchiveRefused(
                "compression_ratio",
                name=info.filename[:100],
                ratio=info.file_size // max(info.compress_size, 1),
                limit=limits.max_ratio,
            )
    return total


def _scan(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ArchiveLimits, *, office: bool
) -> int:
    """Stream one entry; refuse a DTD in an office XML part; return Word's paragraph count."""
    is_xml = office and info.filename.lower().endswith(_XML_SUFFIXES)
    counting = info.filename == WORD_DOCUMENT
    paragraphs = 0
    carry = b""
    with archive.open(info) as stream:
        while True:
            block = stream.read(_BLOCK)
            data = carry + block
            # Matches starting before `cut` are complete; the rest is looked at with the next block.
            cut = len(data) if not block else max(len(data) - _OVERLAP, 0)
            if is_xml and _DTD.search(data):
                raise ArchiveRefused("dtd", name=info.filename[:100])
            if counting:
                paragraphs += sum(1 for m in _PARAGRAPH.finditer(data) if m.start() < cut)
                if paragraphs > limits.max_paragraphs:
                    raise ArchiveRefused(
                        "too_many_paragraphs", count=paragraphs, limit=limits.max_paragraphs
                    )
            if not block:
                return paragraphs
            carry = data[cut:]


def inspect_zip(stream: BinaryIO, limits: ArchiveLimits) -> ArchiveSummary:
    """Check a ZIP-based file against `limits` before any parser opens it.

    Raises :class:`ArchiveRefused`; a file that is not a ZIP or is damaged is ``corrupt``.
    The stream is left at its start.
    """
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            total = check_directory(archive, limits)
            # Office packages (OOXML) never carry a DTD; USPTO XML in a plain ZIP does, and
            # the patent reader cuts it out safely.
            office = OFFICE_CONTENT_TYPES in archive.namelist()
            paragraphs: int | None = None
            for info in archive.infolist():
                if info.is_dir():
                    continue
                count = _scan(archive, info, limits, office=office)
                if info.filename == WORD_DOCUMENT:
                    paragraphs = count
            entries = len(archive.infolist())
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        # RuntimeError: an encrypted entry; NotImplementedError: an unknown compression method.
        raise ArchiveRefused("corrupt", detail=str(exc) or type(exc).__name__) from exc
    finally:
        stream.seek(0)
    return ArchiveSummary(entries=entries, unpacked_bytes=total, paragraphs=paragraphs)
