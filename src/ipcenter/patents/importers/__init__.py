"""Corpus importers: patent records from every file format of the shared data, streamed.

Plain Python, no Django. :func:`open_source` gives an :class:`ImportSource` for a file (its
format found from the content by :func:`detect_format`); ``iter_items(start)`` yields an
:class:`ImportItem` per unit of the file (a line, a row, an XML document): a
:class:`~ipcenter.patents.corpus.PatentRecord` or a :class:`Rejection` with the reason.
Reference files (the IPC scheme, CPC files, phrase pairs, concordances) raise
:class:`NotPatentData`, saying what they are. :func:`expand_paths` walks files and folders
for ``ipcenter corpus import PATH...``.

Formats, their columns and their mapping to :class:`PatentRecord`: docs/corpus-formats.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from ipcenter.patents.importers.base import (
    ImportItem,
    ImportSource,
    NotPatentData,
    Rejection,
    StreamSource,
    head_bytes,
    open_binary,
)
from ipcenter.patents.importers.jsonl import (
    CnA01Source,
    CnipaJsonlSource,
    CpcListSource,
    EnergyCpcSource,
    PatstatIpcSource,
    UsIpcSource,
    UsTextSource,
    ZhEnIpcSource,
)
from ipcenter.patents.importers.tables import (
    FamilyCsvSource,
    LensCsvSource,
    PatentscopeCsvSource,
    PatentsviewCsvSource,
    header_key,
)
from ipcenter.patents.importers.uspto import BrsSource, UsptoXmlSource, UsptoZipSource

__all__ = [
    "FORMATS",
    "ImportItem",
    "ImportSource",
    "NotPatentData",
    "Rejection",
    "detect_format",
    "expand_paths",
    "open_source",
]

FORMATS: dict[str, type[StreamSource]] = {
    source.format: source
    for source in (
        UsptoXmlSource,
        UsptoZipSource,
        BrsSource,
        UsIpcSource,
        CnA01Source,
        EnergyCpcSource,
        ZhEnIpcSource,
        CpcListSource,
        PatstatIpcSource,
        UsTextSource,
        CnipaJsonlSource,
        LensCsvSource,
        PatentscopeCsvSource,
        PatentsviewCsvSource,
        FamilyCsvSource,
    )
}

_SNIFF = 64 * 1024
_PATENT_XML_ROOTS = {
    "us-patent-grant",
    "us-patent-application",
    "patent-application-publication",
    "PATDOC",
    "patent-document",
    "application-body",
}
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_XML_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>|\s+)*", re.S)
_SCHEME_LINE = re.compile(r"^[A-H](?:\d\d(?:[A-Z](?:\d{10})?)?)?\t")
_SCHEME_HEADER = re.compile(r"^symbol\ttitle(?:_[a-z]{2})?[ \t]*\r?\n", re.I)
_CLASS_LINE = re.compile(r"^[A-H](?:\d\d)?\t[^\t]+$")
_ZH_TITLES = re.compile(r"^[A-H]部|^[A-H]\d\d[A-Z] \d{1,4}/\d{2,6}·", re.M)


def detect_format(path: Path) -> str:
    """The format id of a file (a key of :data:`FORMATS`), found from its content.

    Raises :class:`NotPatentData` for reference data (the message says what the file is) and
    :class:`ValueError` for an empty, unreadable or unknown file.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path} is not a file")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"PK\x03\x04") or magic.startswith(b"PK\x05\x06"):
        return _detect_zip(path)
    head = head_bytes(path, _SNIFF)
    if not head.strip():
        raise ValueError("the file is empty")
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("unknown format: binary data, not text, XML or a zip archive")
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped.startswith("<"):
        return _detect_xml(text)
    if "*** BRS DOCUMENT BOUNDARY ***" in text or re.search(r"(?m)^WKU \S+$", text):
        return "uspto-brs"
    if stripped.startswith("{"):
        return _detect_jsonl(path)
    header = _SCHEME_HEADER.match(stripped)
    if header:
        # A list of titles under a header line ("symbol<TAB>title_zh").
        stripped = stripped[header.end() :]
        lines = [line for line in stripped.splitlines() if line.strip()]
        if re.search(r"[\u4e00-\u9fff]", stripped) and all(map(_CLASS_LINE.match, lines)):
            raise NotPatentData(
                "IPC section and class titles in Chinese: reference data, not patent records; "
                "ipcenter ships them as ipc_classes_zh.tsv.gz"
            )
    if _SCHEME_LINE.match(stripped):
        language = "Chinese" if re.search(r"[\u4e00-\u9fff]", text) else "English"
        raise NotPatentData(
            f"IPC scheme (symbols and {language} titles): reference data for classification, "
            "not patent records; the scheme ships with ipcenter"
        )
    if _ZH_TITLES.search(text):
        raise NotPatentData(
            "IPC titles in Chinese (the CNIPA edition of the scheme): reference data, not "
            "patent records; ipcenter ships them as ipc_titles_zh.tsv.gz"
        )
    return _detect_csv(text)


