"""JSON Lines sets: one JSON object a line, one family of fields per file.

* ``jsonl-us-ipc``: US grants with IPC (``id``, ``title``, ``abstract``, ``assignee``,
  ``inventors``, ``ipc``, ``lang``), e.g. us_patents_ipc.jsonl.
* ``jsonl-cn-a01``: Chinese applications (``id`` = CN application number, ``title``,
  ``abstract``, ``ipc_subclass``, ``lang``), e.g. cn_patents_a01.jsonl.
* ``jsonl-energy-cpc``: multilingual publications (``id`` = publication number with kind,
  ``office``, ``cpc_group``, ``abstract`` in the original language, ``abstract_en``).
* ``jsonl-zh-en-ipc``: families with title and abstract in Chinese and English (``title``,
  ``title_zh``, ``abstract``, ``abstract_zh``, ``ipc``, ``office``, ``applicant``,
  ``filing_date``), e.g. green_aviation_ipc_zh_en.jsonl.
* ``jsonl-cpc-list``: publications with their whole CPC list (``id``, ``title``, ``abstract``
  in the original language, ``cpc``, ``office``, ``lang``), e.g. gp_energy_patents_cpc.jsonl.
* ``jsonl-patstat-ipc``: PATSTAT applications (``id`` = office + application number,
  ``abstract``, ``ipc`` (partial labels), ``patstat_appln_id``), e.g.
  patstat_c30b_b82y_ipc.jsonl.
* ``jsonl-us-text``: US grants as text (``file`` = "patent<number>.txt", ``text`` = "title: ...
  abstract: ..."), e.g. us_grants_2007_01.jsonl.
* ``cnipa-jsonl``: the documented JSON Lines format for Chinese office records (see
  docs/corpus-formats.md); it also reads what :meth:`PatentRecord.to_dict` writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from ipcenter.patents.application import normalise_space
from ipcenter.patents.corpus import PatentRecord, RecordError
from ipcenter.patents.importers.base import (
    RecordBuilder,
    StreamSource,
    Unit,
    application,
    clean_text,
    count_lines,
    earliest,
    excerpt_of,
    is_empty,
    is_grant,
    open_binary,
    publication,
    split_list,
    unique_names,
)
from ipcenter.patents.importers.language import detect_language

__all__ = [
    "CnA01Source",
    "CnipaJsonlSource",
    "CpcListSource",
    "EnergyCpcSource",
    "JsonlSource",
    "PatstatIpcSource",
    "UsIpcSource",
    "UsTextSource",
    "ZhEnIpcSource",
]


class JsonlSource(StreamSource):
    """A JSON Lines file: a unit per non-blank line; subclasses map one object."""

    # The keys that identify the family (all present in its first record).
    keys: ClassVar[frozenset[str]] = frozenset()

    def estimate_total(self) -> int | None:
        return count_lines(self.path)

    def units(self) -> Iterator[Unit]:
        with open_binary(self.path) as fh:
            number = 0
            try:
                for raw in fh:
                    number += 1
                    if raw.strip():
                        yield Unit(f"line {number}", raw, excerpt_of(raw))
            except (OSError, EOFError) as exc:
                yield Unit(f"line {number + 1}", broken=f"the file ends unreadably ({exc})")

    def convert(self, unit: Unit, builder: RecordBuilder) -> PatentRecord:
        raw: bytes = unit.payload
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RecordError(f"not UTF-8 text (byte {exc.start + 1})") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            reason = exc.msg.removesuffix(" at")
            raise RecordError(f"not JSON at column {exc.colno}: {reason}") from exc
        if not isinstance(data, dict):
            raise RecordError(f"not a JSON object but {type(data).__name__}")
        return self.map(data, builder)

    def map(self, data: dict[str, Any], builder: RecordBuilder) -> PatentRecord:
        raise NotImplementedError


def _string(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"field {key!r} is not text but {type(value).__name__}")
    return value


def _texts(value: Any, separators: str = r"[;；]") -> list[str]:
    """A list of strings given as a JSON list or a separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        return split_list(value, re.compile(separators))
    if isinstance(value, list):
        return [normalise_space(str(item)) for item in value if not is_empty(item)]
    raise RecordError(f"expected a list of text, not {type(value).__name__}")


