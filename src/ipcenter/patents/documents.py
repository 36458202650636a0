"""Read a patent application from its documents: DOCX, PDF with text, USPTO and CNIPA XML.

Plain Python, no Django. :func:`parse_document` looks at the bytes (never the name) to pick the
reader and returns a :class:`~ipcenter.patents.application.ParsedApplication`; anything it cannot
read raises :class:`~ipcenter.patents.application.ParseError` with a stable code and the place.

Every reader produces the same rough draft (title, abstract, headings and paragraphs in order,
claims with their explicit references, figure labels); :func:`_assemble` then works out the
description's sections, the claims' dependencies, the figures and the reference signs the same
way for all of them.

XML is parsed safely (:func:`safe_xml_root`): the DOCTYPE is cut out before parsing, entity
references are replaced by their characters, and documents that declare their own parsed
entities (the "billion laughs" and external-entity attacks) are refused.
"""

from __future__ import annotations

import html.entities
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from ipcenter.lib.archives import ArchiveLimits, ArchiveRefused, inspect_zip
from ipcenter.patents.application import (
    Claim,
    Paragraph,
    ParsedApplication,
    ParseError,
    normalise_space,
)


@dataclass(frozen=True)
class ReaderLimits:
    """What one document may hold before the reader gives up (settings pass the real ones).

    `archive` bounds a DOCX or ZIP before it is opened; None when the caller has already held
    these very bytes to its bounds (``documents.validation.check_upload`` streams the whole
    archive, so a second pass would only unpack it again). `max_paragraphs` and `max_chars`
    bound the text kept from any format, since it is stored with the case and shown on its pages.
    """

    archive: ArchiveLimits | None = field(default_factory=ArchiveLimits)
    max_paragraphs: int = 20_000
    max_chars: int = 2_000_000


__all__ = [
    "PARTS",
    "ReaderLimits",
    "bibliographic_data",
    "classify_heading",
    "extract_figure_labels",
    "extract_reference_signs",
    "iter_uspto_zip",
    "merge_parts",
    "parse_claim_references",
    "parse_document",
    "parse_patent_xml",
    "safe_xml_root",
]

PARTS = ("full", "claims", "description", "abstract")

# --------------------------------------------------------------------------------------------
# Safe XML
# --------------------------------------------------------------------------------------------

_XML_PREDEFINED = {"lt", "gt", "amp", "quot", "apos"}

# ISO 8879 Greek entity names (ISOgrk1) used by the USPTO's SGML-era files; HTML 5 lacks them.
_GREEK_NAMES = (
    "agr bgr ggr dgr egr zgr eegr thgr igr kgr lgr mgr ngr xgr ogr pgr rgr sgr sfgr tgr ugr "
    "phgr khgr psgr ohgr Agr Bgr Ggr Dgr Egr Zgr EEgr THgr Igr Kgr Lgr Mgr Ngr Xgr Ogr Pgr "
    "Rgr Sgr Tgr Ugr PHgr KHgr PSgr OHgr"
)
_ISO_GREEK = dict(
    zip(_GREEK_NAMES.split(), "αβγδεζηθικλμνξοπρσςτυφχψωΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ", strict=True)
)
# Character that stands for an entity whose name is unknown (never resolved from outside).
UNKNOWN_ENTITY = "\ufffd"

_ENTITY_REF = re.compile(r"&([A-Za-z_][\w.\-]*);")
_XML_DECL = re.compile(r"<\?xml\b[^>]*\?>")
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")
_PROLOG_ITEM = re.compile(
    r"\s+|<!--.*?-->|<\?.*?\?>|<!DOCTYPE\b(?:[^\[>\"']|\"[^\"]*\"|'[^']*')*(?:\[(?P<subset>.*?)\]\s*)?>",
    re.S,
)
_ENTITY_DECL = re.compile(r"<!ENTITY\s+(%\s+)?([^\s>]+)\s+(.*?)>", re.S)
_UNPARSED = re.compile(
    r"""^(?:SYSTEM\s+("[^"]*"|'[^']*')|PUBLIC\s+("[^"]*"|'[^']*')\s+("[^"]*"|'[^']*'))\s+NDATA\s+\S+\s*$"""
)


def _entity_text(name: str) -> str:
    if name in _XML_PREDEFINED:
        return f"&{name};"
    char = html.entities.html5.get(name + ";") or _ISO_GREEK.get(name)
    if char is None:
        return UNKNOWN_ENTITY
    return char.replace("&", "&amp;").replace("<", "&lt;")