def _detect_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        # No central directory (a truncated download): the first member's local header.
        with path.open("rb") as fh:
            header = fh.read(30)
            length = int.from_bytes(header[26:28], "little") if len(header) == 30 else 0
            names = [fh.read(length).decode("cp437", errors="replace")] if length else []
    lowered = [name.lower() for name in names]
    if "xl/workbook.xml" in lowered:
        raise NotPatentData(
            "Excel workbook (such as the WIPO IPC-technology concordance): reference data "
            "for statistics, not patent records"
        )
    if "word/document.xml" in lowered:
        raise ValueError("unknown format: a Word document (upload it to a case instead)")
    if any(name.endswith(".xml") for name in lowered):
        return "uspto-zip"
    raise ValueError("unknown format: a zip archive without XML documents")


def _detect_xml(text: str) -> str:
    prolog = _XML_PROLOG.match(text)
    match = _XML_ROOT.match(text, prolog.end() if prolog else 0)
    if match is None:
        raise ValueError("unknown format: XML without a root element")
    root = match.group(1).rsplit(":", 1)[-1]
    if root == "CPCMasterClassificationFile":
        raise NotPatentData(
            "CPC master classification file (the CPC symbols of each US patent number): "
            "classification data, not patent records"
        )
    if root == "class-scheme":
        raise NotPatentData(
            "CPC scheme (classification symbols and titles): reference data, not patent records"
        )
    if root in _PATENT_XML_ROOTS or root.startswith("cn-"):
        return "uspto-xml"
    raise ValueError(f"unknown format: XML with root element <{root}>")


def _detect_jsonl(path: Path) -> str:
    with open_binary(path) as fh:
        line = b""
        for raw in fh:
            if raw.strip():
                line = raw
                break
    try:
        first = json.loads(line.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"unknown format: the first line is not JSON ({exc})") from exc
    if not isinstance(first, dict):
        raise ValueError("unknown format: JSON Lines whose first line is not an object")
    keys = set(first)
    if {"anchor", "target", "score"} <= keys:
        raise NotPatentData(
            "phrase pairs with expert similarity scores (a benchmark set for semantic "
            "similarity), not patent records"
        )
    # The most specific families first: the Chinese-English and PATSTAT sets also hold the
    # keys of the US IPC set.
    specific = (ZhEnIpcSource, PatstatIpcSource, CpcListSource)
    for source in (UsTextSource, EnergyCpcSource, *specific, CnA01Source, UsIpcSource):
        if source.keys <= keys:
            return source.format
    if keys & {"publication_number", "application_number"}:
        return CnipaJsonlSource.format
    raise ValueError(f"unknown format: JSON Lines with fields {', '.join(sorted(keys))}")


def _detect_csv(text: str) -> str:
    try:
        header = next(csv.reader(io.StringIO(text, newline="")))
    except (csv.Error, StopIteration) as exc:
        raise ValueError("unknown format: not CSV, JSON Lines, XML or BRS text") from exc
    names = {header_key(name) for name in header}
    for source in (LensCsvSource, PatentscopeCsvSource, PatentsviewCsvSource, FamilyCsvSource):
        if source.required <= names:
            return source.format
    shown = ", ".join(header[:8]) if len(header) > 1 else "no CSV header"
    raise ValueError(f"unknown format: {shown}")


def open_source(path: Path | str, format: str | None = None) -> ImportSource:
    """An importable source for ``path``, in ``format`` (detected from the content if None).

    Raises :class:`NotPatentData` for reference data, :class:`ValueError` for an unknown
    format or format id.
    """
    path = Path(path)
    if format is None:
        format = detect_format(path)
    try:
        source_class = FORMATS[format]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise ValueError(f"unknown format {format!r}; the formats are: {known}") from None
    return source_class(path)


def expand_paths(paths: Iterable[str | Path]) -> list[tuple[Path, str | None]]:
    """Files named and files in folders named (recursively, sorted), each with None when it
    can be imported or the reason it is skipped (reference data, unknown format, missing)."""
    found: list[tuple[Path, str | None]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            found.extend((file, _skip_reason(file)) for file in files)
        elif path.is_file():
            found.append((path, _skip_reason(path)))
        else:
            found.append((path, "no such file or folder"))
    return found


def _skip_reason(path: Path) -> str | None:
    try:
        detect_format(path)
    except NotPatentData as exc:
        return f"not patent data: {exc}"
    except (ValueError, OSError) as exc:
        return str(exc)
    return None
