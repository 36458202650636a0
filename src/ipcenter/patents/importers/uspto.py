"""USPTO formats: full-text XML of every generation, the weekly zips, the BRS text format.

* ``uspto-xml``: one file holding one or more XML documents one after another, each with its
  own declaration: pap 1.5 applications (2001-2004), SGML 2.4/2.5 grants (2001-2004), grant
  and application XML 4.x (2004 onwards), and the weekly ``ipg``/``ipgb`` files unzipped.
  CNIPA/ST.36 XML is read the same way (the readers of :mod:`ipcenter.patents.documents`).
* ``uspto-zip``: the weekly bulk zips (``ipgYYMMDD.zip``, ``ipgbYYYYMMDD_wkNN.zip``); every
  ``.xml`` member is streamed document by document. A damaged archive (no central directory,
  a truncated member) is read as far as its data goes, then one rejection says where it ends.
* ``uspto-brs``: the BRS search-format text export (``WKU``, ``TTL``, ``ABPR``, ``CLPR``...
  fields, one document after each ``*** BRS DOCUMENT BOUNDARY ***`` line).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from ipcenter.patents.application import ParseError, normalise_space
from ipcenter.patents.corpus import PatentRecord, RecordError
from ipcenter.patents.documents import parse_patent_xml
from ipcenter.patents.importers.base import (
    RecordBuilder,
    StreamSource,
    Unit,
    application,
    earliest,
    excerpt_of,
    is_grant,
    open_binary,
    publication,
    unique_names,
)
from ipcenter.patents.importers.language import detect_language

__all__ = ["BrsSource", "UsptoXmlSource", "UsptoZipSource", "split_xml_documents"]

_XML_DECLARATION = re.compile(rb"<\?xml\s")


def split_xml_documents(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Documents of a concatenated XML stream (the USPTO weekly files): each starts at its own
    ``<?xml`` declaration. Holds one document in memory at a time."""
    parts: list[bytes] = []
    for line in lines:
        found = _XML_DECLARATION.search(line)
        while found is not None:
            parts.append(line[: found.start()])
            if any(part.strip() for part in parts):
                yield b"".join(parts)
            parts = []
            line = line[found.start() :]
            found = _XML_DECLARATION.search(line, 1)
        parts.append(line)
    if any(part.strip() for part in parts):
        yield b"".join(parts)


_FILE_ATTRIBUTE = re.compile(
    rb"""<(?:us-patent-grant|us-patent-application)\b[^>]*?\bfile=["']([^"']+)"""
)
_DOC_NUMBER = re.compile(rb"<(?:doc-number|B110)>(?:<DNUM><PDAT>)?([^<]+)<")


def _document_name(document: bytes) -> str:
    """The name a document gives itself near its start: the ``file`` attribute of USPTO XML
    ("US11617522-20230404.XML"), else its first document number; "" if none."""
    head = document[:8192]
    found = _FILE_ATTRIBUTE.search(head) or _DOC_NUMBER.search(head)
    return found.group(1).decode("ascii", errors="replace").strip() if found else ""


def _document_units(documents: Iterator[bytes], label: str, offset: int) -> Iterator[Unit]:
    for number, document in enumerate(documents, start=offset + 1):
        where = f"{label}document {number}"
        name = _document_name(document)
        yield Unit(where, (document, name or where), name or excerpt_of(document))


def _grant_format(source_format: str) -> bool:
    return source_format.startswith(("uspto-grant", "uspto-sgml"))