def _decode_xml(data: bytes, filename: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    match = _ENCODING.match(data)
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    try:
        return data.decode(encoding)
    except LookupError as exc:
        raise ParseError(
            "xml_not_well_formed", filename=filename, detail=f"unknown encoding {encoding}"
        ) from exc
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(
            "xml_not_well_formed",
            filename=filename,
            detail=f"bytes that are not valid {encoding}",
            location=f"line {line}",
        ) from exc


def _blank(text: str) -> str:
    """Same line count as `text`, nothing else: keeps parser line numbers true."""
    return "\n" * text.count("\n")


def _strip_prolog(text: str, filename: str) -> str:
    """Cut the XML declaration and DOCTYPE; refuse declared parsed entities."""
    pos = 0
    out: list[str] = []
    while pos < len(text):
        match = _PROLOG_ITEM.match(text, pos)
        if match is None:
            break
        item = match.group(0)
        if item.startswith("<!DOCTYPE"):
            subset = match.group("subset") or ""
            for decl in _ENTITY_DECL.finditer(subset):
                is_parameter, name, body = decl.group(1), decl.group(2), decl.group(3).strip()
                if is_parameter or not _UNPARSED.match(body):
                    line = text[: match.start()].count("\n") + subset[: decl.start()].count("\n")
                    raise ParseError(
                        "xml_forbidden",
                        filename=filename,
                        detail=f"the document declares its own entity {name}",
                        location=f"line {line + 1}",
                    )
            out.append(_blank(item))
        elif (item.startswith("<?xml") and _XML_DECL.match(item)) or item.startswith("<!--"):
            out.append(_blank(item))
        else:
            out.append(item)
        pos = match.end()
    return "".join(out) + text[pos:]


def safe_xml_root(data: bytes, *, filename: str = "document.xml") -> ET.Element:
    """Parse XML without ever resolving a DTD or an external entity.

    The DOCTYPE (with the USPTO's unparsed image-entity declarations) is removed, entity
    references such as ``&plus;`` or ``&lgr;`` become their characters (an unknown name becomes
    U+FFFD), processing instructions are kept (US grant XML marks its sections with them).
    Raises :class:`ParseError` ``xml_not_well_formed`` with line and column, or
    ``xml_forbidden`` for a document that declares parsed entities.
    """
    if not data.strip():
        raise ParseError("empty_file", filename=filename)
    text = _strip_prolog(_decode_xml(data, filename), filename)
    text = _ENTITY_REF.sub(lambda m: _entity_text(m.group(1)), text)
    parser = DefusedXMLParser(
        target=ET.TreeBuilder(insert_pis=True),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
    try:
        parser.feed(text.encode("utf-8"))
        root = parser.close()
    except ET.ParseError as exc:
        line, column = exc.position
        detail = str(exc).split(":")[0]
        raise ParseError(
            "xml_not_well_formed",
            filename=filename,
            detail=f"{detail} at line {line}, column {column + 1}",
            location=f"line {line}, column {column + 1}",
            line=line,
            column=column + 1,
        ) from exc
    except DefusedXmlException as exc:
        raise ParseError("xml_forbidden", filename=filename, detail=str(exc)) from exc
    return root


# --------------------------------------------------------------------------------------------
# The draft every reader fills
# --------------------------------------------------------------------------------------------


@dataclass
class _Block:
    kind: str  # "heading" | "p" | "section" (a container that sets the section)
    text: str = ""
    number: str | None = None
    section: str | None = None  # for "section" blocks: the kind it starts (None = other)


@dataclass
class _RawClaim:
    text: str
    number: int | None = None
    refs: set[int] = field(default_factory=set)
    location: str = ""


@dataclass
class _Draft:
    source_format: str
    title: str = ""
    abstract: list[str] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)
    claims: list[_RawClaim] = field(default_factory=list)
    figure_labels: list[str] = field(default_factory=list)
    figure_count: int = 0


# --------------------------------------------------------------------------------------------
# Headings, claims, figures, reference signs: text rules shared by all readers
# --------------------------------------------------------------------------------------------

_HEADING_NUMBERING = re.compile(
    r"^\s*(?:[\[【(（]?\s*(?:\d{1,2}|[ivxIVX]{1,4}|[A-Ha-h]|[一二三四五六七八九十]{1,3})\s*[\]】)）.、．:：]\s*)+"
)

_ZH_SECTIONS: list[tuple[str, re.Pattern[str]]] = [
    ("drawings", re.compile(r"^附图说明$|^说明书附图说明$")),
    (
        "detailed_description",
        re.compile(r"^(?:具体实施方式|具体实施例|实施方式|发明的具体实施方式)"),
    ),
    ("technical_field", re.compile(r"^(?:技术领域|所属技术领域)$")),
    ("background", re.compile(r"^(?:背景技术|技术背景|发明背景)$")),
    ("summary", re.compile(r"^(?:发明内容|实用新型内容|发明概述|发明目的)$")),
]
_EN_SECTIONS: list[tuple[str, re.Pattern[str]]] = [
    ("drawings?", re.compile(r"^(?:detailed )?description of (?:the )?(?:drawings?|figures)$")),
    ("detailed_description", re.compile(r"^detailed description\b")),
    (
        "drawings",
        re.compile(
            r"^(?:brief |short )?(?:description|explanation|summary) of (?:the )?(?:several )?"
            r"(?:views of the )?(?:accompanying )?(?:drawings?|figures?|illustrations)\b"
            r"|^(?:the )?drawings?$|^figures$"
        ),
    ),
    (
        "detailed_description",
        re.compile(
            r"^(?:detailed )?description of (?:the )?(?:preferred |exemplary |illustrative |"
            r"specific |example |illustrated |the )*(?:embodiments?|implementations?)\b"
            r"|^(?:best )?modes? (?:for|of) carrying out\b|^(?:preferred |exemplary )?embodiments?$"
            r"|^description of (?:the )?(?:invention|embodiments)$|^detailed description$"
        ),
    ),
    (
        "technical_field",
        re.compile(
            r"^(?:technical )?field(?: of (?:the )?(?:present )?(?:invention|disclosure|art|"
            r"application|utility model))?$|^technical (?:field|area)\b|^field of the invention"
        ),
    ),
    (
        "background",
        re.compile(
            r"^background\b|^(?:description|discussion) of (?:the )?(?:related|prior|background)"
            r" art|^(?:related|prior) art\b|^state of the art"
        ),
    ),
    (
        "summary",
        re.compile(
            r"^(?:brief )?summary\b|^disclosure(?: of (?:the )?(?:present )?invention)?$"
            r"|^objects?\b.*\binvention$|^(?:brief )?description of the invention$"
            r"|^general description"
        ),
    ),
]
_OTHER_HEADINGS = re.compile(
    r"^cross[- ]?reference|^related applications?\b|^(?:statement )?regarding federally"
    r"|^incorporation by reference|^sequence listing|^reference to\b|^priority\b"
    r"|^附图标记|^reference (?:signs|numerals)"
)


def classify_heading(text: str) -> str | None:
    """The section kind a heading opens ("background", ...), "other" or None (not a section)."""
    kind = _classify_heading(text)
    return "drawings" if kind == "drawings?" else kind


def _classify_heading(text: str) -> str | None:
    """As classify_heading; "drawings?" for "Detailed description of the drawings", which US
    applicants use both for the list of figures and for the embodiments."""
    head = _HEADING_NUMBERING.sub("", normalise_space(text)).rstrip(":：.。 ").strip()
    if not head or len(head) > 90:
        return None
    lowered = head.lower()
    for kind, pattern in _ZH_SECTIONS:
        if pattern.search(head):
            return kind
    for kind, pattern in _EN_SECTIONS:
        if pattern.search(lowered):
            return kind
    if _OTHER_HEADINGS.search(lowered):
        return "other"
    return None


_PART_HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    (
        "claims",
        re.compile(
            r"^(?:权利要求书|权利要求|claims?|what is claimed(?: is)?|(?:i|we) claim|"
            r"the invention claimed is|claimed is)$",
            re.I,
        ),
    ),
    (
        "abstract",
        re.compile(r"^(?:说明书摘要|摘要|abstract(?: of the (?:disclosure|invention))?)$", re.I),
    ),
    ("drawings", re.compile(r"^(?:说明书附图|摘要附图|drawings|figures)$", re.I)),
    ("description", re.compile(r"^(?:说明书|description|specification)$", re.I)),
]


def _part_heading(text: str) -> str | None:
    head = normalise_space(text).rstrip(":：").strip()
    if len(head) > 40:
        return None
    for part, pattern in _PART_HEADINGS:
        if pattern.match(head):
            return part
    return None


_CLAIM_NUMBER = re.compile(r"^\s*[\[【]?\s*(\d{1,3})\s*[\]】]?\s*[.．、:：)）]\s*(?!\d)")
_EN_CLAIM_REF = re.compile(
    r"\bclaims?\s+(\d+)((?:\s*(?:,|;|\bor\b|\band/or\b|\band\b|\bto\b|\bthrough\b|\bthru\b|-|–|—)"
    r"\s*(?:claims?\s+)?\d+\b)*)",
    re.I,
)
_EN_ALL_PRECEDING = re.compile(
    r"\b(?:any|one)(?: one)?(?: or more)?(?: of)?(?: the)? (?:preceding|previous|foregoing|"
    r"above|prior) claims?\b",
    re.I,
)
_ZH_CLAIM_REF = re.compile(
    r"权利要求\s*(\d+)((?:\s*(?:[、,，或和及至到~～\-－—]|或者|以及)\s*(?:权利要求)?\s*\d+)*)"
)
_ZH_ALL_PRECEDING = re.compile(
    r"(?:前述|上述|以上|在前)(?:的)?(?:任[一意]项?|任何一项)?(?:所述的?)?权利要求"
)
_RANGE_WORDS = {"to", "through", "thru", "-", "–", "—", "至", "到", "~", "～", "－"}
_SEPARATOR_THEN_ITEM = re.compile(
    r"\s*(,|;|and/or|and|or|to|through|thru|&|-|–|—|、|，|或者|以及|或|和|及|与|至|到|~|～|－)\s*"
    r"(?:claims?\s+|权利要求|figs?\.?\s*|figures?\s*|图\s*)?(\d+[A-Za-z]?)",
    re.I,
)