# -- us_patents_ipc --------------------------------------------------------------------------

_DATE_LIKE = re.compile(
    r"^(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+\d{1,2},\s+\d{4}$"
)


def _person(name: str) -> str:
    """ "Romero; Hernan D." -> "Hernan D. Romero", as the XML formats write names."""
    last, sep, first = name.partition(";")
    return normalise_space(f"{first} {last}") if sep else normalise_space(name)


def _split_located_names(text: str) -> list[str]:
    """ "Romero; Hernan D. (Buenos Aires, AR), Navia, Sr.; Jose A. (Buenos Aires, AR)" ->
    the names, locations dropped (commas inside names and locations are kept apart by the
    ")," that ends each entry)."""
    entries: list[str] = []
    depth = 0
    current: list[str] = []
    previous = ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if char == "," and depth == 0 and previous == ")":
            entries.append("".join(current))
            current = []
        else:
            current.append(char)
        if not char.isspace():
            previous = char
    entries.append("".join(current))
    names: list[str] = []
    for entry in entries:
        entry = entry.strip()
        if entry.endswith(")"):
            depth, cut = 0, len(entry)
            for index in range(len(entry) - 1, -1, -1):
                depth += {")": 1, "(": -1}.get(entry[index], 0)
                if depth == 0:
                    cut = index
                    break
            entry = entry[:cut]
        if entry.strip():
            names.append(_person(entry))
    return names


class UsIpcSource(JsonlSource):
    format = "jsonl-us-ipc"
    label = "JSON Lines: US grants with IPC (id, title, abstract, assignee, inventors, ipc)"
    keys = frozenset({"id", "title", "abstract", "ipc"})

    def map(self, data: dict[str, Any], builder: RecordBuilder) -> PatentRecord:
        office, number, kind = publication(_string(data, "id"), "US")
        assignee = clean_text(_string(data, "assignee"))
        if _DATE_LIKE.match(assignee):
            builder.note(f"assignee {assignee!r} is a date, not a name: dropped")
            assignee = ""
        inventors_text = _string(data, "inventors")
        if inventors_text.startswith("**"):
            builder.note(f"inventors {inventors_text.strip()!r} is an office remark: dropped")
            inventors_text = ""
        ipc = data.get("ipc") or []
        if isinstance(ipc, str):
            ipc = [ipc]
        title, abstract = clean_text(data.get("title")), clean_text(data.get("abstract"))
        return PatentRecord(
            office=office,
            publication_number=number,
            kind=kind,
            title=title,
            abstract=abstract,
            applicants=[_person(assignee)] if assignee else [],
            inventors=unique_names(_split_located_names(inventors_text)),
            ipc=builder.ipc(str(symbol) for symbol in ipc),
            language=_string(data, "lang") or detect_language(f"{title} {abstract}") or "en",
            source_id=_string(data, "id"),
        )


# -- cn_patents_a01 --------------------------------------------------------------------------


class CnA01Source(JsonlSource):
    format = "jsonl-cn-a01"
    label = "JSON Lines: Chinese applications (id = application number, ipc_subclass)"
    keys = frozenset({"id", "title", "abstract", "ipc_subclass"})

    def map(self, data: dict[str, Any], builder: RecordBuilder) -> PatentRecord:
        number = _string(data, "id")
        title, abstract = clean_text(data.get("title")), clean_text(data.get("abstract"))
        return PatentRecord(
            office="CN",
            application_number=application(number, "CN"),
            title=title,
            abstract=abstract,
            ipc=builder.ipc([_string(data, "ipc_subclass")]),
            language=_string(data, "lang") or detect_language(f"{title} {abstract}", "CN"),
            source_id=number,
        )