def xml_record(data: bytes, source_id: str, builder: RecordBuilder) -> PatentRecord:
    """A record from one office XML document; ParseError becomes RecordError."""
    try:
        app, info = parse_patent_xml(data, filename=source_id)
    except ParseError as exc:
        raise RecordError(exc.message) from exc
    office = info["country"] or ("CN" if app.source_format.startswith("cnipa") else "US")
    if not info["publication_number"]:
        raise RecordError("the document has no publication number")
    office, number, kind = publication(info["publication_number"], office, bare=True)
    kind = info["kind"] or kind
    published = builder.date(info["publication_date"], "publication date")
    filed = builder.date(info["filing_date"], "filing date")
    priorities = [builder.date(p["date"], "priority date") for p in info["priorities"]]
    granted = _grant_format(app.source_format) or (
        app.source_format.startswith("cnipa") and is_grant(office, kind)
    )
    inventors = list(info["inventors"])
    applicants = list(info["assignees"])
    applicants += [a for a in info["applicants"] if a not in inventors and a not in applicants]
    if not applicants:
        applicants = list(info["applicants"])
    main = [info["main_ipc"]] if info["main_ipc"] else []
    title = app.title or info["title"]
    return PatentRecord(
        office=office,
        publication_number=number,
        kind=kind,
        application_number=_application_or_empty(info["application_number"], office, builder),
        priority_date=earliest([*priorities, filed]),
        filing_date=filed,
        publication_date=published,
        grant_date=published if granted else None,
        title=title,
        abstract=app.abstract,
        claims=[claim.text for claim in app.claims],
        description="\n".join(paragraph.text for paragraph in app.description),
        applicants=unique_names(applicants),
        inventors=unique_names(inventors),
        ipc=builder.ipc([*main, *info["further_ipc"]]),
        cpc=builder.cpc(info["cpc"]),
        citations=builder.citations((c["number"], c["country"]) for c in info["citations"]),
        language=app.language or detect_language(f"{title} {app.abstract}", office) or "en",
        source_id=source_id,
    )


def _application_or_empty(text: str, office: str, builder: RecordBuilder) -> str:
    if not text.strip():
        return ""
    try:
        return application(text, office)
    except RecordError as exc:
        builder.note(f"application number dropped: {exc}")
        return ""


class UsptoXmlSource(StreamSource):
    format = "uspto-xml"
    label = "USPTO / office XML (pap, SGML, XML 4.x, weekly files unzipped)"

    def estimate_total(self) -> int | None:
        count = 0
        with open_binary(self.path) as fh:
            try:
                for line in fh:
                    count += len(_XML_DECLARATION.findall(line))
            except (OSError, EOFError):
                pass
        return max(count, 1)

    def units(self) -> Iterator[Unit]:
        with open_binary(self.path) as fh:
            try:
                yield from _document_units(split_xml_documents(fh), "", 0)
            except (OSError, EOFError) as exc:
                yield Unit("file", broken=f"the file cannot be read to its end ({exc})")

    def convert(self, unit: Unit, builder: RecordBuilder) -> PatentRecord:
        document, name = unit.payload
        return xml_record(document, name, builder)


# -- zips ------------------------------------------------------------------------------------


class _Truncated(Exception):
    """The archive ends inside a member."""