def _expand_list(first: str, rest: str) -> list[str]:
    """ "1" + ", 2 or 4 to 6" -> ["1", "2", "4", "5", "6"] (ranges of numbers and of letters)."""
    items = [first]
    for match in _SEPARATOR_THEN_ITEM.finditer(rest):
        separator, label = match.group(1).lower(), match.group(2)
        previous = items[-1]
        if separator in _RANGE_WORDS:
            start, end = _split_label(previous), _split_label(label)
            if not start[1] and not end[1] and start[0] < end[0] <= start[0] + 200:
                items.extend(str(n) for n in range(start[0] + 1, end[0] + 1))
                continue
            if start[0] == end[0] and len(start[1]) == len(end[1]) == 1 and start[1] < end[1]:
                items.extend(
                    f"{start[0]}{chr(c)}" for c in range(ord(start[1]) + 1, ord(end[1]) + 1)
                )
                continue
        items.append(label)
    return items


def _split_label(label: str) -> tuple[int, str]:
    match = re.match(r"(\d+)(.*)", label)
    return (int(match.group(1)), match.group(2).upper()) if match else (0, label.upper())


def parse_claim_references(text: str, number: int | None = None) -> list[int]:
    """The claims a claim's text refers to: "of claim 1", "claims 1 or 2", "权利要求1-3任一项"."""
    found: list[int] = []
    for pattern in (_EN_CLAIM_REF, _ZH_CLAIM_REF):
        for match in pattern.finditer(text):
            found.extend(
                int(_split_label(x)[0]) for x in _expand_list(match.group(1), match.group(2))
            )
    if number is not None and (_EN_ALL_PRECEDING.search(text) or _ZH_ALL_PRECEDING.search(text)):
        found.extend(range(1, number))
    return sorted(set(found))


_EN_FIGURE = re.compile(
    r"\b(?:fig(?:ure)?s?)\.?\s*(\d+(?:[A-Za-z](?![A-Za-z]))?)(?![\w.]*\d)((?:\s*(?:,|and|or|to|"
    r"through|&|-|–)\s*(?:figs?\.?\s*|figures?\s*)?\d+(?:[A-Za-z](?![A-Za-z]))?(?![\w]))*)",
    re.I,
)
_ZH_FIGURE = re.compile(
    r"图\s*(\d+[A-Za-z]?)((?:\s*(?:[、,，和及与或至到~～\-－—])\s*(?:图)?\s*\d+[A-Za-z]?)*)"
)


def extract_figure_labels(text: str) -> list[str]:
    """Figure labels a text mentions, in order, once each: "FIGS. 2A-2C" -> 2A, 2B, 2C."""
    labels: list[str] = []
    for pattern in (_EN_FIGURE, _ZH_FIGURE):
        for match in pattern.finditer(text):
            for label in _expand_list(match.group(1), match.group(2)):
                label = label.upper()
                if label not in labels:
                    labels.append(label)
    return labels


# Reference signs: "housing 10", "壳体10", and lists "10: housing" / "1-壳体；2-底座".
_EN_SIGN = re.compile(
    r"\b((?:[A-Za-z][A-Za-z\-]*\s+){0,3}[A-Za-z][A-Za-z\-]*)\s+(\d{1,4}[a-z]?'*)(?![\w.,]?\d)"
    r"(?:\s+([A-Za-z%°]+))?"
)
_ZH_SIGN = re.compile(r"([\u4e00-\u9fff]{1,10})\s?(\d{1,4}[a-zA-Z]?'*)(?![\d.])(.?)")
_SIGN_LIST = re.compile(
    r"(?:^|[;；，,。\s])(\d{1,4}[a-zA-Z]?'*)\s*[-—:：、]\s*"
    r"([\u4e00-\u9fff]{1,12}|[A-Za-z][A-Za-z \-]{1,40}?)"
    r"(?=\s*(?:[;；，,。]|$|\s\d))"
)
_EN_NOT_SIGN_WORDS = {
    "a",
    "an",
    "the",
    "of",
    "to",
    "and",
    "or",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "from",
    "than",
    "about",
    "approximately",
    "between",
    "fig",
    "figs",
    "figure",
    "figures",
    "claim",
    "claims",
    "table",
    "tables",
    "example",
    "examples",
    "column",
    "columns",
    "line",
    "lines",
    "page",
    "pages",
    "paragraph",
    "section",
    "formula",
    "equation",
    "embodiment",
    "version",
    "number",
    "no",
    "nos",
    "item",
    "sheet",
    "year",
    "years",
    "step",
    "steps",
    "is",
    "are",
    "be",
    "was",
    "were",
    "has",
    "have",
    "up",
    "over",
    "under",
    "least",
    "most",
    "only",
    "within",
    "into",
    "above",
    "below",
    "less",
    "more",
    "per",
    "every",
    "each",
    "all",
    "some",
    "appendix",
    "chapter",
    "part",
    "ser",
    "pat",
    "patent",
    "application",
    "publication",
    "cfr",
    "u.s.c",
    "usc",
    "rev",
    "revision",
    "release",
    "level",
    "phase",
    "stage",
    "type",
    "group",
    "class",
    "channel",
    "channels",
    "ieee",
    "iso",
    "rfc",
    "x",
    "times",
    "exactly",
    "until",
    "after",
    "before",
    "since",
    "during",
    "via",
    "as",
    "if",
    "when",
    "then",
    "that",
    "which",
    "having",
    "represents",
    "represent",
    "preferably",
    "value",
    "values",
    "wherein",
    "including",
    "comprising",
    "comprises",
    "include",
    "includes",
    "contains",
    "containing",
    "approx",
    "nearly",
    "around",
    "roughly",
    "substantially",
    "generally",
    "range",
    "ranges",
    "ranging",
    "total",
    "totally",
    "count",
    "size",
    "width",
    "length",
    "height",
    "depth",
    "weight",
    "score",
    "rate",
    "ratio",
    "factor",
    "time",
    "temperature",
    "pressure",
    "amount",
    "degrees",
}
_EN_UNITS = {
    "mm",
    "cm",
    "m",
    "nm",
    "um",
    "km",
    "kg",
    "g",
    "mg",
    "ml",
    "l",
    "percent",
    "degrees",
    "degree",
    "seconds",
    "second",
    "minutes",
    "minute",
    "hours",
    "hour",
    "days",
    "day",
    "months",
    "years",
    "times",
    "bits",
    "bit",
    "bytes",
    "byte",
    "kb",
    "mb",
    "gb",
    "hz",
    "khz",
    "mhz",
    "ghz",
    "v",
    "volts",
    "ma",
    "w",
    "watts",
    "psi",
    "pa",
    "kpa",
    "mpa",
    "c",
    "f",
    "k",
    "ms",
    "ns",
    "s",
    "sec",
    "min",
    "inches",
    "inch",
    "feet",
    "ft",
    "wt",
    "mol",
    "%",
    "°",
}
_ZH_NOT_SIGN_TAIL = set("个种根条块片层组对次倍年月日秒分时度克米毫厘份位号项")
_ZH_STRIP_PREFIX = re.compile(
    r"^(?:.*?(?:所述|该|此|这个|这些|一个|一种|多个|若干|将|把|通过|设有|包括|包含|与|和|及|的|在|于|由|为|是|上|下|内|外|使|以|对|从))"
)
_ZH_NOT_SIGN_NAMES = re.compile(
    r"(?:图|权利要求|实施例|步骤|表|式|公式|第|约|大约|小于|大于|共|计)$"
)