# -- energy_abstracts_cpc --------------------------------------------------------------------


class EnergyCpcSource(JsonlSource):
    format = "jsonl-energy-cpc"
    label = "JSON Lines: multilingual abstracts with CPC (id, office, abstract, abstract_en)"
    keys = frozenset({"id", "cpc_group", "abstract", "office"})

    def map(self, data: dict[str, Any], builder: RecordBuilder) -> PatentRecord:
        written_office = _string(data, "office").upper()
        office, number, kind = publication(_string(data, "id"), written_office)
        if written_office and written_office != office:
            builder.note(f"office {written_office!r} differs from the number's {office!r}")
        original = clean_text(data.get("abstract"))
        english = clean_text(data.get("abstract_en"))
        translations: dict[str, dict[str, str]] = {}
        if original:
            language = detect_language(original, office)
            if english and english != original and language != "en":
                translations["en"] = {"abstract": english}
        else:
            # Only the English text survives: it becomes the record's own text.
            original, language = english, "en" if english else ""
        return PatentRecord(
            office=office,
            publication_number=number,
            kind=kind,
            abstract=original,
            cpc=builder.cpc([_string(data, "cpc_group")]),
            language=language,
            translations=translations,
            source_id=_string(data, "id"),
        )


# -- green_aviation_ipc_zh_en ----------------------------------------------------------------

# Offices that publish in Chinese: there the Chinese text is the original.
_CHINESE_OFFICES = frozenset({"CN", "TW", "HK", "MO"})


def _checked_publication(
    source_id: str, data: dict[str, Any], builder: RecordBuilder
) -> tuple[str, str, str]:
    """(office, number, kind) of a publication number, its office checked against the
    ``office`` field (a difference is noted; the number wins)."""
    written = _string(data, "office").strip().upper()
    office, number, kind = publication(source_id, written)
    if written and written != office:
        builder.note(f"office {written!r} differs from the number's {office!r}")
    return office, number, kind


def _checked_language(text: str, office: str, data: dict[str, Any], builder: RecordBuilder) -> str:
    """The language read from the text; a ``lang`` field that says otherwise is noted (the
    sets' ``lang`` is wrong at times), and used only where the text gives no evidence."""
    written = _string(data, "lang").strip().lower()
    language = detect_language(text, office) or written
    if written and written != language:
        builder.note(f"lang {written!r} does not match the text, which reads as {language!r}")
    return language


class ZhEnIpcSource(JsonlSource):
    """Families with title and abstract in Chinese and in English, one of them machine-made.

    The record's own text is the Chinese one where the office publishes in Chinese (CN, TW,
    HK, MO), the English one elsewhere; the other language is its translation.
    """

    format = "jsonl-zh-en-ipc"
    label = "JSON Lines: families in Chinese and English with IPC (title_zh, abstract_zh, ipc)"
    keys = frozenset({"id", "title", "title_zh", "abstract", "abstract_zh", "ipc"})

    def map(self, data: dict[str, Any], builder: RecordBuilder) -> PatentRecord:
        source_id = _string(data, "id")
        office, number, kind = _checked_publication(source_id, data, builder)
        texts = {
            "en": {part: clean_text(_string(data, part)) for part in ("title", "abstract")},
            "zh": {part: clean_text(_string(data, f"{part}_zh")) for part in ("title", "abstract")},
        }
        language, other = ("zh", "en") if office in _CHINESE_OFFICES else ("en", "zh")
        if not any(texts[language].values()):
            language, other = other, language  # only the translation survives
        translations: dict[str, dict[str, str]] = {}
        kept = {part: text for part, text in texts[other].items() if text}
        if kept and texts[other] != texts[language]:
            translations[other] = kept
        filed = builder.date(data.get("filing_date"), "filing_date")
        return PatentRecord(
            office=office,
            publication_number=number,
            kind=kind,
            filing_date=filed,
            priority_date=filed,
            title=texts[language]["title"],
            abstract=texts[language]["abstract"],
            applicants=unique_names(_texts(data.get("applicant"), r"\s+\|\s+|[;；]")),
            ipc=builder.ipc(_texts(data.get("ipc"))),
            language=language,
            translations=translations,
            source_id=source_id,
        )


