"""A published patent document as the corpus holds it: the one record every importer produces,
every search backend indexes and every page shows.

Plain Python, no Django. A :class:`PatentRecord` is stored as JSON (:meth:`PatentRecord.to_dict`
/ :meth:`PatentRecord.from_dict`), so every field is a plain string, date, list or dict.

Identity: :attr:`PatentRecord.key` names the publication, whatever source it came from. It is
the office code followed by the publication number without its kind code ("US10917092",
"CN1234567", "WO2019123456"): the same publication imported twice, from a weekly zip and
from a JSONL export, is one document. Where a source has no publication number (the Chinese
agricultural set carries application numbers), the key is the office code, "APP", then the
application number ("CNAPP85105156"), so it can never collide with a publication.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["PatentRecord", "RecordError", "normalise_number", "record_key"]

_NUMBER_NOISE = re.compile(r"[\s/,.\-]+")
# Office, number (series letters such as D for US designs, RE for reissues, PA/A for Mexican
# numbers, digits, a CN check digit X), kind.
_NUMBER = re.compile(r"^([A-Z]{2})?([A-Z]{0,3}\d+X?|\d+[A-Z]{2,5}\d{4})([A-Z]\d?)?$")
_SERIES_DIGITS = re.compile(r"^([A-Z]{1,3})(\d+)$")
# Indian numbers name the office branch and the year: "1442CH2015", "00496MUM2008", and
# "1604DELNP2013" for a PCT application entering the national phase at Delhi.
_BRANCH_NUMBER = re.compile(r"^(\d+)([A-Z]{2,5}\d{4})$")
# A date after the kind code ("EP 0259054 B9 20031217", Lens): not part of the number.
_TRAILING_DATE = re.compile(r"(\s[A-Z]\d?)\s+(?:19|20)\d{6}\s*$")


class RecordError(ValueError):
    """A record that cannot enter the corpus; the message says why (in English, for reports)."""


def normalise_number(text: str, office: str = "") -> tuple[str, str, str]:
    """Split a publication or application number into (office, number, kind).

    Accepts the spellings found in the data: "US10917092", "US 10917092 B2", "AT 399980 B",
    "US20210229646A1", "CN85105156", "EP1820402", "10917092" (with ``office`` given).
    Leading zeros of US grant numbers ("06336130") are kept out of the key: "US6336130", also
    after a US series prefix ("D0435854" -> "D435854"). PCT numbers of the old two-digit-year
    form ("WO 96/25012") are written as WIPO writes them today: "WO1996025012".
    """
    compact = _NUMBER_NOISE.sub("", _TRAILING_DATE.sub(r"\1", text.strip().upper()))
    if not compact:
        raise RecordError("the publication number is empty")
    match = _NUMBER.match(compact)
    if match is None:
        raise RecordError(f"not a publication number: {text!r}")
    found_office, number, kind = match.group(1) or "", match.group(2), match.group(3) or ""
    office = (found_office or office).upper()
    if not office:
        raise RecordError(f"the publication number {text!r} names no office")
    if number.isdigit():
        number = number.lstrip("0") or "0"
        if office == "WO" and len(number) in (7, 8):
            number = _pct_number(number)
    elif office == "US" and (series := _SERIES_DIGITS.match(number)):
        number = series.group(1) + (series.group(2).lstrip("0") or "0")
    elif branch := _BRANCH_NUMBER.match(number):
        number = (branch.group(1).lstrip("0") or "0") + branch.group(2)
    return office, number, kind


def _pct_number(number: str) -> str:
    """ "9625012" (WO 96/25012, a two-digit year and a serial) -> "1996025012"."""
    year = int(number[:2])
    century = "19" if year >= 78 else "20"  # the first PCT publications are of 1978
    return f"{century}{number[:2]}{number[2:].zfill(6)}"


def _application_key_number(text: str, office: str) -> tuple[str, str]:
    """(office, number) of an application number as the key holds it.

    CN application numbers carry a check digit after a dot ("200310102411.3", "00129265.X"),
    which the key leaves out (it is computed from the rest), and their leading zeros are
    significant (the year 2000 is "00"), so they are kept.
    """
    compact = text.strip().upper()
    found = re.match(r"^([A-Z]{2})\s*", compact)
    cn = (found.group(1) if found else office.upper()) == "CN"
    if cn:
        digits = compact[found.end() :] if found else compact
        digits = digits.split(".")[0]
        digits = _NUMBER_NOISE.sub("", digits)
        if re.fullmatch(r"\d{9}|\d{13}|\d{8}X|\d{12}X", digits):
            digits = digits[:-1]  # the check digit written without its dot
        if re.fullmatch(r"\d{8}|\d{12}", digits):
            return "CN", digits
    found_office, number, _kind = normalise_number(text, office)
    return found_office, number


def record_key(*, office: str, publication_number: str = "", application_number: str = "") -> str:
    """The identity of a document: see the module's docstring."""
    if publication_number:
        found_office, number, _kind = normalise_number(publication_number, office)
        return f"{found_office}{number}"
    if application_number:
        found_office, number = _application_key_number(application_number, office)
        return f"{found_office}APP{number}"
    raise RecordError("the record has neither a publication nor an application number")