def extract_reference_signs(paragraphs: Iterable[str]) -> dict[str, str]:
    """Reference signs and the names they label, from description text."""
    signs: dict[str, str] = {}
    for text in paragraphs:
        pairs = list(_SIGN_LIST.finditer(text))
        if len(pairs) >= 2:
            for match in pairs:
                signs.setdefault(match.group(1), match.group(2).strip())
        for match in _ZH_SIGN.finditer(text):
            name, sign, tail = match.group(1), match.group(2), match.group(3)
            if (tail and tail in _ZH_NOT_SIGN_TAIL) or _ZH_NOT_SIGN_NAMES.search(name):
                continue
            stripped = _ZH_STRIP_PREFIX.sub("", name) or name
            signs.setdefault(sign, stripped[-8:])
        for match in _EN_SIGN.finditer(text):
            words, sign, unit = match.group(1).split(), match.group(2), match.group(3)
            if unit and unit.lower() in _EN_UNITS:
                continue
            if words[-1].lower() in _EN_NOT_SIGN_WORDS or not words[-1].islower():
                continue
            cut = max(
                (i for i, w in enumerate(words) if w.lower() in _EN_NOT_SIGN_WORDS), default=-1
            )
            words = words[cut + 1 :]
            if words and not (len(sign) == 1 and sign.isdigit() and int(sign) == 0):
                signs.setdefault(sign, " ".join(words))
    return signs


def detect_language(text: str) -> str:
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    letters = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "zh" if cjk and cjk * 3 >= letters else "en"


_PARAGRAPH_NUMBER = re.compile(r"^\s*[\[【]\s*(\d{3,5})\s*[\]】]\s*")


def _split_paragraph_number(text: str) -> tuple[str, str | None]:
    match = _PARAGRAPH_NUMBER.match(text)
    if match:
        return text[match.end() :], match.group(1)
    return text, None


def _split_claim_number(text: str) -> tuple[str, int | None]:
    match = _CLAIM_NUMBER.match(text)
    if match:
        return text[match.end() :], int(match.group(1))
    return text, None


# --------------------------------------------------------------------------------------------
# Assembly: draft -> ParsedApplication
# --------------------------------------------------------------------------------------------


_STARTS_WITH_FIGURE = re.compile(r"^\s*(?:figs?\.?|figures?|图)\s*\d", re.I)


def _drawings_or_embodiments(following: list[_Block]) -> str:
    """A list of figures starts with "FIG. 1 is ..." within its first paragraphs."""
    paragraphs = [b.text for b in following if b.kind == "p"][:3]
    if any(_STARTS_WITH_FIGURE.match(text) for text in paragraphs):
        return "drawings"
    return "detailed_description"


def _figure_refs(texts: Iterable[str]) -> list[str]:
    """The figure labels the texts mention, once each, in figure order."""
    refs: list[str] = []
    for text in texts:
        refs.extend(x for x in extract_figure_labels(text) if x not in refs)
    return sorted(refs, key=_split_label)


def _language(title: str, abstract: str, claims: list[Claim], paragraphs: list[Paragraph]) -> str:
    """The application's language, from its title, abstract, first claims and paragraphs."""
    sample = " ".join([title, abstract, *(c.text for c in claims[:3])])
    sample += " ".join(p.text for p in paragraphs[:20])
    return detect_language(sample)


def _assemble(draft: _Draft) -> ParsedApplication:
    paragraphs: list[Paragraph] = []
    current: str | None = None
    for position, block in enumerate(draft.blocks):
        if block.kind == "section":
            current = block.section
        elif block.kind == "heading":
            kind = _classify_heading(block.text)
            if kind == "drawings?":
                kind = _drawings_or_embodiments(draft.blocks[position + 1 :])
            if kind == "other":
                current = None
            elif kind is not None:
                current = kind
        elif block.text:
            paragraphs.append(Paragraph(text=block.text, number=block.number, section=current))
    sections: list[str] = []
    for paragraph in paragraphs:
        if paragraph.section and paragraph.section not in sections:
            sections.append(paragraph.section)

    claims: list[Claim] = []
    for raw in draft.claims:
        text, written = _split_claim_number(normalise_space(raw.text))
        number = written if written is not None else raw.number
        if number is None:
            raise ParseError(
                "claim_number_unreadable", text=text[:60], location=raw.location or "claims"
            )
        dependencies = set(parse_claim_references(text, number)) | raw.refs
        claims.append(Claim(number=number, text=text, depends_on=sorted(dependencies)))

    figures: list[str] = []
    for paragraph in paragraphs:
        if paragraph.section == "drawings":
            figures.extend(x for x in extract_figure_labels(paragraph.text) if x not in figures)
    if not figures:
        figures = list(dict.fromkeys(label.upper() for label in draft.figure_labels))
    if not figures and draft.figure_count:
        figures = [str(n) for n in range(1, draft.figure_count + 1)]
    abstract = normalise_space(" ".join(draft.abstract))
    title = normalise_space(draft.title)
    return ParsedApplication(
        language=_language(title, abstract, claims, paragraphs),
        title=title,
        abstract=abstract,
        claims=claims,
        description=paragraphs,
        sections=sections,
        figures=sorted(figures, key=_split_label),
        figure_refs=_figure_refs([p.text for p in paragraphs] + [c.text for c in claims]),
        reference_signs=extract_reference_signs(
            p.text for p in paragraphs if p.section != "drawings"
        ),
        source_format=draft.source_format,
    )


# --------------------------------------------------------------------------------------------
# XML readers
# --------------------------------------------------------------------------------------------


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    return normalise_space("".join(element.itertext()))


def _raw_text(element: ET.Element) -> str:
    return "".join(element.itertext()).strip("\n")


def _find(element: ET.Element, *names: str) -> ET.Element | None:
    """First descendant whose local name is one of `names` (namespaces ignored)."""
    for child in element.iter():
        if _local(child.tag) in names:
            return child
    return None


def _findall(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element.iter() if _local(child.tag) == name]


def _claim_number_from_id(value: str | None) -> int | None:
    if not value:
        return None
    match = re.search(r"(\d+)\s*$", value)
    return int(match.group(1)) if match else None


def _xml_claims(
    claims_root: ET.Element | None, claim_tag: str, ref_tags: dict[str, str]
) -> list[_RawClaim]:
    if claims_root is None:
        return []
    raws: list[_RawClaim] = []
    for position, claim in enumerate(c for c in claims_root.iter() if _local(c.tag) == claim_tag):
        refs: set[int] = set()
        for ref in claim.iter():
            attribute = ref_tags.get(_local(ref.tag))
            if attribute:
                for value in (ref.get(attribute) or "").split():
                    number = _claim_number_from_id(value)
                    if number is not None:
                        refs.add(number)
        number = _claim_number_from_id(claim.get("num") or claim.get("id") or claim.get("ID"))
        raws.append(
            _RawClaim(
                text=_text(claim),
                number=number,
                refs=refs,
                location=f"claims, claim element {position + 1}",
            )
        )
    return raws


_PI_SECTIONS = {
    "BRFSUM": "summary",
    "brief-description-of-drawings": "drawings",
    "DETDESC": "detailed_description",
    "RELAPP": None,
    "GOVINT": None,
}
_CONTAINER_SECTIONS: dict[str, str | None] = {
    # USPTO pap 1.5
    "cross-reference-to-related-applications": None,
    "background-of-invention": "background",
    "summary-of-invention": "summary",
    "brief-description-of-drawings": "drawings",
    "detailed-description": "detailed_description",
    "federal-research-statement": None,
    # USPTO grant/application XML 2004+
    "description-of-drawings": "drawings",
    # SGML 2.4/2.5
    "RELAPP": None,
    "GOVINT": None,
    "BRFSUM": "summary",
    "DRWDESC": "drawings",
    "DETDESC": "detailed_description",
    # CNIPA / WIPO ST.36
    "technical-field": "technical_field",
    "background-art": "background",
    "disclosure": "summary",
    "description-of-embodiments": "detailed_description",
    "mode-for-invention": "detailed_description",
    "best-mode": "detailed_description",
    "reference-signs-list": None,
}
_PARAGRAPH_TAGS = {"p", "paragraph", "PARA"}
_HEADING_TAGS = {"heading", "H"}


