"""CSV exports of patent databases: Lens, WIPO Patentscope, PatentsView, family-level exports.

Columns are found by their header names (case and surrounding spaces aside), so an export
with its columns in another order, or extra ones, reads the same. Each data row is a unit;
"row 1" is the first row after the header.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from collections.abc import Iterator
from typing import ClassVar

from ipcenter.patents.application import normalise_space
from ipcenter.patents.corpus import PatentRecord, RecordError
from ipcenter.patents.importers.base import (
    RecordBuilder,
    StreamSource,
    Unit,
    application,
    clean_text,
    earliest,
    excerpt_of,
    is_empty,
    is_grant,
    open_text,
    publication,
    split_list,
    unique_names,
)
from ipcenter.patents.importers.language import detect_language

__all__ = [
    "CsvSource",
    "FamilyCsvSource",
    "LensCsvSource",
    "PatentscopeCsvSource",
    "PatentsviewCsvSource",
    "header_key",
]

# Abstracts and descriptions can be long; the csv module's default limit is 128 kB.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def header_key(name: str) -> str:
    return normalise_space(name).lower()


class Row:
    """A data row read by header name."""

    def __init__(self, columns: dict[str, int], values: list[str]) -> None:
        self._columns = columns
        self._values = values

    def get(self, name: str) -> str:
        index = self._columns.get(name)
        if index is None or index >= len(self._values):
            return ""
        value = self._values[index]
        return "" if is_empty(value) else value.strip()


class CsvSource(StreamSource):
    """A CSV export: subclasses name the columns that identify them and map a row."""

    # Header names (lower case) that must all be present.
    required: ClassVar[frozenset[str]] = frozenset()

    def _rows(self) -> Iterator[tuple[int, list[str] | None, str]]:
        """(row number, values or None, error) for each data row, after the header."""
        with open_text(self.path) as fh:
            reader = csv.reader(fh)
            number = 0
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    number += 1
                    yield number, None, f"not CSV ({exc})"
                    continue
                except (OSError, EOFError) as exc:  # a damaged gzip file
                    yield number + 1, None, f"the file ends unreadably ({exc})"
                    return
                number += 1
                yield number, values, ""

    def estimate_total(self) -> int | None:
        return max(sum(1 for _ in self._rows()) - 1, 0)

    def units(self) -> Iterator[Unit]:
        columns: dict[str, int] | None = None
        width = 0
        for number, values, error in self._rows():
            if columns is None:
                if values is None:
                    yield Unit("header", broken=f"the header row is unreadable: {error}")
                    return
                columns = {}
                for index, name in enumerate(values):
                    columns.setdefault(header_key(name), index)
                width = len(values)
                continue
            where = f"row {number - 1}"
            if values is None:
                yield Unit(where, broken=error)
            elif not any(value.strip() for value in values):
                continue
            elif len(values) != width:
                yield Unit(
                    where,
                    excerpt=excerpt_of(",".join(values)),
                    broken=f"{len(values)} fields where the header has {width}",
                )
            else:
                yield Unit(where, Row(columns, values), excerpt_of(",".join(values)))

    def convert(self, unit: Unit, builder: RecordBuilder) -> PatentRecord:
        return self.map(unit.payload, builder)

    def map(self, row: Row, builder: RecordBuilder) -> PatentRecord:
        raise NotImplementedError


def _dated_entries(text: str, separator: str, builder: RecordBuilder) -> list[dt.date | None]:
    """Dates at the end of priority entries ("FR 1051751 A 20100311;;FR 1054449 A 20100607")."""
    dates: list[dt.date | None] = []
    for entry in split_list(text, separator):
        last = entry.split()[-1]
        if re.fullmatch(r"\d{8}", last):
            dates.append(builder.date(last, "priority date"))
    return dates


# -- Lens ------------------------------------------------------------------------------------


class LensCsvSource(CsvSource):
    format = "lens-csv"
    label = "CSV: Lens.org export (26 columns)"
    required = frozenset({"lens id", "publication number", "jurisdiction", "title"})

    def map(self, row: Row, builder: RecordBuilder) -> PatentRecord:
        office = row.get("jurisdiction").upper()
        office, number, kind = publication(row.get("publication number"), office)
        kind = row.get("kind") or kind
        published = builder.date(row.get("publication date"), "publication date")
        filed = builder.date(row.get("application date"), "application date")
        title = clean_text(row.get("title"))
        return PatentRecord(
            office=office,
            publication_number=number,
            kind=kind,
            application_number=_lens_application(row.get("application number"), builder),
            priority_date=earliest(
                [*_dated_entries(row.get("priority numbers"), ";;", builder), filed]
            ),
            filing_date=filed,
            publication_date=published,
            grant_date=published if row.get("type").lower() == "granted patent" else None,
            title=title,
            applicants=unique_names(split_list(row.get("applicants"), ";;")),
            inventors=unique_names(split_list(row.get("inventors"), ";;")),
            ipc=builder.ipc(split_list(row.get("ipcr classifications"), ";;")),
            cpc=builder.cpc(split_list(row.get("cpc classifications"), ";;")),
            language=detect_language(title, office) or "en",
            source_id=row.get("lens id"),
        )


def _lens_application(text: str, builder: RecordBuilder) -> str:
    """ "AT 33585 A" -> "AT33585"; an international application "US 2015/0012345 W" ->
    "PCT/US2015/0012345"."""
    if not text:
        return ""
    parts = text.split()
    try:
        if len(parts) == 3 and parts[2] == "W":
            return f"PCT/{parts[0]}{parts[1]}"
        return application(text)
    except RecordError as exc:
        builder.note(f"application number dropped: {exc}")
        return ""


# -- Patentscope -----------------------------------------------------------------------------

_PRIORITY_DATE = re.compile(r"(\d{4}-\d\d-\d\d)T[\d:.]+Z|\b(\d\d\.\d\d\.\d{4})\b")


class PatentscopeCsvSource(CsvSource):
    format = "patentscope-csv"
    label = "CSV: WIPO Patentscope result list"
    required = frozenset({"publication number", "publication date", "title", "ipc", "applicants"})

    def map(self, row: Row, builder: RecordBuilder) -> PatentRecord:
        office, number, kind = publication(row.get("publication number"))
        published = builder.date(row.get("publication date"), "publication date")
        # "[200402236U 2004-10-01T23:59:59.000Z ES, 2005070132 2005-09-23T23:59:59.000Z ES]",
        # "[60/225,166 14.08.2000 US]"
        priorities = [
            builder.date(match.group(1) or match.group(2), "priority date")
            for match in _PRIORITY_DATE.finditer(row.get("priority data"))
        ]
        title = clean_text(row.get("title"))
        return PatentRecord(
            office=office,
            publication_number=number,
            kind=kind,
            priority_date=earliest(priorities),
            publication_date=published,
            title=title,
            applicants=unique_names(split_list(row.get("applicants"), ";")),
            inventors=unique_names(split_list(row.get("inventors"), ";")),
            ipc=builder.ipc(split_list(row.get("ipc"), ";")),
            language=detect_language(title, office) or "en",
            source_id=row.get("publication number"),
        )


# -- PatentsView -----------------------------------------------------------------------------


def _unquote(text: str) -> str:
    """PatentsView exports quote some values twice: '"A ""sweet spot"" bat"' -> 'A "sweet
    spot" bat'."""
    text = text.strip()
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        text = text[1:-1].replace('""', '"').strip()
    return text