# -- gp_energy_patents_cpc -------------------------------------------------------------------


class CpcListSource(JsonlSource):
    """Publications with their whole CPC list, in the order of the source (Google Patents):
    the first symbol is not the main one. The language is read from the text: the ``lang``
    field is wrong at times (a Portuguese abstract marked "de")."""

    format = "jsonl-cpc-list"
    label = "JSON Lines: publications with their full CPC list (id, title, abstract, cpc, lang)"
    keys = frozenset({"id", "title", "abstract", "cpc"})

    def map(self, data: dict[str, Any], builder: RecordBuilder) -> PatentRecord:
        source_id = _string(data, "id")
        office, number, kind = _checked_publication(source_id, data, builder)
        title, abstract = clean_text(data.get("title")), clean_text(data.get("abstract"))
        return PatentRecord(
            office=office,
            publication_number=number,
            kind=kind,
            title=title,
            abstract=abstract,
            cpc=builder.cpc(_texts(data.get("cpc"))),
            language=_checked_language(f"{title} {abstract}", office, data, builder),
            source_id=source_id,
        )


# -- patstat_c30b_b82y_ipc -------------------------------------------------------------------

# UTF-8 read as a single-byte code page: a lead byte C2-DF shown as "Â"-"ß", then a
# continuation byte as Latin-9 (as some French abstracts show) or Windows-1252 shows it: "Ã©"
# for "é", "Ãš" for "è", "ÃŽ" for "ô", "Å“" for "œ", "Â\xad" for a soft hyphen. "Ã" before a
# space is "à", its no-break space (A0) turned into a space.
_CONTINUATION = "\u00a0-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_MOJIBAKE_2 = re.compile(f"[\u00c2-\u00df][{_CONTINUATION}]|Ã(?= )")
# A three-byte character whose lead byte E2 was lost: "‰¤" for "≤", "€ƒ" for an em space.
_MOJIBAKE_E2 = re.compile(f"[€‰][{_CONTINUATION}]")
_ESCAPED_BREAK = re.compile(r"\\[nr]")


def _repair(text: str, label: str, builder: RecordBuilder) -> str:
    """Text of an export that escaped its line breaks twice and mangled UTF-8, put right;
    each kind of repair is noted with what it changed."""
    repaired = _ESCAPED_BREAK.sub("\n", text)
    if repaired != text:
        builder.note(f"{label}: escaped line breaks ('\\n') read as line breaks")
    changes: dict[str, str] = {}

    def undo(match: re.Match[str], lead: bytes = b"") -> str:
        bad = match.group()
        for codec in ("iso8859_15", "cp1252"):
            try:
                raw = lead + (bad.encode(codec) if bad != "Ã" else b"\xc3\xa0")
                good = raw.decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            changes.setdefault(bad, good)
            return good
        return bad

    repaired = _MOJIBAKE_2.sub(undo, repaired)
    repaired = _MOJIBAKE_E2.sub(lambda match: undo(match, b"\xe2"), repaired)
    if changes:
        shown = ", ".join(f"{bad!r} -> {good!r}" for bad, good in list(changes.items())[:4])
        builder.note(f"{label}: mis-decoded characters repaired ({shown})")
    return repaired