class _ChunkReader(io.RawIOBase):
    """A readable stream over an iterator of byte chunks (for reading lines from it)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_LOCAL_SIGNATURE = 0x04034B50


def _salvage_members(fh: BinaryIO) -> Iterator[tuple[str, Iterator[bytes]]]:
    """Members of an archive whose central directory is missing (a download cut short), read
    from their local headers. A member's chunk iterator raises :class:`_Truncated` where the
    data ends early."""
    while True:
        header = fh.read(_LOCAL_HEADER.size)
        if len(header) < _LOCAL_HEADER.size:
            return
        fields = _LOCAL_HEADER.unpack(header)
        signature, flags, method, compressed = fields[0], fields[2], fields[3], fields[7]
        if signature != _LOCAL_SIGNATURE:
            return
        raw_name = fh.read(fields[9])
        fh.read(fields[10])
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", errors="replace")
        if flags & 0x08 or method not in (0, 8):
            return  # sizes in a trailing descriptor, or a compression we cannot stream
        yield name, _member_chunks(fh, compressed, method)


def _member_chunks(fh: BinaryIO, compressed: int, method: int) -> Iterator[bytes]:
    remaining = compressed
    decompressor = zlib.decompressobj(-15) if method == 8 else None
    while remaining > 0:
        block = fh.read(min(remaining, 1 << 16))
        if not block:
            raise _Truncated
        remaining -= len(block)
        try:
            yield decompressor.decompress(block) if decompressor else block
        except zlib.error as exc:
            raise _Truncated from exc
    if decompressor is not None:
        yield decompressor.flush()


class UsptoZipSource(StreamSource):
    format = "uspto-zip"
    label = "USPTO weekly zip (ipg / ipgb, XML documents)"

    def estimate_total(self) -> int | None:
        try:
            with zipfile.ZipFile(self.path) as archive:
                xml = [i for i in archive.infolist() if i.filename.lower().endswith(".xml")]
                total = 0
                for info in xml:
                    with archive.open(info) as fh:
                        for line in fh:
                            total += len(_XML_DECLARATION.findall(line))
                return total
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
            return None

    def units(self) -> Iterator[Unit]:
        try:
            archive = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            yield from self._salvaged_units(str(exc))
            return
        count = 0
        with archive:
            for info in archive.infolist():
                if info.is_dir() or not info.filename.lower().endswith(".xml"):
                    continue
                try:
                    with archive.open(info) as fh:
                        for unit in _document_units(
                            split_xml_documents(fh), f"{info.filename}: ", count
                        ):
                            count += 1
                            yield unit
                except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                    count += 1
                    yield Unit(
                        f"{info.filename}: document {count}",
                        broken=f"the archive member is damaged ({exc}); the rest is lost",
                    )
                    return

    def _salvaged_units(self, problem: str) -> Iterator[Unit]:
        count = 0
        with open_binary(self.path) as fh:
            members = _salvage_members(fh)
            for name, chunks in members:
                if not name.lower().endswith(".xml"):
                    for _chunk in chunks:  # read past it
                        pass
                    continue
                lines = io.BufferedReader(_ChunkReader(chunks))
                try:
                    for unit in _document_units(split_xml_documents(lines), f"{name}: ", count):
                        count += 1
                        yield unit
                except (_Truncated, OSError, EOFError):
                    yield Unit(
                        f"{name}: document {count + 1}",
                        broken=f"the zip archive is damaged ({problem}) and ends inside this "
                        "document; the documents before it were read",
                    )
                    return
        if count == 0:
            yield Unit("archive", broken=f"not a readable zip archive ({problem})")

    def convert(self, unit: Unit, builder: RecordBuilder) -> PatentRecord:
        document, name = unit.payload
        return xml_record(document, name, builder)


# -- BRS -------------------------------------------------------------------------------------

_BRS_BOUNDARY = "*** BRS DOCUMENT BOUNDARY ***"
_BRS_FIELD = re.compile(r"^([A-Z][A-Z0-9]{1,4}) (.*)$")
_BRS_HEADER = re.compile(r"^[A-Z]*\d+\t")
_CLAIM_START = re.compile(r"^(\d{1,3})\s*\.\s+")
_DESCRIPTION_TAGS = {"CRTX", "GOTX", "BSTX", "DRTX", "DETX", "PARN"}


def _lines_until_damage(fh: BinaryIO, damage: list[str] | None = None) -> Iterator[bytes]:
    """The file's lines; a damaged gzip stream ends them where it breaks (said in ``damage``)."""
    try:
        yield from fh
    except (OSError, EOFError) as exc:
        if damage is not None:
            damage.append(str(exc))


def _person(name: str) -> str:
    """ "Yu; Long-Kun" -> "Long-Kun Yu" (the XML formats' order)."""
    last, sep, first = name.partition(";")
    return normalise_space(f"{first} {last}") if sep else normalise_space(name)