class PatentsviewCsvSource(CsvSource):
    format = "patentsview-csv"
    label = "CSV: PatentsView US grants (patent_number, patent_date, title, abstract)"
    required = frozenset({"patent_number", "patent_title"})

    def map(self, row: Row, builder: RecordBuilder) -> PatentRecord:
        office, number, kind = publication("US" + row.get("patent_number"))
        granted = builder.date(row.get("patent_date"), "patent date")
        return PatentRecord(
            office=office,
            publication_number=number,
            kind=kind,
            publication_date=granted,
            grant_date=granted,
            title=clean_text(_unquote(row.get("patent_title"))),
            abstract=clean_text(_unquote(row.get("patent_abstract"))),
            language="en",
            source_id=row.get("patent_number"),
        )


# -- family-level export (ritonavir_804.csv) -------------------------------------------------

_COUNTRY_SUFFIX = re.compile(r"\s{2,}[A-Z]{2}$")


class FamilyCsvSource(CsvSource):
    format = "families-csv"
    label = "CSV: family-level export (publication number, kind code, family members, ...)"
    required = frozenset({"publication number", "kind code", "title", "ipc classes"})

    def map(self, row: Row, builder: RecordBuilder) -> PatentRecord:
        office, number, kind = publication(row.get("publication number"))
        kind = row.get("kind code") or kind
        published = builder.date(row.get("publication date"), "publication date")
        filed = builder.date(row.get("application date"), "application date")
        priority = builder.date(row.get("earliest priority date"), "earliest priority date")
        granted = row.get("granted patent").lower() == "yes" or (
            not row.get("granted patent") and is_grant(office, kind)
        )
        # "SOLDIN STEVEN J    US | ...": a country code after a run of spaces.
        inventors = [
            _COUNTRY_SUFFIX.sub("", name.rstrip()) for name in row.get("inventors").split("|")
        ]
        title = clean_text(row.get("title"))
        return PatentRecord(
            office=office,
            publication_number=number,
            kind=kind,
            priority_date=earliest([priority, filed]),
            filing_date=filed,
            publication_date=published,
            grant_date=published if granted else None,
            title=title,
            applicants=unique_names(split_list(row.get("applicant"), "|")),
            inventors=unique_names(inventors),
            ipc=builder.ipc(split_list(row.get("ipc classes"), "|")),
            language=detect_language(title, office) or "en",
            source_id=row.get("row no") or row.get("publication number"),
        )