class PatstatIpcSource(JsonlSource):
    """PATSTAT query results: applications without publication numbers, keyed on the
    application number like the Chinese A01 set ("EPAPP11830687"); ``ipc`` holds only the
    codes of the queried subclasses (``labels_partial``). ``lang`` says "en" throughout, though
    French, Japanese and German abstracts are among them: the language is read from the text."""

    format = "jsonl-patstat-ipc"
    label = "JSON Lines: PATSTAT applications with partial IPC (id = application number)"
    keys = frozenset({"id", "abstract", "ipc", "patstat_appln_id"})

    def map(self, data: dict[str, Any], builder: RecordBuilder) -> PatentRecord:
        source_id = _string(data, "id")
        written = _string(data, "office").strip().upper()
        number = _application_number(source_id, written)
        office = number[:2]
        if written and written != office:
            builder.note(f"office {written!r} differs from the number's {office!r}")
        title = clean_text(_repair(_string(data, "title"), "title", builder))
        abstract = clean_text(_repair(_string(data, "abstract"), "abstract", builder))
        return PatentRecord(
            office=office,
            application_number=number,
            title=title,
            abstract=abstract,
            ipc=builder.ipc(_texts(data.get("ipc"))),
            language=_checked_language(f"{title} {abstract}", office, data, builder),
            source_id=source_id,
        )


def _application_number(text: str, office: str) -> str:
    """Office + application number; a CN number's check digit, given without its dot in
    PATSTAT ("CN2012102084074", "CN201180011758X"), is written after one."""
    compact = re.sub(r"\s+", "", text.strip().upper())
    if not compact:
        raise RecordError("the application number is empty")
    cn = re.fullmatch(r"CN(\d{8}|\d{12})([\dX])", compact)
    if cn is not None:
        return f"CN{cn[1]}.{cn[2]}"
    return application(text, office)


# -- us_grants_2007_01 -----------------------------------------------------------------------

_GRANT_FILE = re.compile(r"^(?:.*/)?patent([A-Z]{0,2}\d+)\.txt$", re.I)
_GRANT_TEXT = re.compile(
    r"^\s*title:[ \t]*(?P<title>.*?)\s*\n\s*abstract:\s*(?P<abstract>.*)\Z", re.S
)


class UsTextSource(JsonlSource):
    format = "jsonl-us-text"
    label = "JSON Lines: US grants as text (file = patent<number>.txt, text = title + abstract)"
    keys = frozenset({"file", "text"})

    def map(self, data: dict[str, Any], builder: RecordBuilder) -> PatentRecord:
        name = _string(data, "file")
        match = _GRANT_FILE.match(name.strip())
        if match is None:
            raise RecordError(f"file name {name!r} is not a patent text (patent<number>.txt)")
        office, number, kind = publication(match.group(1), "US")
        text = _string(data, "text")
        parts = _GRANT_TEXT.match(text)
        if parts is None:
            raise RecordError("the text has no 'title:' and 'abstract:' parts")
        return PatentRecord(
            office=office,
            publication_number=number,
            kind=kind,
            title=clean_text(parts["title"]),
            abstract=clean_text(parts["abstract"]),
            language="en",
            source_id=name,
        )


# -- CNIPA JSON Lines ------------------------------------------------------------------------

# Field names of the CNIPA format, with the PatentRecord spellings accepted as aliases.
_CNIPA_FIELDS = {
    "office",
    "publication_number",
    "kind",
    "application_number",
    "application_date",
    "filing_date",
    "publication_date",
    "grant_date",
    "priority_date",
    "priorities",
    "title",
    "abstract",
    "claims",
    "description",
    "applicants",
    "inventors",
    "ipc",
    "cpc",
    "citations",
    "language",
    "family_id",
    "title_en",
    "abstract_en",
    "translations",
    "source",
    "source_id",
}
_CLAIM_SPLIT = re.compile(r"(?m)^\s*(?=\d{1,3}\s*[.、．]\s*\S)")
_CLAIM_NUMBER = re.compile(r"^\s*\d{1,3}\s*[.、．]\s*")