def _walk_description(element: ET.Element, blocks: list[_Block]) -> None:
    for child in element:
        if child.tag is ET.ProcessingInstruction:
            body = child.text or ""
            name = body.split()[0] if body.split() else ""
            if name in _PI_SECTIONS and 'end="lead"' in body:
                blocks.append(_Block("section", section=_PI_SECTIONS[name]))
            continue
        name = _local(child.tag)
        if name in _HEADING_TAGS:
            blocks.append(_Block("heading", _text(child)))
        elif name in _PARAGRAPH_TAGS:
            text, number = _split_paragraph_number(_text(child))
            marker = next((c for c in child if _local(c.tag) == "number"), None)
            if marker is not None and number is None:  # pap 1.5: <number>26.</number>
                written = _text(marker)
                text = text.removeprefix(written).strip()
                number = written.strip("[]【】.") or None
            number = child.get("num") or number
            blocks.append(_Block("p", text, number))
        elif name in ("invention-title", "figref"):
            continue
        else:
            if name in _CONTAINER_SECTIONS:
                blocks.append(_Block("section", section=_CONTAINER_SECTIONS[name]))
            _walk_description(child, blocks)


def _us_grant_format(root: ET.Element) -> str:
    name = _local(root.tag)
    version = root.get("dtd-version") or ""
    year = re.search(r"(19|20)\d\d", version)
    kind = "grant" if name == "us-patent-grant" else "app"
    return f"uspto-{kind}-xml-{year.group(0) if year else 'unknown'}"


def _read_us_xml(root: ET.Element) -> _Draft:
    draft = _Draft(source_format=_us_grant_format(root))
    draft.title = _text(_find(root, "invention-title"))
    abstract = _find(root, "abstract")
    if abstract is not None:
        paragraphs = [_text(p) for p in abstract.iter() if _local(p.tag) == "p"]
        draft.abstract = paragraphs or [_text(abstract)]
    description = _find(root, "description")
    if description is not None:
        _walk_description(description, draft.blocks)
    draft.claims = _xml_claims(_find(root, "claims"), "claim", {"claim-ref": "idref"})
    count = _find(root, "number-of-figures")
    if count is not None and _text(count).isdigit():
        draft.figure_count = int(_text(count))
    return draft


def _read_pap(root: ET.Element, doctype_version: str) -> _Draft:
    draft = _Draft(source_format=f"uspto-pap-{doctype_version}")
    draft.title = _text(_find(root, "title-of-invention"))
    abstract = _find(root, "subdoc-abstract")
    if abstract is not None:
        draft.abstract = [_text(p) for p in abstract.iter() if _local(p.tag) == "paragraph"]
    description = _find(root, "subdoc-description")
    if description is not None:
        _walk_description(description, draft.blocks)
    draft.claims = _xml_claims(
        _find(root, "subdoc-claims"), "claim", {"dependent-claim-reference": "depends_on"}
    )
    drawings = _find(root, "subdoc-drawings")
    if drawings is not None:
        draft.figure_count = len([f for f in drawings if _local(f.tag) == "figure"])
    return draft


def _read_sgml(root: ET.Element) -> _Draft:
    draft = _Draft(source_format=f"uspto-sgml-{root.get('DTD') or '2.4'}")
    title = _find(root, "B540")
    draft.title = _text(title)
    abstract = _find(root, "SDOAB")
    if abstract is not None:
        draft.abstract = [_text(p) for p in abstract.iter() if _local(p.tag) == "PARA"]
    description = _find(root, "SDODE")
    if description is not None:
        _walk_description(description, draft.blocks)
    draft.claims = _xml_claims(_find(root, "SDOCL"), "CLM", {"CLREF": "ID"})
    # SDODR counts drawing sheets, not figures: the labels come from DRWDESC.
    return draft


def _read_cnipa(root: ET.Element) -> _Draft:
    draft = _Draft(source_format="cnipa-xml")
    body = _find(root, "application-body")
    if body is None:
        body = root
    title = _find(body, "invention-title")
    draft.title = _text(title if title is not None else _find(root, "invention-title"))
    abstract = _find(root, "abstract")
    if abstract is not None:
        paragraphs = [_text(p) for p in abstract.iter() if _local(p.tag) == "p"]
        draft.abstract = paragraphs or [_text(abstract)]
    description = _find(body, "description")
    if description is not None:
        _walk_description(description, draft.blocks)
    draft.claims = _xml_claims(_find(body, "claims"), "claim", {"claim-ref": "idref"})
    drawings = _find(root, "drawings")
    if drawings is not None:
        for figure in drawings:
            if _local(figure.tag) == "figure":
                label = figure.get("num") or ""
                label = label.lstrip("0") or label
                if label:
                    draft.figure_labels.append(label)
                else:
                    draft.figure_count += 1
    return draft


def _xml_draft(root: ET.Element, filename: str, raw: bytes) -> _Draft:
    name = _local(root.tag)
    if name in ("us-patent-grant", "us-patent-application"):
        return _read_us_xml(root)
    if name == "patent-application-publication":
        match = re.search(rb"pap-v(\d)(\d)", raw[:2000])
        return _read_pap(
            root, f"{match.group(1).decode()}.{match.group(2).decode()}" if match else "1.5"
        )
    if name == "PATDOC":
        return _read_sgml(root)
    if name.startswith("cn-") or name in ("patent-document", "application-body"):
        return _read_cnipa(root)
    raise ParseError("xml_unknown_root", root=name, filename=filename)


def _parse_xml(filename: str, data: bytes) -> _Draft:
    return _xml_draft(safe_xml_root(data, filename=filename), filename, data)


_XML_DOC_START = re.compile(rb"<\?xml[^>]*\?>")


def _split_concatenated(data: bytes) -> list[bytes]:
    """USPTO weekly files are many XML documents one after another, each with its declaration."""
    starts = [m.start() for m in _XML_DOC_START.finditer(data)]
    if len(starts) <= 1:
        return [data]
    return [data[a:b] for a, b in zip(starts, [*starts[1:], len(data)], strict=True)]