class BrsSource(StreamSource):
    format = "uspto-brs"
    label = "USPTO BRS search-format text"

    def estimate_total(self) -> int | None:
        count = 0
        with open_binary(self.path) as fh:
            for line in _lines_until_damage(fh):
                count += line.startswith(_BRS_BOUNDARY.encode())
        return count

    def units(self) -> Iterator[Unit]:
        lines: list[str] = []
        count = 0
        damage: list[str] = []
        with open_binary(self.path) as fh:
            for raw in _lines_until_damage(fh, damage):
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                if line.startswith(_BRS_BOUNDARY):
                    # The two lines before a boundary (number<TAB>kind<TAB>date..., title)
                    # announce the next document.
                    head = lines[-2:] if len(lines) >= 2 and _BRS_HEADER.match(lines[-2]) else []
                    body = lines[: len(lines) - len(head)]
                    if count and body:
                        yield Unit(f"document {count}", body, excerpt_of("\n".join(body[:3])))
                    count += 1
                    lines = head
                    continue
                lines.append(line)
        if damage:
            reason = f"the file ends unreadably ({damage[0]}); this document is lost"
            yield Unit(f"document {max(count, 1)}", broken=reason)
        elif count and lines:
            yield Unit(f"document {count}", lines, excerpt_of("\n".join(lines[:3])))

    def convert(self, unit: Unit, builder: RecordBuilder) -> PatentRecord:
        fields: list[tuple[str, str]] = []
        for line in unit.payload:
            match = _BRS_FIELD.match(line)
            if match and not line.startswith(" "):
                fields.append((match.group(1), match.group(2)))
            elif line.startswith(" ") and fields:
                tag, text = fields[-1]
                fields[-1] = (tag, f"{text} {line.strip()}")
        if not any(tag == "WKU" for tag, _ in fields):
            raise RecordError("no WKU (patent number) field: not a BRS document")
        return self._record(fields, builder)

    def _record(self, fields: list[tuple[str, str]], builder: RecordBuilder) -> PatentRecord:
        first: dict[str, str] = {}
        for tag, text in fields:
            first.setdefault(tag, text.strip())

        def every(tag: str) -> list[str]:
            return [text.strip() for name, text in fields if name == tag]

        office, number, _kind = publication(first["WKU"], "US", bare=True)
        kind = first.get("APT", "")
        granted = builder.date(first.get("GISD"), "issue date")
        filed = builder.date(first.get("AFD"), "filing date")
        priorities = [builder.date(d, "priority date") for d in every("PRAD")]
        claims: list[str] = []
        for text in every("CLPR"):
            match = _CLAIM_START.match(text)
            if match or not claims:
                claims.append(text[match.end() :] if match else text)
            else:
                claims[-1] = f"{claims[-1]} {text}"
        description = [text for tag, text in fields if tag in _DESCRIPTION_TAGS]
        # IPCG "20060101 A H05K H05K9/00 F I B US H 20151201": version, level, subclass,
        # symbol, position (F = first); CPOG "H H05K H05K9/0066 20130101 F I ...".
        ipcg = [t.split() for t in every("IPCG")]
        cpog = [t.split() for t in every("CPOG")]
        ipc = [t.split()[0] for t in every("IPCP") if t]
        ipc += [t[3] for t in ipcg if len(t) > 4 and t[4] == "F"]
        ipc += [t[3] for t in ipcg if len(t) > 3] + [t.split()[0] for t in every("IPCS") if t]
        cpc = [t[2] for t in cpog if len(t) > 4 and t[4] == "F"]
        cpc += [t[2] for t in cpog if len(t) > 2]
        cpc += [t.split()[0] for t in every("CPOI") + every("CPOA") if t]
        cited = [(t.split()[1], t.split()[0]) for t in every("URGP") + every("FRGP") if " " in t]
        cited += [(t, "US") for t in every("URPN")]
        inventors = [_person(name) for name in every("INNM")]
        applicants = list(dict.fromkeys(every("ASNM") + every("AANM")))
        title = normalise_space(first.get("TTL", ""))
        abstract = normalise_space(" ".join(every("ABPR")))
        return PatentRecord(
            office=office,
            publication_number=number,
            kind=kind,
            application_number=_application_or_empty(first.get("APNR", ""), office, builder),
            priority_date=earliest([*priorities, filed]),
            filing_date=filed,
            publication_date=granted,
            grant_date=granted,
            title=title,
            abstract=abstract,
            claims=[normalise_space(claim) for claim in claims],
            description="\n".join(normalise_space(text) for text in description),
            applicants=unique_names(applicants),
            inventors=unique_names(inventors),
            ipc=builder.ipc(ipc),
            cpc=builder.cpc(cpc),
            citations=builder.citations(cited),
            language=detect_language(f"{title} {abstract}", office) or "en",
            source_id=f"{number}{kind}",
        )