@dataclass
class PatentRecord:
    """One published patent document.

    Numbers are normalised ("US10917092", kind apart in :attr:`kind`). IPC symbols are in the
    compact form ``A01B 1/02`` (subclass, space, group) with the main symbol first; CPC the
    same. Dates are :class:`datetime.date` or ``None``. ``language`` is the language of
    ``title``/``abstract``/``claims``/``description`` (ISO 639-1: "en", "zh", "ko", ...);
    ``translations`` holds other languages' title and abstract where the source has them
    (``{"en": {"title": "...", "abstract": "..."}}``). ``source`` names the data set or file
    and ``source_id`` the record's id there.
    """

    office: str
    publication_number: str = ""
    kind: str = ""
    application_number: str = ""
    family_id: str = ""
    priority_date: dt.date | None = None
    filing_date: dt.date | None = None
    publication_date: dt.date | None = None
    grant_date: dt.date | None = None
    title: str = ""
    abstract: str = ""
    claims: list[str] = field(default_factory=list)
    description: str = ""
    applicants: list[str] = field(default_factory=list)
    inventors: list[str] = field(default_factory=list)
    ipc: list[str] = field(default_factory=list)
    cpc: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    language: str = ""
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    source: str = ""
    source_id: str = ""

    @property
    def key(self) -> str:
        return record_key(
            office=self.office,
            publication_number=self.publication_number,
            application_number=self.application_number,
        )

    @property
    def main_ipc(self) -> str | None:
        return self.ipc[0] if self.ipc else None

    @property
    def earliest_date(self) -> dt.date | None:
        """The date a prior-art cut-off compares with: publication, else grant, else filing."""
        return self.publication_date or self.grant_date or self.filing_date

    def languages(self) -> list[str]:
        """Every language the record has text in, its own first."""
        found = [self.language] if self.language else []
        return found + [lang for lang in self.translations if lang not in found]

    def text(self, *, claims: bool = True, description: bool = False) -> str:
        """Title, abstract (and claims, description) in the record's own language, for analysis."""
        parts = [self.title, self.abstract]
        if claims:
            parts.extend(self.claims)
        if description:
            parts.append(self.description)
        return "\n".join(part for part in parts if part)

    def validate(self) -> None:
        """Raise :class:`RecordError` for a record the corpus must refuse."""
        self.key  # noqa: B018 - raises for a record without usable numbers
        if not (self.title or self.abstract or self.claims):
            raise RecordError("the record has no title, abstract or claims")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("priority_date", "filing_date", "publication_date", "grant_date"):
            value = data[name]
            data[name] = value.isoformat() if value else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PatentRecord:
        values = dict(data)
        for name in ("priority_date", "filing_date", "publication_date", "grant_date"):
            value = values.get(name)
            values[name] = dt.date.fromisoformat(value) if value else None
        known = cls.__dataclass_fields__
        return cls(**{name: value for name, value in values.items() if name in known})
