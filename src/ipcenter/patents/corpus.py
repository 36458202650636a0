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
# Office, number (a series letter such as D for US designs, digits, a CN check digit X), kind.
_NUMBER = re.compile(r"^([A-Z]{2})?([A-Z]{0,2}\d+X?)([A-Z]\d?)?$")


class RecordError(ValueError):
    """A record that cannot enter the corpus; the message says why (in English, for reports)."""


def normalise_number(text: str, office: str = "") -> tuple[str, str, str]:
    """Split a publication or application number into (office, number, kind).

    Accepts the spellings found in the data: "US10917092", "US 10917092 B2", "AT 399980 B",
    "US20210229646A1", "CN85105156", "EP1820402", "10917092" (with ``office`` given).
    Leading zeros of US grant numbers ("06336130") are kept out of the key: "US6336130".
    """
    compact = _NUMBER_NOISE.sub("", text.strip().upper())
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
    return office, number, kind


def record_key(*, office: str, publication_number: str = "", application_number: str = "") -> str:
    """The identity of a document: see the module's docstring."""
    if publication_number:
        found_office, number, _kind = normalise_number(publication_number, office)
        return f"{found_office}{number}"
    if application_number:
        found_office, number, _kind = normalise_number(application_number, office)
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
