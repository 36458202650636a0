"""A record made ready for indexing: validated, analysed, its filter values extracted.

Every backend indexes what :func:`prepare_batch` gives it, so the embedded index and Milvus
hold the same terms for the same document and rank alike. The ``all`` stream (every text field,
translations and names included) is what BM25 ranks by; the per-field streams serve fielded
clauses and phrases. A stream is the analysed terms separated by spaces, so a whitespace
tokenizer (tantivy's, Milvus') reads back exactly the terms the shared analyzer produced.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from ipcenter.patents.corpus import PatentRecord, RecordError
from ipcenter.search.analysis import analyze
from ipcenter.search.base import DATE_FIELDS
from ipcenter.search.embedding import document_text

__all__ = [
    "ALL_TERMS_BYTES",
    "DESCRIPTION_CHARS",
    "TEXT_FIELD_NAMES",
    "VALUE_GAP",
    "PreparedDocument",
    "date_number",
    "prepare",
    "prepare_batch",
    "record_json",
    "stream",
    "symbol_prefixes",
]

# The indexed text fields of a document (query fields map onto these, see query.TEXT_FIELDS).
TEXT_FIELD_NAMES = (
    "title",
    "abstract",
    "claims",
    "description",
    "applicants",
    "inventors",
    "translations",
)
# Characters of a description that are analysed (descriptions run to hundreds of pages).
DESCRIPTION_CHARS = 20_000
# UTF-8 bytes of the space-separated ``all`` terms kept (Milvus holds at most 65,535 in a field).
ALL_TERMS_BYTES = 60_000

# Between two values of a field (two claims, two fields in ``all``): two filler tokens, one
# more than the widest step between a phrase's terms (query.phrase_offsets), no real term.
VALUE_GAP = "_ _"

_EPOCH = dt.date(1970, 1, 1)


def date_number(value: dt.date) -> int:
    """A date as the number of days since 1970-01-01 (what the indexes store)."""
    return (value - _EPOCH).days


def symbol_prefixes(symbols: Iterable[str]) -> list[str]:
    """Every prefix of every symbol (compact form, upper case), once: "A01B 1/02" gives
    "A", "A0", "A01", "A01B", "A01B ", "A01B 1", "A01B 1/", "A01B 1/0", "A01B 1/02"."""
    found: dict[str, None] = {}
    for symbol in symbols:
        compact = " ".join(symbol.upper().split())
        for end in range(1, len(compact) + 1):
            found[compact[:end]] = None
    return list(found)


@dataclass
class PreparedDocument:
    """What the backends write for one record."""

    key: str
    record: PatentRecord
    # Field -> its values (a claim each, a translation each), each value's analysed terms.
    fields: dict[str, list[list[str]]]
    # Every field's terms in one stream (see _all_stream): what BM25 ranks by.
    all_text: str
    ipc: list[str]
    cpc: list[str]
    dates: dict[str, int | None]
    dense_text: str
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def office(self) -> str:
        return self.record.office.upper()

    @property
    def language(self) -> str:
        return self.record.language.lower()


def _compact_symbols(symbols: Iterable[str]) -> list[str]:
    return [" ".join(symbol.upper().split()) for symbol in symbols if symbol and symbol.strip()]


def _field_values(record: PatentRecord) -> dict[str, list[str]]:
    translations = [
        text
        for language in sorted(record.translations)
        for text in (
            record.translations[language].get("title", ""),
            record.translations[language].get("abstract", ""),
        )
        if text
    ]
    description = record.description[:DESCRIPTION_CHARS]
    return {
        "title": [record.title] if record.title else [],
        "abstract": [record.abstract] if record.abstract else [],
        "claims": [claim for claim in record.claims if claim],
        "description": [description] if description else [],
        "applicants": [name for name in record.applicants if name],
        "inventors": [name for name in record.inventors if name],
        "translations": translations,
    }


def stream(values: Iterable[list[str]]) -> str:
    """The token stream of a field's values as both backends index it: terms separated by
    spaces, :data:`VALUE_GAP` between values so that no phrase spans two of them."""
    return f" {VALUE_GAP} ".join(" ".join(value) for value in values if value)


def _all_stream(fields: dict[str, list[list[str]]]) -> str:
    """Every field's values in one stream, cut at a term boundary so that it fits
    :data:`ALL_TERMS_BYTES`."""
    text = stream(value for name in TEXT_FIELD_NAMES for value in fields[name])
    data = text.encode()
    if len(data) <= ALL_TERMS_BYTES:
        return text
    cut = data[: ALL_TERMS_BYTES + 1].decode(errors="ignore")
    cut = cut.rsplit(" ", 1)[0]
    while cut.endswith(" _"):  # never end on the gap between two values
        cut = cut[:-2]
    return cut


def _check_types(record: PatentRecord) -> None:
    """Reject what would break the writers half-way (a list given as a string, say)."""
    for name in ("title", "abstract", "description", "office", "language"):
        if not isinstance(getattr(record, name), str):
            raise RecordError(f"{name} must be text")
    for name in ("claims", "applicants", "inventors", "ipc", "cpc"):
        value = getattr(record, name)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise RecordError(f"{name} must be a list of texts")
    for name in DATE_FIELDS:
        value = getattr(record, name)
        if value is not None and not isinstance(value, dt.date):
            raise RecordError(f"{name} must be a date")
    if not isinstance(record.translations, dict) or not all(
        isinstance(texts, dict) and all(isinstance(text, str) for text in texts.values())
        for texts in record.translations.values()
    ):
        raise RecordError("translations must map languages to texts")


def prepare(record: PatentRecord) -> PreparedDocument:
    """Validate and analyse one record; raises :class:`RecordError` for one the corpus refuses."""
    if not isinstance(record, PatentRecord):
        raise RecordError(f"not a patent record: {type(record).__name__}")
    _check_types(record)
    record.validate()
    key = record.key
    if not record.office or len(record.office) > 8:
        raise RecordError(f"{key}: the office code {record.office!r} is not valid")
    fields = {
        name: [analyze(value) for value in values] for name, values in _field_values(record).items()
    }
    dates = {name: _date(getattr(record, name)) for name in DATE_FIELDS}
    return PreparedDocument(
        key=key,
        record=record,
        fields=fields,
        all_text=_all_stream(fields),
        ipc=_compact_symbols(record.ipc),
        cpc=_compact_symbols(record.cpc),
        dates=dates,
        dense_text=document_text(record),
    )


def record_json(record: PatentRecord) -> bytes:
    """``record.to_dict()`` as UTF-8 JSON, without dataclasses.asdict's deep copies."""
    data = {name: getattr(record, name) for name in record.__dataclass_fields__}
    for name in DATE_FIELDS:
        value = data[name]
        data[name] = value.isoformat() if value is not None else None
    return json.dumps(data, ensure_ascii=False).encode()


def _date(value: dt.date | None) -> int | None:
    return date_number(value) if value is not None else None


def prepare_batch(records: Iterable[PatentRecord]) -> list[PreparedDocument]:
    """Prepare every record of a batch before anything is written: the first bad record
    raises :class:`RecordError` (naming it) and nothing of the batch reaches an index. A key
    given twice keeps its last record."""
    prepared: dict[str, PreparedDocument] = {}
    for number, record in enumerate(records, start=1):
        try:
            document = prepare(record)
        except RecordError as exc:
            raise RecordError(f"record {number} of the batch: {exc}") from exc
        prepared.pop(document.key, None)
        prepared[document.key] = document
    return list(prepared.values())
