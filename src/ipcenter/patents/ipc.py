"""International Patent Classification (IPC): symbols, the 2020 scheme and field-list scope.

Plain Python, no Django. Three parts:

* :func:`parse_ipc` turns the many ways IPC symbols are written in real data into an
  :class:`IpcSymbol` ("F16H 47/08", "F16H47/08", "A01B0001020000", "H04L 29/06 (2006.01)", ...);
  :func:`normalise_ipc` gives the compact display form ("F16H 47/08") and :func:`normalise_cpc`
  the same for CPC symbols, which share the syntax and add section Y.
* :class:`IpcScheme` is the IPC 2020 scheme shipped in ``patents/data`` (WIPO, English titles;
  Chinese titles for all of section A and for the sections and classes of B-H), loaded once by
  :func:`load_scheme`.
* :func:`symbol_in_field_list` / :class:`IpcFieldList` decide whether a case's main IPC code
  falls in a protection center's list of technical fields.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal, TextIO

__all__ = [
    "IpcError",
    "IpcFieldList",
    "IpcScheme",
    "IpcSymbol",
    "IpcSyntaxError",
    "IpcUnknownSymbolError",
    "load_scheme",
    "normalise_cpc",
    "normalise_ipc",
    "parse_ipc",
    "symbol_in_field_list",
    "validate_ipc",
]

SCHEME_FILE = "ipc_scheme_2020_en.tsv.gz"
TITLES_ZH_FILE = "ipc_titles_zh.tsv.gz"
CLASSES_ZH_FILE = "ipc_classes_zh.tsv.gz"
SCHEME_VERSION = "2020.01"

Lang = Literal["en", "zh"]


class IpcError(ValueError):
    """Base class of the IPC errors."""


class IpcSyntaxError(IpcError):
    """The text is not a well-formed IPC symbol."""


class IpcUnknownSymbolError(IpcError):
    """The symbol is well formed but not in the IPC scheme."""


_SECTIONS = "ABCDEFGH"
_SUBGROUP_RE = re.compile(r"\d{2,6}")
_MAIN_GROUP_RE = re.compile(r"[1-9]\d{0,3}")
_VERSION_RE = re.compile(r"(19[6-9]\d|2\d{3})\.(0[1-9]|1[0-2])")


def _canonical_subgroup(digits: str) -> str:
    """Subgroup digits as written in the standard form: at least two, no insignificant zeros.

    The scheme's 14-character form stores the subgroup left-aligned in six digits ("020000",
    "421000"), so trailing zeros after the second digit carry no meaning: "080" is "08".
    """
    stripped = digits.rstrip("0")
    return stripped.ljust(2, "0")


@dataclass(frozen=True, slots=True)
class IpcSymbol:
    """An IPC symbol at subclass, main-group or subgroup level.

    ``version`` is the IPC version indicator ("2006.01") when the source gave one. It is kept
    for display but ignored by ``==`` and ``hash``: "H04L 29/06 (2006.01)" and "H04L 29/06" are
    the same place in the classification.
    """

    section: str
    class_: str
    subclass: str
    main_group: str | None = None
    subgroup: str | None = None
    version: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        problems: list[str] = []
        if len(self.section) != 1 or self.section not in _SECTIONS:
            problems.append(f"section {self.section!r} is not one of A-H")
        if not re.fullmatch(r"\d\d", self.class_):
            problems.append(f"class {self.class_!r} is not two digits")
        if not re.fullmatch(r"[A-Z]", self.subclass):
            problems.append(f"subclass {self.subclass!r} is not one capital letter")
        if (self.main_group is None) != (self.subgroup is None):
            problems.append("main_group and subgroup must be given together")
        elif self.main_group is not None and self.subgroup is not None:
            if not _MAIN_GROUP_RE.fullmatch(self.main_group):
                problems.append(f"main group {self.main_group!r} is not 1-9999 without zeros")
            if not _SUBGROUP_RE.fullmatch(self.subgroup) or self.subgroup != (
                _canonical_subgroup(self.subgroup)
            ):
                problems.append(f"subgroup {self.subgroup!r} is not 2-6 digits in canonical form")
        if self.version is not None and not _VERSION_RE.fullmatch(self.version):
            problems.append(f"version {self.version!r} is not YYYY.MM")
        if problems:
            raise IpcSyntaxError("invalid IpcSymbol: " + "; ".join(problems))

    # -- codes at each level -------------------------------------------------------------

    @property
    def class_code(self) -> str:
        """The class, e.g. "F16"."""
        return f"{self.section}{self.class_}"

    @property
    def subclass_code(self) -> str:
        """The subclass, e.g. "F16H"."""
        return f"{self.section}{self.class_}{self.subclass}"

    @property
    def is_subclass_only(self) -> bool:
        """True for a bare subclass such as "A61K"."""
        return self.main_group is None

    @property
    def is_main_group(self) -> bool:
        """True for a main group such as "A61K 31/00"."""
        return self.subgroup == "00"

    @property
    def group(self) -> str | None:
        """The group in standard form, e.g. "F16H 47/08"; None for a bare subclass."""
        if self.main_group is None:
            return None
        return f"{self.subclass_code} {self.main_group}/{self.subgroup}"

    @property
    def main_group_code(self) -> str | None:
        """The main group that holds this symbol, e.g. "F16H 47/00"; None for a subclass."""
        if self.main_group is None:
            return None
        return f"{self.subclass_code} {self.main_group}/00"

    @property
    def scheme_key(self) -> str:
        """The key used by the WIPO master files: "F16H0047080000", or "F16H" for a subclass."""
        if self.main_group is None or self.subgroup is None:
            return self.subclass_code
        return f"{self.subclass_code}{int(self.main_group):04d}{self.subgroup.ljust(6, '0')}"

    def to_subclass(self) -> IpcSymbol:
        return IpcSymbol(self.section, self.class_, self.subclass)

    def to_main_group(self) -> IpcSymbol:
        if self.main_group is None:
            raise IpcSyntaxError(f"{self} is a subclass and has no main group")
        return IpcSymbol(self.section, self.class_, self.subclass, self.main_group, "00")

    def display(self, *, with_version: bool = True) -> str:
        """Standard display form, with the version when known: "H04L 29/06 (2006.01)"."""
        text = str(self)
        if with_version and self.version:
            text = f"{text} ({self.version})"
        return text

    def __str__(self) -> str:
        return self.group or self.subclass_code


# -- parsing ---------------------------------------------------------------------------------

# Trailing version indicators: "(2006.01)", "(20060101)", "()", or a bare "20060101" that may
# carry the rest of a WIPO IPCR record ("G07F 9/10 20060101AFI20130528VHKR").
_VERSION_PAREN_RE = re.compile(
    r"\s*\(\s*(?:(?P<y1>\d{4})\.(?P<m1>\d{2})|(?P<y2>\d{4})(?P<m2>\d{2})\d{2})?\s*\)$"
)
_VERSION_BARE_RE = re.compile(r"\s+(?P<y>\d{4})(?P<m>\d{2})\d{2}(?:[A-Z]{3}\d{8}[A-Z]{4})?$")

_SUBCLASS_PART = r"(?P<sec>[A-Z])\s*(?P<cls>\d\d)\s*(?P<sub>[A-Z])"
# "F16H 47/08", "F16H47/08", "G06F017/60", "A 61 K 31 / 00"
_SLASH_RE = re.compile(_SUBCLASS_PART + r"\s*(?P<main>\d{1,4})\s*/\s*(?P<sg>\d*)")
# "A01B0001020000": 4 digits main group, 6 digits subgroup (WIPO master files)
_SCHEME_RE = re.compile(r"(?P<sec>[A-Z])(?P<cls>\d\d)(?P<sub>[A-Z])(?P<main>\d{4})(?P<sg>\d{6})")
# Fixed-width forms without a slash: a three-character main-group field padded with spaces
# (USPTO SGML "G06F 1516", "B32B  302") or zeros ("C07D41700", "A61K031426"). Where spaces pad
# the field the columns are unambiguous and the subgroup may have up to six digits
# ("G01N 2320008" = G01N 23/20008); a zero-padded field allows four, as longer runs cannot be
# split safely.
_FIXED_RE = re.compile(r"(?P<sec>[A-Z])(?P<cls>\d\d)(?P<sub>[A-Z])(?P<main>\d{3})(?P<sg>\d{2,4})")
# The same export pads some main groups to four digits ("A61K000900" = A61K 9/00,
# "A61K00317064" = A61K 31/7064): read so where three digits give main group 0 or leave a
# subgroup too long.
_FIXED4_RE = re.compile(r"(?P<sec>[A-Z])(?P<cls>\d\d)(?P<sub>[A-Z])(?P<main>\d{4})(?P<sg>\d{2,4})")
_FIXED_SPACED_RE = re.compile(
    r"(?P<sec>[A-Z])(?P<cls>\d\d)(?P<sub>[A-Z])(?P<main> \d\d|  \d)(?P<sg>\d{2,6})"
)
# A USPTO SGML <B511>/<B512> field read by columns: subclass, a three-character main group
# (right-aligned), the subgroup (left-aligned, possibly absent: a bare main group).
_SGML_RE = re.compile(
    r"(?P<sec>[A-Z])(?P<cls>\d\d)(?P<sub>[A-Z])(?P<main>[ 0-9]{1,3})(?P<sg>\d{0,6})"
)
_SUBCLASS_RE = re.compile(_SUBCLASS_PART)
_CLASS_RE = re.compile(r"[A-Z]\s*\d\d")


def _normalise_text(text: str) -> str:
    # NFKC folds full-width letters, digits, slash and the ideographic space typed in Chinese
    # input methods ("Ａ６１Ｋ　３１／００") into ASCII.
    return unicodedata.normalize("NFKC", text).strip().upper()


def _version(year: str, month: str, original: str) -> str:
    version = f"{year}.{month}"
    if not _VERSION_RE.fullmatch(version):
        raise IpcSyntaxError(f"{original!r}: {version} is not a valid IPC version (YYYY.MM)")
    return version


def _split_version(body: str, original: str) -> tuple[str, str | None]:
    match = _VERSION_PAREN_RE.search(body)
    if match:
        year, month = match["y1"] or match["y2"], match["m1"] or match["m2"]
        version = _version(year, month, original) if year else None
        return body[: match.start()].strip(), version
    match = _VERSION_BARE_RE.search(body)
    if match and "/" in body[: match.start()]:
        return body[: match.start()].strip(), _version(match["y"], match["m"], original)
    return body, None


def _build(match: re.Match[str], original: str, version: str | None) -> IpcSymbol:
    section = match["sec"]
    if section not in _SECTIONS:
        raise IpcSyntaxError(f"{original!r}: IPC sections are A-H, not {section!r}")
    main_field = match["main"].strip()
    if not main_field.isdigit():
        raise IpcSyntaxError(f"{original!r}: the main group {match['main']!r} is not a number")
    main = main_field.lstrip("0")
    if not main:
        raise IpcSyntaxError(f"{original!r}: the main group number cannot be 0")
    if len(main) > 4:
        raise IpcSyntaxError(f"{original!r}: the main group has more than 4 digits")
    digits = match["sg"]
    if not digits:
        raise IpcSyntaxError(
            f"{original!r}: the subgroup is missing after '/' (write e.g. {main}/00)"
        )
    if len(digits) == 1:
        hint = (
            f"write '{main}/00'" if digits == "0" else f"'{main}/0{digits}' or '{main}/{digits}0'?"
        )
        raise IpcSyntaxError(f"{original!r}: a subgroup has at least two digits ({hint})")
    if len(digits) > 6:
        raise IpcSyntaxError(f"{original!r}: the subgroup has more than 6 digits")
    return IpcSymbol(
        section=section,
        class_=match["cls"],
        subclass=match["sub"],
        main_group=main,
        subgroup=_canonical_subgroup(digits),
        version=version,
    )


def parse_ipc(text: str, *, sgml: bool = False) -> IpcSymbol:
    """Parse an IPC symbol in any of the forms found in patent office data.

    Accepted (case, full-width characters and the spacing around the parts do not matter,
    except in the fixed-width forms, where spaces pad the main-group field):

    * standard "F16H 47/08", compact "F16H47/08", zero-padded "G06F017/60", "C12Q 001/37";
    * WIPO master-file form "A01B0001020000" (4-digit main group, 6-digit subgroup);
    * fixed-width forms without a slash: USPTO SGML "G06F 1516" / "B32B  302" (up to six
      subgroup digits) and the zero-padded "C07D41700" / "A61K031426" (a three-digit
      main-group field, up to four subgroup digits; four digits where three give main group
      0 or too long a subgroup: "A61K000900", "A61K00317064");
    * a version indicator after the symbol: "(2006.01)", "(20060101)", "()", or a bare
      "20060101" optionally followed by the rest of a WIPO IPCR record ("...AFI20130528VHKR");
    * a subclass alone: "A61K", "B08B ()".

    A section ("A") or class ("A61") alone is rejected: a case is always classified at least at
    subclass level. One-digit subgroups ("A21D 13/0", "A21D 8/2", seen in truncated exports) are
    rejected as ambiguous, as are US national classes ("128") and pre-2006 linked-indexing
    codes ("6A 61K 31:495 J").

    ``sgml=True`` reads a USPTO SGML ``<B511>``/``<B512>`` field by its columns: subclass, a
    three-character main-group field, then the subgroup, which may be missing ("G06F 15" is
    the main group G06F 15/00) or have five or six digits. Outside that field a bare main
    group stays an error: typed text must say "A61K 31/00".

    Only syntax is checked; use :func:`validate_ipc` or :meth:`IpcScheme.exists` to check the
    symbol against the scheme.
    """
    if not isinstance(text, str):
        raise IpcSyntaxError(f"an IPC symbol must be text, not {type(text).__name__}")
    if sgml:
        return _parse_sgml_field(text)
    original = text
    body = _normalise_text(text)
    if not body:
        raise IpcSyntaxError("an empty string is not an IPC symbol")
    body, version = _split_version(body, original)
    if not body:
        raise IpcSyntaxError(f"{original!r}: no symbol before the version indicator")

    if "/" in body:
        match = _SLASH_RE.fullmatch(body)
        if match is None:
            raise IpcSyntaxError(
                f"{original!r} is not an IPC symbol; expected a form like 'F16H 47/08'"
            )
        return _build(match, original, version)

    match = _FIXED_RE.fullmatch(body)
    if match is None or not match["main"].strip("0"):
        match = _FIXED4_RE.fullmatch(body) or match
    match = _SCHEME_RE.fullmatch(body) or match or _FIXED_SPACED_RE.fullmatch(body)
    if match is not None:
        return _build(match, original, version)

    compact = re.sub(r"\s+", "", body)
    match = _SUBCLASS_RE.fullmatch(body)
    if match is not None:
        if match["sec"] not in _SECTIONS:
            raise IpcSyntaxError(f"{original!r}: IPC sections are A-H, not {match['sec']!r}")
        return IpcSymbol(match["sec"], match["cls"], match["sub"], version=version)
    if len(compact) == 1 and compact in _SECTIONS:
        raise IpcSyntaxError(f"{original!r} is an IPC section; a subclass (e.g. 'A61K') is needed")
    if _CLASS_RE.fullmatch(body) and compact[0] in _SECTIONS:
        raise IpcSyntaxError(
            f"{original!r} is an IPC class; a subclass (class and a letter, e.g. 'A61K') is needed"
        )
    if re.fullmatch(r"[A-Z]\d\d[A-Z]\d+", compact):
        number = compact[4:].lstrip("0")
        hint = f", e.g. '{compact[:4]} {number}/00'" if 0 < len(number) <= 4 else ""
        raise IpcSyntaxError(
            f"{original!r}: a group needs a main group and a subgroup separated by '/'{hint}"
        )
    raise IpcSyntaxError(f"{original!r} is not an IPC symbol; expected a form like 'F16H 47/08'")


def _parse_sgml_field(text: str) -> IpcSymbol:
    field = unicodedata.normalize("NFKC", text).strip("\r\n").rstrip().upper()
    if "/" in field or "(" in field:
        return parse_ipc(field)
    match = _SGML_RE.fullmatch(field)
    if match is None:
        raise IpcSyntaxError(
            f"{text!r} is not an SGML IPC field (subclass, 3-column main group, subgroup)"
        )
    if not match["sg"]:
        main = match["main"].strip()
        if main.isdigit() and int(main):
            return parse_ipc(f"{field[:4]} {int(main)}/00")
    elif len(match["main"]) == 3:
        return parse_ipc(f"{field[:4]} {match['main'].strip()}/{match['sg']}")
    return parse_ipc(field)


def normalise_ipc(text: str) -> str:
    """The compact display form of an IPC symbol: "F16H 47/08", or "A01B" for a subclass.

    Accepts every form :func:`parse_ipc` does ("F16H47/08", "A01B0001020000",
    "H04L 29/06 (20060101)", "C07D41700", ...); raises :class:`IpcSyntaxError`, whose message
    says what is wrong, for text that is not an IPC symbol. The version indicator is dropped.
    """
    return str(parse_ipc(text))


# CPC shares the IPC syntax and adds section Y (tagging of technologies, "Y02E 10/50") and
# indexing groups numbered from 2000 ("A63F 2009/241").
_CPC_RE = re.compile(
    r"(?P<sec>[A-HY])\s*(?P<cls>\d\d)\s*(?P<sub>[A-Z])"
    r"(?:\s*(?P<main>\d{1,4})\s*/\s*(?P<sg>\d{2,6}))?"
)


def normalise_cpc(text: str) -> str:
    """The compact display form of a CPC symbol: "B60T 1/10", "Y02T 10/72", "A63F 2009/241".

    Accepts the spellings of the CPC data ("B60T1/10", "G05D1/0016", "H05K 9/0066
    (20130101)", "H05K009/00") and the 14-character form; raises :class:`IpcSyntaxError` for
    anything else.
    """
    if not isinstance(text, str):
        raise IpcSyntaxError(f"a CPC symbol must be text, not {type(text).__name__}")
    body, _version = _split_version(_normalise_text(text), text)
    if not body:
        raise IpcSyntaxError("an empty string is not a CPC symbol")
    scheme = re.fullmatch(r"([A-HY]\d\d[A-Z])(\d{4})(\d{6})", body)
    if scheme is not None:
        body = f"{scheme[1]} {int(scheme[2])}/{scheme[3]}"
    match = _CPC_RE.fullmatch(body)
    if match is None:
        raise IpcSyntaxError(f"{text!r} is not a CPC symbol; expected a form like 'B60T 1/10'")
    subclass = f"{match['sec']}{match['cls']}{match['sub']}"
    if match["main"] is None:
        return subclass
    main = match["main"].lstrip("0")
    if not main:
        raise IpcSyntaxError(f"{text!r}: the main group number cannot be 0")
    return f"{subclass} {main}/{_canonical_subgroup(match['sg'])}"


def _as_symbol(symbol: IpcSymbol | str) -> IpcSymbol:
    return symbol if isinstance(symbol, IpcSymbol) else parse_ipc(symbol)


# -- the scheme ------------------------------------------------------------------------------

_KEY_RE = re.compile(r"[A-H](?:\d\d(?:[A-Z](?:\d{10})?)?)?")


def _key_to_code(key: str) -> str:
    """Scheme key to display code: "A", "A01", "A01B", "A01B0001020000" -> "A01B 1/02"."""
    if len(key) <= 4:
        return key
    return f"{key[:4]} {int(key[4:8])}/{_canonical_subgroup(key[8:])}"


def _parse_scheme_lines(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(key, title) pairs; a line not starting with a symbol continues the previous title."""
    key: str | None = None
    title = ""
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        head, sep, rest = line.partition("\t")
        if sep and _KEY_RE.fullmatch(head):
            if key is not None:
                yield key, title
            key, title = head, rest.strip()
        elif key is not None:
            title = f"{title} {line.strip()}"
    if key is not None:
        yield key, title


class IpcScheme:
    """The IPC scheme: which symbols exist, their titles and their place in the hierarchy.

    Hierarchy methods accept an :class:`IpcSymbol` or any text :func:`parse_ipc` accepts, and
    also a section ("F") or class ("F16"); they return codes in display form ("F16",
    "F16H", "F16H 47/00", "F16H 47/08").

    The source file does not record the dot level of subgroups, so the hierarchy below a main
    group is flat: every subgroup's parent is its main group. Where a group is preceded by a
    guide heading in the scheme (e.g. "Ploughs" before A01B 3/00), the heading is available
    from :meth:`guide_heading` and the title is the group's own.
    """

    def __init__(
        self,
        titles_en: dict[str, str],
        titles_zh: dict[str, str] | None = None,
        guide_headings: dict[str, str] | None = None,
        version: str = SCHEME_VERSION,
    ) -> None:
        self._en = titles_en
        self._zh = titles_zh or {}
        self._headings = guide_headings or {}
        self.version = version
        self._children: dict[str, list[str]] | None = None

    # -- loading -------------------------------------------------------------------------

    @classmethod
    def from_files(
        cls, en_path: Path | str, zh_path: Path | str | Sequence[Path | str] | None = None
    ) -> IpcScheme:
        """Load from the WIPO TSV (optionally gzipped) and optional Chinese-titles TSVs.

        ``zh_path`` is one file or several in order of precedence: a symbol keeps the title of
        the first file that has it. Lines that do not start with a symbol (a header such as
        ``symbol<TAB>title_zh``) are skipped, and so are symbols the English scheme does not
        hold (H10 of IPC 2023 in a newer list of classes).
        """
        titles: dict[str, str] = {}
        headings: dict[str, str] = {}
        with _open_text(en_path) as fh:
            for key, title in _parse_scheme_lines(fh):
                previous = titles.get(key)
                if previous is not None:
                    # The export gives a guide heading the symbol of the group that follows it.
                    headings[key] = f"{headings[key]}; {previous}" if key in headings else previous
                titles[key] = title
        zh: dict[str, str] = {}
        if zh_path is None:
            zh_paths: list[Path | str] = []
        elif isinstance(zh_path, Path | str):
            zh_paths = [zh_path]
        else:
            zh_paths = list(zh_path)
        for path in zh_paths:
            with _open_text(path) as fh:
                found = dict(_parse_scheme_lines(fh))
            for key, title in found.items():
                if key in titles:
                    zh.setdefault(key, title)
        return cls(titles, zh, headings)

    # -- lookups -------------------------------------------------------------------------

    def _key(self, symbol: IpcSymbol | str) -> str:
        if isinstance(symbol, IpcSymbol):
            return symbol.scheme_key
        text = _normalise_text(symbol)
        compact = re.sub(r"\s+", "", text)
        if re.fullmatch(r"[A-H](\d\d)?", compact):
            return compact
        return parse_ipc(symbol).scheme_key

    def _known_key(self, symbol: IpcSymbol | str) -> str:
        key = self._key(symbol)
        if key not in self._en:
            raise IpcUnknownSymbolError(
                f"{_key_to_code(key)} is not in the IPC {self.version} scheme"
            )
        return key

    def exists(self, symbol: IpcSymbol | str) -> bool:
        """Whether the symbol is in the scheme. Malformed text raises :class:`IpcSyntaxError`."""
        return self._key(symbol) in self._en

    __contains__ = exists

    def __len__(self) -> int:
        return len(self._en)

    def title(
        self, symbol: IpcSymbol | str, lang: Lang = "en", *, language: Lang | None = None
    ) -> str | None:
        """The title in English or Chinese (falls back to English); None if not in the scheme.

        ``language`` is a keyword spelling of ``lang``. Subgroup titles are as in the scheme:
        they often continue their parent's title ("with teeth" under "Spades; Shovels").
        """
        if language is not None:
            lang = language
        if lang not in ("en", "zh"):
            raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
        key = self._key(symbol)
        if lang == "zh" and key in self._zh:
            return self._zh[key]
        return self._en.get(key)

    def has_zh_title(self, symbol: IpcSymbol | str) -> bool:
        return self._key(symbol) in self._zh

    def guide_heading(self, symbol: IpcSymbol | str) -> str | None:
        """The guide heading printed before a main group, if any (e.g. "Ploughs")."""
        return self._headings.get(self._key(symbol))

    def parent(self, symbol: IpcSymbol | str) -> str | None:
        """The enclosing entry: subgroup -> main group -> subclass -> class -> section -> None."""
        key = self._known_key(symbol)
        if len(key) == 1:
            return None
        if len(key) == 3:
            return key[0]
        if len(key) == 4:
            return key[:3]
        if key[8:] != "000000":
            return _key_to_code(key[:8] + "000000")
        return key[:4]

    def ancestors(self, symbol: IpcSymbol | str) -> list[str]:
        """The entries above a symbol, section first: "A01B 1/04" -> A, A01, A01B, A01B 1/00.

        Unlike :meth:`parent`, a well-formed symbol that is not in the scheme (a group of an
        older IPC version, kept by the importers) is accepted: its ancestors are those of its
        levels that the scheme holds, so "G06F 17/60" gives G, G06, G06F, G06F 17/00. The
        scheme records no dot levels, so a subgroup's nearest ancestor is its main group.
        """
        key = self._key(symbol)
        chain = [key[:1], key[:3], key[:4]]
        if len(key) > 4:
            chain.append(key[:8] + "000000")
        return [_key_to_code(k) for k in chain if k != key and k in self._en]

    def children(self, symbol: IpcSymbol | str) -> list[str]:
        """The entries directly below, in scheme order (subgroups of a main group: all of them)."""
        key = self._known_key(symbol)
        return [_key_to_code(child) for child in self._children_index().get(key, [])]

    def _children_index(self) -> dict[str, list[str]]:
        if self._children is None:
            index: dict[str, list[str]] = {}
            for key in self._en:
                if len(key) == 1:
                    continue
                if len(key) == 3:
                    parent = key[0]
                elif len(key) == 4:
                    parent = key[:3]
                elif key.endswith("000000"):
                    parent = key[:4]
                else:
                    parent = key[:8] + "000000"
                index.setdefault(parent, []).append(key)
            self._children = index
        return self._children

    def sections(self) -> list[str]:
        return [key for key in self._en if len(key) == 1]

    def classes(self, section: str | None = None) -> list[str]:
        prefix = _normalise_text(section) if section else ""
        return [key for key in self._en if len(key) == 3 and key.startswith(prefix)]

    def subclasses(self, class_code: str | None = None) -> list[str]:
        """All subclasses in scheme order ("A01B", ...), optionally only those of one class."""
        prefix = re.sub(r"\s+", "", _normalise_text(class_code)) if class_code else ""
        return [key for key in self._en if len(key) == 4 and key.startswith(prefix)]

    def validate(self, text: IpcSymbol | str) -> IpcSymbol:
        """Parse and check against the scheme; see :func:`validate_ipc`."""
        symbol = _as_symbol(text)
        if symbol.scheme_key in self._en:
            return symbol
        message = f"{symbol} is not in the IPC {self.version} scheme"
        if not symbol.is_subclass_only and symbol.subclass_code not in self._en:
            message += f" (there is no subclass {symbol.subclass_code})"
        raise IpcUnknownSymbolError(message)


def _open_text(path: Path | str) -> TextIO:
    """Open a UTF-8 text file for reading, transparently gunzipping ``*.gz``."""
    path = Path(path)
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


@functools.cache
def load_scheme() -> IpcScheme:
    """The IPC 2020 scheme shipped with ipcenter, loaded on first use and kept.

    Chinese titles come from the CNIPA edition of section A, then, for the sections and classes
    it does not cover (B-H), from the official list of section and class titles.
    """
    data = resources.files("ipcenter.patents") / "data"
    with contextlib.ExitStack() as stack:
        en_path = stack.enter_context(resources.as_file(data / SCHEME_FILE))
        zh_paths = [
            stack.enter_context(resources.as_file(data / name))
            for name in (TITLES_ZH_FILE, CLASSES_ZH_FILE)
            if (data / name).is_file()
        ]
        return IpcScheme.from_files(en_path, zh_paths)


def validate_ipc(text: IpcSymbol | str, scheme: IpcScheme | None = None) -> IpcSymbol:
    """Parse ``text`` and check it exists in the scheme (the shipped one by default).

    Raises :class:`IpcSyntaxError` for malformed text and :class:`IpcUnknownSymbolError` for a
    well-formed symbol that the scheme does not contain (a CPC-only code, a deleted group).
    """
    return (scheme or load_scheme()).validate(text)


# -- field lists -----------------------------------------------------------------------------


class IpcFieldList:
    """A compiled list of IPC entries describing a center's technical fields.

    Entries can be subclasses ("A61K": everything in it), main groups ("A61K 31/00": the
    whole main group 31, all its subgroups) or subgroups ("A61K 31/40": that subgroup and the
    subgroups whose number extends it, 31/401, 31/4015, ...). The subgroup rule follows the
    digit-prefix convention of IPC numbering; the shipped scheme has no dot levels to check it
    against, so a list that needs exact descendant sets should name main groups or subclasses.
    """

    def __init__(self, entries: Iterable[IpcSymbol | str]) -> None:
        self.entries: tuple[IpcSymbol, ...] = tuple(_as_symbol(entry) for entry in entries)
        self._subclasses: frozenset[str] = frozenset(
            e.subclass_code for e in self.entries if e.is_subclass_only
        )
        self._main_groups: frozenset[tuple[str, str]] = frozenset(
            (e.subclass_code, e.main_group)
            for e in self.entries
            if e.main_group is not None and e.is_main_group
        )
        self._subgroups: dict[tuple[str, str], tuple[str, ...]] = {}
        for e in self.entries:
            if e.main_group is not None and e.subgroup is not None and not e.is_main_group:
                key = (e.subclass_code, e.main_group)
                self._subgroups[key] = (*self._subgroups.get(key, ()), e.subgroup)

    def __contains__(self, symbol: object) -> bool:
        if not isinstance(symbol, IpcSymbol | str):
            return False
        return self.covers(symbol)

    def covers(self, symbol: IpcSymbol | str) -> bool:
        sym = _as_symbol(symbol)
        if sym.subclass_code in self._subclasses:
            return True
        if sym.main_group is None or sym.subgroup is None:
            # A bare subclass is in scope only when the whole subclass is listed.
            return False
        key = (sym.subclass_code, sym.main_group)
        if key in self._main_groups:
            return True
        return any(sym.subgroup.startswith(prefix) for prefix in self._subgroups.get(key, ()))

    def __len__(self) -> int:
        return len(self.entries)


def symbol_in_field_list(symbol: IpcSymbol | str, entries: Iterable[IpcSymbol | str]) -> bool:
    """Whether a case's (main) IPC symbol falls within a field list.

    True when the list names the symbol's subclass, its main group ("A61K 31/00" covers every
    A61K 31/xx) or a subgroup whose number is a prefix of the symbol's subgroup. For repeated
    checks against the same list build an :class:`IpcFieldList` once.
    """
    return IpcFieldList(entries).covers(symbol)
