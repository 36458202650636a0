"""Bounds on ZIP-based files (DOCX, XLSX, ZIP) checked before anything parses them.

Plain Python, no Django. A 400 KB DOCX can unpack to hundreds of megabytes ("ZIP bomb"), and a
parser that opens it holds all of it in memory. :func:`inspect_zip` reads the central directory
first (entry count, declared sizes, compression ratios), then streams every entry once in small
blocks: that pass proves the sizes and checksums and, in an office file, looks at every part
that could be read as XML whatever its name (python-docx finds the main document through
_rels/.rels, not by name): it refuses a DTD (no office format uses one, and entity declarations
are how XML bombs work) and XML in an encoding other than UTF-8 (it would hide the markup), and
counts paragraphs over all parts, all without building the document.

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

OFFICE_CONTENT_TYPES = "[Content_Types].xml"

_BLOCK = 64 * 1024
# A paragraph start tag under any namespace prefix (w:p in Word; a:p in drawings is counted too,
# an overcount the limit allows), not w:pPr nor the closing tag. A prefix is any run of name
# characters, non-ASCII ones included.
_PARAGRAPH = re.compile(rb"<(?:[^\s<>/!?=\"']*:)?p[\s/>]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_DTD_OVERLAP = 16  # longer than any match of _DTD
# libxml2 refuses a name longer than 50,000 characters, so a tag still open this far from the
# end of a block is no paragraph python-docx would read.
_MAX_OPEN_TAG = 64 * 1024
# How a parser recognises XML that is not ASCII-compatible (UTF-16, UTF-32, EBCDIC), and an
# XML declaration naming an encoding. Word writes UTF-8; any other encoding would hide markup
# from the byte patterns above, so an office part in one is refused.
_OTHER_ENCODING = re.compile(
    rb"\A(?:\xff\xfe[\x01-\x7f]\x00|\xfe\xff\x00[\x01-\x7f]|\x00\x00\xfe\xff|\xff\xfe\x00\x00"
    rb"|\x00\x00\x00<|<\x00\x00\x00|\x00<\x00\?|<\x00\?\x00|\x4c\x6f\xa7\x94)"
)
_DECLARED_ENCODING = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)")
_UTF8_NAMES = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}


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
    # Paragraph start tags in all the XML parts of an office file (w:p and a:p); None when the
    # archive is no office file.
    paragraphs: int | None


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


def _xml_start(first: bytes, name: str) -> bool:
    """Whether a part starting with `first` could be read as XML; refuse XML not in UTF-8."""
    declared = _DECLARED_ENCODING.match(first)
    if _OTHER_ENCODING.match(first) or (
        declared and declared.group(1).strip().lower() not in _UTF8_NAMES
    ):
        raise ArchiveRefused("corrupt", detail=f"{name[:100]}: XML not encoded in UTF-8")
    head = first.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    # A parser refuses anything else before the first "<"; all blank so far: maybe XML.
    return not head or head.startswith(b"<")


def _scan(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limits: ArchiveLimits,
    *,
    office: bool,
    counted: int,
) -> int:
    """Stream one entry; in an office file refuse a DTD and count paragraphs in every XML part,
    whatever its name (the main document is wherever _rels/.rels points). Returns the running
    count of paragraphs, `counted` in the parts before this one."""
    paragraphs = counted
    carry = b""
    with archive.open(info) as stream:
        block = stream.read(_BLOCK)
        is_xml = office and _xml_start(block, info.filename)
        while True:
            data = carry + block
            if is_xml:
                if _DTD.search(data):
                    raise ArchiveRefused("dtd", name=info.filename[:100])
                # Paragraphs starting before `cut` are complete; a tag still open at the end of
                # the block is looked at again with the next one.
                cut = len(data)
                if block:
                    cut = max(cut - _DTD_OVERLAP, 0)
                    start = data.rfind(b"<")
                    if start >= 0 and len(data) - start <= _MAX_OPEN_TAG:
                        cut = min(cut, start)
                paragraphs += sum(1 for m in _PARAGRAPH.finditer(data) if m.start() < cut)
                if paragraphs > limits.max_paragraphs:
                    raise ArchiveRefused(
                        "too_many_paragraphs", count=paragraphs, limit=limits.max_paragraphs
                    )
                carry = data[cut:]
            if not block:
                return paragraphs
            block = stream.read(_BLOCK)


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
            paragraphs = 0
            for info in archive.infolist():
                if info.is_dir():
                    continue
                paragraphs = _scan(archive, info, limits, office=office, counted=paragraphs)
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
    return ArchiveSummary(
        entries=entries, unpacked_bytes=total, paragraphs=paragraphs if office else None
    )