def iter_uspto_zip(source: str | Path | bytes) -> Iterator[ParsedApplication]:
    """Every patent document in a USPTO bulk zip (weekly ``ipg``/``ipgb`` files), in order."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    name = "archive.zip" if isinstance(source, bytes) else Path(source).name
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ParseError("corrupt_zip", filename=name, detail=str(exc)) from exc
    with archive:
        for member in archive.namelist():
            if not member.lower().endswith(".xml"):
                continue
            for position, chunk in enumerate(_split_concatenated(archive.read(member))):
                label = f"{member} #{position + 1}"
                yield _assemble(_parse_xml(label, chunk))


# --------------------------------------------------------------------------------------------
# DOCX, PDF and plain text: lines with optional heading marks
# --------------------------------------------------------------------------------------------


@dataclass
class _Line:
    text: str
    heading: bool = False  # styled as a heading or title
    title: bool = False
    location: str = ""


_CLAIMS_PREAMBLE = re.compile(
    r"^(?:what is claimed(?: is)?|(?:i|we) claim|the invention claimed is|claimed is|"
    r"权利要求书?)\s*[:：]?$",
    re.I,
)
_TERMINAL = tuple(".。!?！？:：;；")


def _lines_draft(lines: list[_Line], *, part: str, source_format: str, merge_lines: bool) -> _Draft:
    """Split a flat run of lines into title, abstract, description and claims."""
    draft = _Draft(source_format=source_format)
    current_part = part if part != "full" else "front"
    claim: _RawClaim | None = None
    previous_ended = True
    for line in lines:
        text = normalise_space(line.text)
        if not text:
            continue
        heading_part = _part_heading(text)
        section = _classify_heading(text) if len(text) <= 90 else None
        if heading_part is not None and (line.heading or len(text) <= 30):
            current_part = heading_part if part in ("full", heading_part) else "skip"
            claim = None
            previous_ended = True
            continue
        if line.title and not draft.title:
            draft.title = text
            continue
        if current_part == "skip" and not (section and part == "description"):
            continue
        if (
            section is not None
            and current_part in ("front", "description", "drawings", "skip")
            and (line.heading or not text.endswith((".", "。")) or section != "other")
        ):
            if current_part != "description" and part in ("full", "description"):
                current_part = "description"
            draft.blocks.append(_Block("heading", text))
            previous_ended = True
            continue
        if current_part == "front":
            if not draft.title and len(text) <= 200:
                draft.title = text
                continue
            current_part = "description"
        if current_part == "claims":
            if _CLAIMS_PREAMBLE.match(text):
                continue
            _, claim_number = _split_claim_number(text)
            if claim_number is not None:
                claim = _RawClaim(text=text, location=line.location)
                draft.claims.append(claim)
            elif claim is None:
                raise ParseError(
                    "claim_number_unreadable", text=text[:60], location=line.location or "claims"
                )
            else:
                claim.text += " " + text
        elif current_part == "abstract":
            draft.abstract.append(text)
        elif current_part == "drawings":
            draft.figure_labels.extend(extract_figure_labels(text[:20]))
        else:  # description
            if line.heading:
                draft.blocks.append(_Block("heading", text))
                previous_ended = True
                continue
            if (
                not draft.title
                and not draft.blocks
                and len(text) <= 60
                and not text.endswith(_TERMINAL)
            ):
                draft.title = text
                continue
            body, number = _split_paragraph_number(text)
            last = draft.blocks[-1] if draft.blocks else None
            if merge_lines and number is None and not previous_ended and last and last.kind == "p":
                joiner = "" if detect_language(last.text[-1:] + body[:1]) == "zh" else " "
                last.text += joiner + body
            else:
                draft.blocks.append(_Block("p", body, number))
            previous_ended = text.endswith(_TERMINAL)
    return draft


def _bounded_lines(lines: list[_Line], filename: str, limits: ReaderLimits) -> list[_Line]:
    """Refuse a document whose text is too long to store and show with a case."""
    if len(lines) > limits.max_paragraphs:
        raise ParseError("too_many_paragraphs", filename=filename, limit=limits.max_paragraphs)
    if sum(len(line.text) for line in lines) > limits.max_chars:
        raise ParseError("text_too_long", filename=filename, limit=limits.max_chars)
    return lines


def _read_docx(filename: str, data: bytes, part: str, limits: ReaderLimits) -> _Draft:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # PackageNotFoundError, BadZipFile, lxml errors on a damaged part
        raise ParseError(
            "docx_unreadable", filename=filename, detail=str(exc) or type(exc).__name__
        ) from exc
    paragraphs = document.paragraphs
    if len(paragraphs) > limits.max_paragraphs:
        raise ParseError("too_many_paragraphs", filename=filename, limit=limits.max_paragraphs)
    lines: list[_Line] = []
    for position, paragraph in enumerate(paragraphs, start=1):
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        lines.append(
            _Line(
                text=paragraph.text,
                heading=style.lower().startswith(("heading", "title")),
                title=style.lower() == "title",
                location=f"paragraph {position}",
            )
        )
    lines = _bounded_lines(lines, filename, limits)
    draft = _lines_draft(lines, part=part, source_format="docx", merge_lines=False)
    if not draft.figure_labels:
        draft.figure_count = len(document.inline_shapes)
    return draft


def _read_pdf(filename: str, data: bytes, part: str, limits: ReaderLimits) -> _Draft:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ParseError("pdf_encrypted", filename=filename)
        pages = [page.extract_text() or "" for page in reader.pages]
    except ParseError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError, TypeError, AttributeError) as exc:
        raise ParseError(
            "pdf_unreadable", filename=filename, detail=str(exc) or type(exc).__name__
        ) from exc
    if not pages:
        raise ParseError("pdf_unreadable", filename=filename, detail="the file has no pages")
    if not any(page.strip() for page in pages):
        raise ParseError(
            "pdf_no_text",
            filename=filename,
            location=f"pages 1-{len(pages)}" if len(pages) > 1 else "page 1",
        )
    lines = [
        _Line(text=text, location=f"page {number}, line {row}")
        for number, page in enumerate(pages, start=1)
        for row, text in enumerate(page.splitlines(), start=1)
    ]
    lines = _bounded_lines(lines, filename, limits)
    return _lines_draft(lines, part=part, source_format="pdf", merge_lines=True)


def _read_text(filename: str, data: bytes, part: str, limits: ReaderLimits) -> _Draft:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError("unknown_format", filename=filename) from exc
    lines = [
        _Line(text=row, location=f"line {number}")
        for number, row in enumerate(text.splitlines(), start=1)
    ]
    lines = _bounded_lines(lines, filename, limits)
    return _lines_draft(lines, part=part, source_format="text", merge_lines=True)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def _looks_like_xml(data: bytes) -> bool:
    head = data[:200].lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<") or head.startswith((b"\xff\xfe<", b"\xfe\xff"))


def _inspect_zip(filename: str, data: bytes, limits: ReaderLimits) -> list[str]:
    """The archive's names once it is known to be sound and small enough to open."""
    try:
        if limits.archive is not None:
            inspect_zip(io.BytesIO(data), limits.archive)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except ArchiveRefused as exc:
        if exc.reason == "corrupt":
            raise ParseError(
                "corrupt_zip", filename=filename, detail=str(exc.params["detail"])
            ) from exc
        params = {key: str(value) for key, value in exc.params.items()}
        raise ParseError(f"archive_{exc.reason}", filename=filename, **params) from exc
    except zipfile.BadZipFile as exc:  # only when the caller checked it: not reached in practice
        raise ParseError("corrupt_zip", filename=filename, detail=str(exc)) from exc


def _draft_for(filename: str, data: bytes, part: str, limits: ReaderLimits) -> _Draft:
    if not data.strip():
        raise ParseError("empty_file", filename=filename)
    if data.startswith(b"%PDF-"):
        return _read_pdf(filename, data, part, limits)
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".docx"):
        names = _inspect_zip(filename, data, limits)
        if "word/document.xml" in names:
            return _read_docx(filename, data, part, limits)
        xml_members = [n for n in names if n.lower().endswith(".xml")]
        if xml_members:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                first = _split_concatenated(archive.read(xml_members[0]))[0]
            return _parse_xml(f"{filename}/{xml_members[0]}", first)
        raise ParseError("unknown_format", filename=filename)
    if _looks_like_xml(data):
        return _parse_xml(filename, data)
    if filename.lower().endswith((".txt", ".text")):
        return _read_text(filename, data, part, limits)
    raise ParseError("unknown_format", filename=filename)