def _claims(value: Any) -> list[str]:
    """Claims as a list, or one text with each claim on a line starting "1." / "1、"."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = [part for part in _CLAIM_SPLIT.split(value) if part.strip()]
        return [normalise_space(_CLAIM_NUMBER.sub("", part, count=1)) for part in parts]
    if isinstance(value, list):
        return [normalise_space(str(item)) for item in value if not is_empty(item)]
    raise RecordError(f"field 'claims' must be a list or text, not {type(value).__name__}")


class CnipaJsonlSource(JsonlSource):
    format = "cnipa-jsonl"
    label = "CNIPA JSON Lines (ipcenter format, docs/corpus-formats.md)"

    def map(self, data: dict[str, Any], builder: RecordBuilder) -> PatentRecord:
        unknown = sorted(set(data) - _CNIPA_FIELDS)
        if unknown:
            builder.note("unknown fields ignored: " + ", ".join(unknown))
        office = (_string(data, "office") or "CN").upper()
        publication_text = _string(data, "publication_number")
        application_text = _string(data, "application_number")
        number, kind = "", _string(data, "kind")
        if publication_text:
            office, number, written_kind = publication(publication_text, office)
            kind = kind or written_kind
        elif application_text:
            found = re.match(r"^\s*([A-Za-z]{2})", application_text)
            office = found.group(1).upper() if found else office
        if not (publication_text or application_text):
            raise RecordError("neither publication_number nor application_number is given")
        published = builder.date(data.get("publication_date"), "publication_date")
        filed = builder.date(
            data.get("application_date") or data.get("filing_date"), "application_date"
        )
        granted = builder.date(data.get("grant_date"), "grant_date")
        priorities = [builder.date(data.get("priority_date"), "priority_date")]
        for priority in data.get("priorities") or []:
            if isinstance(priority, dict):
                priorities.append(builder.date(priority.get("date"), "priority date"))
        if granted is None and number and is_grant(office, kind):
            granted = published
        title, abstract = clean_text(data.get("title")), clean_text(data.get("abstract"))
        claims = _claims(data.get("claims"))
        translations = _translations(data)
        language = _string(data, "language") or detect_language(
            " ".join([title, abstract, *claims[:1]]), office
        )
        return PatentRecord(
            office=office,
            publication_number=number,
            kind=kind,
            application_number=application(application_text, office) if application_text else "",
            family_id=str(data.get("family_id") or ""),
            priority_date=earliest([*priorities, filed]),
            filing_date=filed,
            publication_date=published,
            grant_date=granted,
            title=title,
            abstract=abstract,
            claims=claims,
            description=str(data.get("description") or "").strip(),
            applicants=unique_names(_texts(data.get("applicants"))),
            inventors=unique_names(_texts(data.get("inventors"))),
            ipc=builder.ipc(_texts(data.get("ipc"))),
            cpc=builder.cpc(_texts(data.get("cpc"))),
            citations=builder.citations((n, office) for n in _texts(data.get("citations"))),
            language=language,
            translations=translations,
            source=_string(data, "source"),
            source_id=_string(data, "source_id") or publication_text or application_text,
        )


def _translations(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    translations: dict[str, dict[str, str]] = {}
    given = data.get("translations") or {}
    if not isinstance(given, dict):
        raise RecordError("field 'translations' must be an object")
    for lang, parts in given.items():
        if isinstance(parts, dict):
            kept = {k: clean_text(v) for k, v in parts.items() if k in ("title", "abstract")}
            kept = {k: v for k, v in kept.items() if v}
            if kept:
                translations[str(lang)] = kept
    english = {
        part: clean_text(data.get(f"{part}_en"))
        for part in ("title", "abstract")
        if clean_text(data.get(f"{part}_en"))
    }
    if english:
        translations.setdefault("en", {}).update(english)
    return translations
