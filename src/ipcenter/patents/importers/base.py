"""What every importer shares: the items it yields, the source protocol and field helpers.

Plain Python, no Django. An importer reads one file as a stream of *units* (a line, a CSV row,
an XML document), cheaply, and turns each unit into an :class:`ImportItem`: a
:class:`~ipcenter.patents.corpus.PatentRecord`, or a :class:`Rejection` saying in English why
the unit cannot enter the corpus. Positions count units from 0, so an import that stopped can
go on with ``iter_items(start=n)``: skipping reads units but converts none.
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast, runtime_checkable

from ipcenter.patents.application import normalise_space
from ipcenter.patents.corpus import PatentRecord, RecordError, normalise_number
from ipcenter.patents.ipc import IpcError, normalise_cpc, normalise_ipc

__all__ = [
    "ImportItem",
    "ImportSource",
    "NotPatentData",
    "Rejection",
    "StreamSource",
    "Unit",
]

EXCERPT_LENGTH = 160


@dataclass(frozen=True)
class Rejection:
    """A unit of a source that did not become a record, and why (English, stable wording)."""

    source: str
    position: int
    reason: str
    excerpt: str = ""


@dataclass(frozen=True)
class ImportItem:
    """One unit of a source: a record or a rejection.

    ``notes`` lists what was dropped from an accepted record ("IPC 'A21D 13/0' dropped: ..."),
    for the import report; the record itself is usable.
    """

    source: str
    position: int
    record: PatentRecord | None = None
    rejection: Rejection | None = None
    notes: tuple[str, ...] = ()


@runtime_checkable
class ImportSource(Protocol):
    """A file the corpus can import, read as a stream."""

    path: Path
    format: str
    label: str

    def estimate_total(self) -> int | None:
        """How many items the source holds, cheaply counted (for progress bars)."""
        ...

    def iter_items(self, start: int = 0) -> Iterator[ImportItem]:
        """The items from position ``start`` on, one at a time, in constant memory."""
        ...


class NotPatentData(Exception):
    """A file of reference data (an IPC scheme, a concordance...), not patent records."""


# -- units -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A piece of a source before conversion: where it is, what it holds, or why it is broken.

    ``where`` names the place for messages ("line 12", "row 7", "document 3"). A unit with a
    ``broken`` reason could not even be read (bad bytes, a truncated archive).
    """

    where: str
    payload: Any = None
    excerpt: str = ""
    broken: str = ""


def excerpt_of(text: str | bytes) -> str:
    if isinstance(text, bytes):
        text = text[: EXCERPT_LENGTH * 4].decode("utf-8", errors="replace")
    text = normalise_space(text[: EXCERPT_LENGTH * 4])
    return text[:EXCERPT_LENGTH]


class StreamSource:
    """Base of the importers: subclasses give :meth:`units` and :meth:`convert`."""

    # Set by each subclass: the format id and a label for people.
    format: str = ""
    label: str = ""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.name = self.path.name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.format} {self.path}>"

    def estimate_total(self) -> int | None:
        return None

    def units(self) -> Iterator[Unit]:
        raise NotImplementedError

    def convert(self, unit: Unit, builder: RecordBuilder) -> PatentRecord:
        """The record a unit holds; RecordError says why there is none."""
        raise NotImplementedError

    def iter_items(self, start: int = 0) -> Iterator[ImportItem]:
        if start < 0:
            raise ValueError("start must be 0 or more")
        for position, unit in enumerate(self.units()):
            if position >= start:
                yield self._item(unit, position)

    def _item(self, unit: Unit, position: int) -> ImportItem:
        if unit.broken:
            return self._rejection(position, f"{unit.where}: {unit.broken}", unit.excerpt)
        builder = RecordBuilder()
        try:
            record = self.convert(unit, builder)
            record.source = record.source or self.name
            record.validate()
        except RecordError as exc:
            return self._rejection(position, f"{unit.where}: {exc}", unit.excerpt)
        except Exception as exc:  # a malformed record must never stop an import
            message = f"{unit.where}: unreadable record ({type(exc).__name__}: {exc})"
            return self._rejection(position, message, unit.excerpt)
        return ImportItem(
            source=self.name, position=position, record=record, notes=tuple(builder.notes)
        )

    def _rejection(self, position: int, reason: str, excerpt: str) -> ImportItem:
        rejection = Rejection(self.name, position, reason, excerpt)
        return ImportItem(source=self.name, position=position, rejection=rejection)