def _bounded_draft(draft: _Draft, filename: str, limits: ReaderLimits) -> _Draft:
    """The same bounds on what any reader (XML included) kept as on DOCX paragraphs."""
    texts = [draft.title, *draft.abstract, *(b.text for b in draft.blocks)]
    texts += [c.text for c in draft.claims]
    if len(texts) > limits.max_paragraphs:
        raise ParseError("too_many_paragraphs", filename=filename, limit=limits.max_paragraphs)
    if sum(len(text) for text in texts) > limits.max_chars:
        raise ParseError("text_too_long", filename=filename, limit=limits.max_chars)
    return draft


def parse_document(
    filename: str, data: bytes, *, part: str = "full", limits: ReaderLimits | None = None
) -> ParsedApplication:
    """Read one uploaded document; `part` says it holds only the claims, description or abstract.

    The format is found from the content: PDF (text layer), DOCX, USPTO XML (pap 1.5, SGML
    2.4/2.5, grant and application XML 2004 onwards), CNIPA/ST.36 XML, UTF-8 text (.txt).
    """
    if part not in PARTS:
        raise ParseError("unknown_part", part=part)
    limits = limits or ReaderLimits()
    app = _assemble(_bounded_draft(_draft_for(filename, data, part, limits), filename, limits))
    if part == "claims":
        if not app.claims:
            raise ParseError("no_claims", location="claims")
        return _only(app, claims=True)
    if part == "description":
        if not app.description:
            raise ParseError("no_description", location="description")
        return _only(app, description=True)
    if part == "abstract":
        if not app.abstract:
            raise ParseError("no_abstract", location="abstract")
        return _only(app, abstract=True)
    if not (app.claims or app.description or app.abstract):
        raise ParseError(
            "xml_no_document" if app.source_format.startswith(("uspto", "cnipa")) else "no_claims",
            filename=filename,
        )
    return app


def _only(
    app: ParsedApplication,
    *,
    claims: bool = False,
    description: bool = False,
    abstract: bool = False,
) -> ParsedApplication:
    """Keep one part (a separately uploaded claims / description / abstract document)."""
    kept = ParsedApplication(
        language=app.language, title=app.title, source_format=app.source_format
    )
    if claims:
        kept.claims = app.claims
        kept.figure_refs = _figure_refs(c.text for c in app.claims)
    if description:
        kept.description = app.description
        kept.sections = app.sections
        kept.figures = app.figures
        kept.figure_refs = _figure_refs(p.text for p in app.description)
        kept.reference_signs = app.reference_signs
    if abstract:
        kept.abstract = app.abstract
    return kept


def merge_parts(parts: dict[str, ParsedApplication]) -> ParsedApplication:
    """Combine separately uploaded documents ("full", "claims", "description", "abstract").

    A part given on its own replaces that part of the "full" document, if there is one.
    """
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ParseError("unknown_part", part=", ".join(sorted(unknown)))
    base = parts.get("full")
    merged = ParsedApplication.from_dict(base.to_dict()) if base else ParsedApplication()
    formats = [base.source_format] if base else []
    if "description" in parts:
        desc = parts["description"]
        merged.description = list(desc.description)
        merged.sections = list(desc.sections)
        merged.figures = list(desc.figures)
        merged.reference_signs = dict(desc.reference_signs)
        formats.append(desc.source_format)
    if "claims" in parts:
        merged.claims = list(parts["claims"].claims)
        formats.append(parts["claims"].source_format)
    if "abstract" in parts:
        merged.abstract = parts["abstract"].abstract
        formats.append(parts["abstract"].source_format)
    for name in ("full", "description", "abstract", "claims"):
        if not merged.title and name in parts and parts[name].title:
            merged.title = parts[name].title
    merged.figure_refs = _figure_refs(
        [p.text for p in merged.description] + [c.text for c in merged.claims]
    )
    merged.language = _language(merged.title, merged.abstract, merged.claims, merged.description)
    merged.source_format = "+".join(dict.fromkeys(f for f in formats if f))
    return merged


# --------------------------------------------------------------------------------------------
# Bibliographic data (for pre-filling a request from an office XML)
# --------------------------------------------------------------------------------------------


def _ipc_text(text: str) -> str | None:
    from ipcenter.patents.ipc import IpcError, parse_ipc

    try:
        return str(parse_ipc(text))
    except IpcError:
        return None


def _sgml_ipc(text: str) -> str | None:
    """SGML B511 "G06F 1516" / "B32B  302": subclass, main group in 3 columns, subgroup."""
    from ipcenter.patents.ipc import IpcError, parse_ipc

    try:
        return str(parse_ipc(text, sgml=True))
    except IpcError:
        return None


def _name(book: ET.Element | None) -> str:
    if book is None:
        return ""
    org = _find(book, "orgname", "organization-name", "ONM")
    if org is not None and _text(org):
        return _text(org)
    first = _text(_find(book, "first-name", "given-name", "FNM"))
    middle = _text(_find(book, "middle-name"))
    last = _text(_find(book, "last-name", "family-name", "SNM"))
    full = " ".join(x for x in (first, middle, last) if x)
    return full or _text(_find(book, "name"))


def _addressbook(party: ET.Element) -> ET.Element:
    book = _find(party, "addressbook")
    return book if book is not None else party


def _ipcr_symbol(element: ET.Element) -> str | None:
    parts = {_local(c.tag): _text(c) for c in element}
    if parts.get("text"):
        return _ipc_text(parts["text"])
    try:
        return _ipc_text(
            f"{parts['section']}{parts['class']}{parts['subclass']} "
            f"{parts['main-group']}/{parts['subgroup']}"
        )
    except KeyError:
        return None


def _date(text: str) -> str:
    match = re.fullmatch(r"(\d{4})(\d\d)(\d\d)", text.strip())
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}" if match else text.strip()


def _cpc_symbol(element: ET.Element) -> str | None:
    parts = {_local(c.tag): _text(c) for c in element}
    try:
        text = (
            f"{parts['section']}{parts['class']}{parts['subclass']}"
            f"{parts['main-group']}/{parts['subgroup']}"
        )
    except KeyError:
        return None
    from ipcenter.patents.ipc import IpcError, normalise_cpc

    try:
        return normalise_cpc(text)
    except IpcError:
        return None


def _cited_document(doc: ET.Element | None, default_country: str) -> dict[str, str] | None:
    """{country, number, kind} of a cited patent document (a <document-id> or SGML <DOC>)."""
    if doc is None:
        return None
    number = _text(_find(doc, "doc-number", "DNUM"))
    if not number:
        return None
    return {
        "country": _text(_find(doc, "country", "CTRY")) or default_country,
        "number": number,
        "kind": _text(_find(doc, "kind", "KIND")),
    }


def bibliographic_data(data: bytes, *, filename: str = "document.xml") -> dict[str, Any]:
    """Title, applicants, inventors, assignees, IPC and priority from a USPTO or CNIPA XML.

    Keys: title, patent_type ("invention" / "design" / "plant" / "reissue"), country (the
    publishing office), publication_number, kind, publication_date, application_number,
    filing_date, applicants, inventors, assignees, main_ipc, further_ipc, cpc (main first),
    locarno, priorities (list of {country, number, date}), citations (the patent documents
    cited, list of {country, number, kind}). Dates are ISO ("2005-02-22") or "".
    """
    return _bibliographic(safe_xml_root(data, filename=filename))


