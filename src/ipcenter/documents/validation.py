"""Checks on uploaded bytes: size, and the type found in the content rather than the name.

Plain Python, no Django: the caller passes the limit and the bytes' first block and a way to read
the rest. A file whose name claims one type while its content is another is refused as disguised.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import filetype

from ipcenter.lib.archives import ArchiveLimits, ArchiveRefused, inspect_zip


@dataclass(frozen=True)
class FileType:
    mime: str
    extensions: tuple[str, ...]
    label: str


PDF = FileType("application/pdf", ("pdf",), "PDF")
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",), "DOCX"
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",), "XLSX"
)
PNG = FileType("image/png", ("png",), "PNG")
JPEG = FileType("image/jpeg", ("jpg", "jpeg"), "JPEG")
TIFF = FileType("image/tiff", ("tif", "tiff"), "TIFF")
XML = FileType("application/xml", ("xml",), "XML")

ALLOWED: tuple[FileType, ...] = (PDF, DOCX, XLSX, PNG, JPEG, TIFF, XML)
ALLOWED_EXTENSIONS = sorted({ext for t in ALLOWED for ext in t.extensions})


class UploadRejected(ValueError):
    """Why a file was refused. `reason` is a stable code; the message is built by the caller."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _looks_like_xml(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    return text.startswith(b"<?xml") or (text.startswith(b"<") and b"<!ENTITY" not in text[:4096])


def _detect(head: bytes) -> FileType | None:
    kind = filetype.guess(head)
    if kind is not None:
        for allowed in ALLOWED:
            if kind.mime == allowed.mime:
                return allowed
        if kind.mime == "application/zip":
            return None  # resolved by _resolve_zip
        return FileType(kind.mime, (kind.extension,), kind.extension.upper())
    if _looks_like_xml(head):
        return XML
    return None


def _resolve_zip(stream: BinaryIO) -> FileType | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _verify_structure(ftype: FileType, stream: BinaryIO, archive_limits: ArchiveLimits) -> None:
    """A header is not enough: a truncated or broken file must not be stored as if sound."""
    stream.seek(0)
    if ftype is PDF:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            reader = PdfReader(stream, strict=False)
            if len(reader.pages) == 0:
                raise UploadRejected("malformed", type=ftype.label)
        except (PdfReadError, ValueError, KeyError, OSError) as exc:
            raise UploadRejected("malformed", type=ftype.label) from exc
    elif ftype in (DOCX, XLSX):
        # Bounded before any reader unpacks it: sizes, entries, ratios, paragraphs, checksums.
        try:
            inspect_zip(stream, archive_limits)
        except ArchiveRefused as exc:
            reason = "malformed" if exc.reason == "corrupt" else f"archive_{exc.reason}"
            raise UploadRejected(reason, type=ftype.label, **exc.params) from exc
    elif ftype is XML:
        # Real patent-office XML (USPTO pap and SGML-era files) carries a DOCTYPE with unparsed
        # image-entity declarations and ISO entity names: the patent loader cuts the DOCTYPE,
        # maps the names to characters and refuses documents declaring parsed entities.
        from ipcenter.patents.application import ParseError
        from ipcenter.patents.documents import safe_xml_root

        try:
            safe_xml_root(stream.read())
        except ParseError as exc:
            raise UploadRejected("malformed", type=ftype.label) from exc
    stream.seek(0)


def check_upload(
    *,
    name: str,
    size: int,
    stream: BinaryIO,
    max_bytes: int,
    archive_limits: ArchiveLimits | None = None,
    accepted: tuple[FileType, ...] | None = None,
) -> FileType:
    """Return the file's real type, or raise UploadRejected saying why it is refused.

    ZIP-based types (DOCX, XLSX) are held to `archive_limits` (the defaults when None) before
    anything parses them. `accepted`: the types the caller takes (every allowed one when None),
    named in the refusal of a file of no allowed type; the caller refuses the others itself.
    """
    if size == 0:
        raise UploadRejected("empty")
    if size > max_bytes:
        raise UploadRejected("too_large", size=size, limit=max_bytes)
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(0)
    ftype = _detect(head)
    if ftype is None and head[:4] == b"PK\x03\x04":
        ftype = _resolve_zip(io.BytesIO(stream.read()) if not stream.seekable() else stream)
        stream.seek(0)
    allowed = ", ".join(t.label for t in accepted or ALLOWED)
    if ftype is None:
        raise UploadRejected("type_unknown", allowed=allowed)
    if ftype not in ALLOWED:
        raise UploadRejected("type_not_allowed", found=ftype.label, allowed=allowed)
    extension = _extension(name)
    if extension not in ftype.extensions:
        raise UploadRejected("disguised", extension=extension or "-", found=ftype.label)
    _verify_structure(ftype, stream, archive_limits or ArchiveLimits())
    return ftype