# -- reading files ---------------------------------------------------------------------------

GZIP_MAGIC = b"\x1f\x8b"


def open_binary(path: Path) -> BinaryIO:
    """The file's bytes, gunzipped when it is gzip-compressed (whatever its name)."""
    fh = path.open("rb")
    if fh.read(2) == GZIP_MAGIC:
        fh.close()
        return cast(BinaryIO, gzip.open(path, "rb"))
    fh.seek(0)
    return fh


def head_bytes(path: Path, size: int = 8192) -> bytes:
    """The first bytes of the (gunzipped) file; a damaged gzip gives what could be read."""
    with open_binary(path) as fh:
        try:
            return fh.read(size)
        except (OSError, EOFError):
            return b""


# Exports from old desktop tools mix encodings: UTF-8 where it is valid, otherwise single
# bytes. Bytes 0x80-0x9F are then Mac Roman letters (the Patentscope export writes "François"
# as "Fran\x8dois"), the others Latin-1 ("ø" is 0xF8).
def _legacy_byte(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    byte = exc.object[exc.start : exc.start + 1]
    char = byte.decode("mac_roman" if 0x80 <= byte[0] <= 0x9F else "latin-1")
    return char, exc.start + 1


LEGACY_ERRORS = "ipcenter-legacy-bytes"
codecs.register_error(LEGACY_ERRORS, _legacy_byte)


def open_text(path: Path) -> io.TextIOWrapper:
    """The file as text: UTF-8 (a BOM is dropped), stray legacy bytes decoded one by one.

    Line endings are left to the caller (``newline=""``): CSV files with CR-only endings
    (classic Mac OS) are read by the csv module as they are.
    """
    return io.TextIOWrapper(
        open_binary(path), encoding="utf-8-sig", errors=LEGACY_ERRORS, newline=""
    )


def count_lines(path: Path, *, skip_blank: bool = True) -> int:
    """Lines in the file (CR, LF or CRLF endings), optionally not counting blank ones."""
    count = 0
    with open_binary(path) as fh:
        try:
            if not skip_blank:
                tail = b""
                for block in iter(lambda: fh.read(1 << 20), b""):
                    count += block.count(b"\n")
                    tail = block[-1:]
                return count + (1 if tail and tail != b"\n" else 0)
            for line in fh:
                if line.strip():
                    count += 1
        except (OSError, EOFError):
            pass
    return count


# -- field helpers ---------------------------------------------------------------------------

_DATE_FORMATS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], dt.date]]] = [
    (
        re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[T ][\d:.]+Z?)?"),
        lambda m: dt.date(int(m[1]), int(m[2]), int(m[3])),
    ),
    (re.compile(r"(\d{4})(\d\d)(\d\d)"), lambda m: dt.date(int(m[1]), int(m[2]), int(m[3]))),
    (
        re.compile(r"(\d\d?)\.(\d\d?)\.(\d{4})"),
        lambda m: dt.date(int(m[3]), int(m[2]), int(m[1])),
    ),
    (
        re.compile(r"(\d{4})[./](\d\d?)[./](\d\d?)"),
        lambda m: dt.date(int(m[1]), int(m[2]), int(m[3])),
    ),
]

_EMPTY_VALUES = {"", "na", "n/a", "null", "none", "nan", "-"}


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _EMPTY_VALUES)


def clean_text(value: Any) -> str:
    """A title or abstract: spaces collapsed; "NA", "NULL", "None" (export fillers) are empty."""
    if is_empty(value):
        return ""
    return normalise_space(str(value))