def parse_patent_xml(
    data: bytes, *, filename: str = "document.xml"
) -> tuple[ParsedApplication, dict[str, Any]]:
    """One office XML document, parsed once: its text (as :func:`parse_document` reads it)
    and its bibliographic data (as :func:`bibliographic_data`).

    Unlike :func:`parse_document` a document without claims, description or abstract is not
    refused: the weekly bibliographic files hold only titles and data. Raises
    :class:`ParseError` for XML that is not well formed or not a patent document.
    """
    root = safe_xml_root(data, filename=filename)
    app = _assemble(_xml_draft(root, filename, data))
    return app, _bibliographic(root)


def _bibliographic(root: ET.Element) -> dict[str, Any]:
    name = _local(root.tag)
    info: dict[str, Any] = {
        "title": "",
        "patent_type": "invention",
        "country": "",
        "publication_number": "",
        "kind": "",
        "publication_date": "",
        "application_number": "",
        "filing_date": "",
        "applicants": [],
        "inventors": [],
        "assignees": [],
        "main_ipc": None,
        "further_ipc": [],
        "cpc": [],
        "locarno": None,
        "priorities": [],
        "citations": [],
    }
    if name == "PATDOC":
        info["title"] = _text(_find(root, "B540"))
        info["publication_number"] = _text(_find(root, "B110"))
        info["kind"] = _text(_find(root, "B130"))
        info["publication_date"] = _date(_text(_find(root, "B140")))
        info["country"] = _text(_find(root, "B190")) or "US"
        for cited in _findall(root, "PCIT"):
            document = _cited_document(_find(cited, "DOC"), "US")
            if document:
                info["citations"].append(document)
        info["application_number"] = _text(_find(root, "B210"))
        info["filing_date"] = _date(_text(_find(root, "B220")))
        info["inventors"] = [_name(x) for x in _findall(root, "B721")]
        info["assignees"] = [_name(x) for x in _findall(root, "B731")]
        main = _find(root, "B511")
        if main is not None:
            if info["publication_number"].startswith("D"):
                info["patent_type"], info["locarno"] = "design", _text(main)
            else:
                info["main_ipc"] = _sgml_ipc(_raw_text(main))
        info["further_ipc"] = [
            s for s in (_sgml_ipc(_raw_text(x)) for x in _findall(root, "B512")) if s
        ]
        for priority in _findall(root, "B300"):
            info["priorities"].append(
                {
                    "country": _text(_find(priority, "B330")),
                    "number": _text(_find(priority, "B310")),
                    "date": _date(_text(_find(priority, "B320"))),
                }
            )
    elif name == "patent-application-publication":
        info["title"] = _text(_find(root, "title-of-invention"))
        info["country"] = "US"
        doc = _find(root, "document-id")
        if doc is not None:
            info["publication_number"] = _text(_find(doc, "doc-number"))
            info["kind"] = _text(_find(doc, "kind-code"))
            info["publication_date"] = _date(_text(_find(doc, "document-date")))
        filing = _find(root, "domestic-filing-data")
        if filing is not None:
            info["application_number"] = _text(_find(filing, "doc-number"))
            info["filing_date"] = _date(_text(_find(filing, "filing-date")))
        inventors = _find(root, "inventors")
        if inventors is not None:
            info["inventors"] = [
                _name(x) for x in inventors if _local(x.tag) in ("first-named-inventor", "inventor")
            ]
        info["assignees"] = [_name(x) for x in _findall(root, "assignee")]
        primary = _find(root, "classification-ipc-primary")
        info["main_ipc"] = _ipc_text(_text(primary)) if primary is not None else None
        info["further_ipc"] = [
            s
            for s in (_ipc_text(_text(x)) for x in _findall(root, "classification-ipc-secondary"))
            if s
        ]
        for priority in _findall(root, "foreign-priority-data"):
            info["priorities"].append(
                {
                    "country": _text(_find(priority, "country-code")),
                    "number": _text(_find(priority, "doc-number")),
                    "date": _date(_text(_find(priority, "filing-date"))),
                }
            )
    else:
        info["title"] = _text(_find(root, "invention-title"))
        publication = _find(root, "publication-reference", "cn-publication-reference")
        if publication is not None:
            info["publication_number"] = _text(_find(publication, "doc-number"))
            info["kind"] = _text(_find(publication, "kind"))
            info["publication_date"] = _date(_text(_find(publication, "date")))
            info["country"] = _text(_find(publication, "country"))
        info["country"] = info["country"] or root.get("country") or ""
        for cited in _findall(root, "patcit"):
            document = _cited_document(_find(cited, "document-id"), "")
            if document and document["country"]:
                info["citations"].append(document)
        cpc = _find(root, "classifications-cpc")
        if cpc is not None:
            main_cpc = _find(cpc, "main-cpc")
            leading = _findall(main_cpc, "classification-cpc") if main_cpc is not None else []
            symbols = [_cpc_symbol(x) for x in [*leading, *_findall(cpc, "classification-cpc")]]
            info["cpc"] = [s for s in dict.fromkeys(symbols) if s]
        application = _find(root, "application-reference")
        if application is not None:
            info["application_number"] = _text(_find(application, "doc-number"))
            info["filing_date"] = _date(_text(_find(application, "date")))
            kind = application.get("appl-type") or "utility"
            info["patent_type"] = {"utility": "invention"}.get(kind, kind)
        for tag in ("applicant", "us-applicant", "cn-applicant"):
            for party in _findall(root, tag):
                label = _name(_find(party, "addressbook"))
                if party.get("app-type") == "applicant-inventor" and name != "us-patent-grant":
                    info["inventors"].append(label)
                info["applicants"].append(label)
        for tag in ("inventor", "cn-inventor"):
            info["inventors"].extend(_name(_find(x, "addressbook")) for x in _findall(root, tag))
        if not info["inventors"] and root.get("dtd-version", "").startswith(
            ("v40", "v4.0", "v4.1", "v4.2")
        ):
            info["inventors"] = list(info["applicants"])
        info["assignees"] = [_name(_addressbook(x)) for x in _findall(root, "assignee")]
        ipcr = _findall(root, "classification-ipcr")
        symbols = [s for s in (_ipcr_symbol(x) for x in ipcr) if s]
        first = [_ipcr_symbol(x) for x in ipcr if _text(_find(x, "symbol-position")) == "F"]
        if symbols:
            info["main_ipc"] = first[0] if first and first[0] else symbols[0]
            info["further_ipc"] = [s for s in dict.fromkeys(symbols) if s != info["main_ipc"]]
        else:
            ipc = _find(root, "classification-ipc")
            if ipc is not None:
                info["main_ipc"] = _ipc_text(_text(_find(ipc, "main-classification")))
                info["further_ipc"] = [
                    s
                    for s in (
                        _ipc_text(_text(x))
                        for x in ipc
                        if _local(x.tag) == "further-classification"
                    )
                    if s
                ]
        locarno = _find(root, "classification-locarno")
        if locarno is not None:
            info["locarno"] = _text(_find(locarno, "main-classification"))
        for priority in _findall(root, "priority-claim"):
            info["priorities"].append(
                {
                    "country": _text(_find(priority, "country")),
                    "number": _text(_find(priority, "doc-number")),
                    "date": _date(_text(_find(priority, "date"))),
                }
            )
    info["applicants"] = [x for x in dict.fromkeys(info["applicants"]) if x]
    info["inventors"] = [x for x in dict.fromkeys(info["inventors"]) if x]
    info["assignees"] = [x for x in dict.fromkeys(info["assignees"]) if x]
    return info