class RecordBuilder:
    """Collects the notes of one record and parses its fields, noting what it drops."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        self.notes.append(text)

    def date(self, value: Any, label: str) -> dt.date | None:
        """A date in any of the data's forms ("2009-08-21", "20090821", "21.08.2009", ISO
        timestamps); a value that is not a date is noted and dropped."""
        if is_empty(value):
            return None
        text = str(value).strip()
        for pattern, build in _DATE_FORMATS:
            match = pattern.fullmatch(text)
            if match:
                try:
                    return build(match)
                except ValueError:
                    break
        self.note(f"{label} {text!r} is not a date")
        return None

    def ipc(self, values: Iterable[str], label: str = "IPC") -> list[str]:
        """IPC symbols in compact form, in order (main first), once each; malformed ones are
        noted and dropped. Well-formed symbols missing from the 2020 scheme (groups of older
        IPC versions) are kept."""
        return self._symbols(values, normalise_ipc, label)

    def cpc(self, values: Iterable[str]) -> list[str]:
        return self._symbols(values, normalise_cpc, "CPC")

    def _symbols(
        self, values: Iterable[str], normalise: Callable[[str], str], label: str
    ) -> list[str]:
        found: list[str] = []
        for value in values:
            if is_empty(value):
                continue
            try:
                symbol = normalise(value)
            except IpcError as exc:
                self.note(f"{label} {value.strip()!r} dropped: {exc}")
                continue
            if symbol not in found:
                found.append(symbol)
        return found

    def citations(self, numbers: Iterable[tuple[str, str]]) -> list[str]:
        """Cited documents as office + number ("US5793966"), from (number, office) pairs;
        numbers that cannot be read ("PCT/NO98/00107") are skipped."""
        found: list[str] = []
        for number, office in numbers:
            try:
                found_office, found_number, _kind = normalise_number(number, office)
            except RecordError:
                continue
            key = f"{found_office}{found_number}"
            if key not in found:
                found.append(key)
        return found


def publication(text: str, office: str = "", *, bare: bool = False) -> tuple[str, str, str]:
    """(office, publication number with office prefix, kind) of a written publication number.

    ``bare``: the text never carries the office (a USPTO <doc-number>, "PP034694"), so
    leading letters are a series, not an office.
    """
    if bare and office and not text.strip().upper().startswith(office.upper()):
        text = f"{office}{text.strip()}"
    found_office, number, kind = normalise_number(text, office)
    return found_office, f"{found_office}{number}", kind


def application(text: str, office: str = "") -> str:
    """An application number as the record shows it: office + number, a CN check digit kept
    after its dot ("CN200310102411.3"), a kind-like suffix dropped ("AT 33585 A" -> "AT33585").
    """
    compact = re.sub(r"\s+", "", text.strip().upper())
    if not compact:
        return ""
    if re.fullmatch(r"(?:CN)?(?:\d{8}|\d{12})\.[\dX]", compact) or (
        office.upper() == "CN" and re.fullmatch(r"(?:CN)?\d{8,12}", compact)
    ):
        return compact if compact.startswith("CN") else f"CN{compact}"
    try:
        found_office, number, _kind = normalise_number(text, office)
    except RecordError:
        raise RecordError(f"not an application number: {text!r}") from None
    return f"{found_office}{number}"


def split_list(value: Any, separator: str | re.Pattern[str]) -> list[str]:
    """A list field split on its separator, items trimmed, empty ones and fillers dropped."""
    if is_empty(value):
        return []
    parts = (
        separator.split(str(value))
        if isinstance(separator, re.Pattern)
        else str(value).split(separator)
    )
    items: list[str] = []
    for part in parts:
        item = normalise_space(part)
        if item and not is_empty(item) and item not in items:
            items.append(item)
    return items


def unique_names(names: Iterable[str]) -> list[str]:
    """Names in order, spaces collapsed, each once (case aside: "HEARTSNUG LLC" and
    "HeartSnug LLC" are one applicant, written as first seen)."""
    seen: set[str] = set()
    kept: list[str] = []
    for name in names:
        text = normalise_space(name)
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            kept.append(text)
    return kept


def earliest(dates: Iterable[dt.date | None]) -> dt.date | None:
    known = [d for d in dates if d is not None]
    return min(known) if known else None


def is_grant(office: str, kind: str) -> bool:
    """Whether a kind code marks a granted patent: B*, C* where an office grants with C (CN
    before 2007, CA, RU, SE...), and the US design (S), reissue (E) and plant (P2, P3) kinds."""
    kind = kind.upper()
    if kind.startswith("B"):
        return True
    if kind.startswith("C"):
        return office.upper() in {"CN", "CA", "RU", "SE", "FI", "NO", "DK", "CH", "AT"}
    return office.upper() == "US" and (kind[:1] in {"S", "E"} or kind in {"P2", "P3"})
