"""Reads of the patent corpus: search, documents, the IPC hierarchy with counts, imports."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ipcenter.lib.errors import InvalidInput
from ipcenter.navigation import engine
from ipcenter.navigation.models import ImportJob, ImportRejection, ImportState, PatentDocument
from ipcenter.patents.ipc import IpcError, load_scheme, parse_ipc
from ipcenter.search.base import DateRange, Filters, SearchRequest, SearchResults

MODES = ("hybrid", "bm25", "dense")
# How deep a result list can be paged (and exported): beyond it, refine the query.
MAX_RESULTS = 1000


def title_language() -> str:
    """The IPC scheme's language for the current reader: Chinese titles where they exist."""
    return "zh" if (get_language() or "").startswith("zh") else "en"


# --- search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusQuery:
    """What the search page and the API ask for."""

    q: str = ""
    like: str = ""
    mode: str = "hybrid"
    offices: tuple[str, ...] = ()
    ipc: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    published_from: dt.date | None = None
    published_to: dt.date | None = None  # inclusive

    @property
    def is_empty(self) -> bool:
        return not (self.q.strip() or self.like.strip())

    def filters(self) -> Filters:
        dates: tuple[DateRange, ...] = ()
        if self.published_from or self.published_to:
            end = self.published_to + dt.timedelta(days=1) if self.published_to else None
            dates = (DateRange("publication_date", self.published_from, end),)
        return Filters(
            ipc_prefixes=self.ipc,
            offices=self.offices,
            languages=self.languages,
            dates=dates,
        )


def ipc_prefix(text: str) -> str:
    """An IPC prefix as the index stores symbols ("a01b" -> "A01B", "A01B1/02" -> "A01B 1/02");
    raises InvalidInput for text that is no IPC prefix."""
    from ipcenter.search.query import normalise_symbol_prefix

    prefix = normalise_symbol_prefix(text)
    if prefix is None:
        message = _("“%(text)s” is not an IPC symbol or prefix (write e.g. A01B or A01B 1/02).") % {
            "text": text
        }
        raise InvalidInput(message, errors={"ipc": str(message)})
    return prefix


# The parser's faults in the reader's language, by code (ipcenter.search.query); a code not
# listed here is shown with the parser's English message.
SYNTAX_MESSAGES: dict[str, Any] = {
    "unclosed_quote": _("The quotation mark is never closed."),
    "unbalanced_parenthesis": _("The brackets do not match."),
    "missing_operand": _("%(operator)s needs a clause on both sides."),
    "unexpected_end": _("The query ends too early."),
    "empty_parentheses": _("The brackets are empty."),
    "unknown_field": _("There is no field “%(field)s”; see the query syntax."),
    "nested_field": _("The field %(field)s: cannot be used inside another field's brackets."),
    "missing_value": _("%(field)s: needs a value right after the colon."),
    "filter_operator": _("Inside %(field)s:( ) only alternatives joined by OR are allowed."),
    "filter_placement": _("The filter %(field)s: can only be joined to the query with AND."),
    "repeated_filter": _(
        "%(field)s: is given twice; list the alternatives in one clause (%(field)s:A,B)."
    ),
    "bad_date": _("“%(value)s” is not a date; write 2015, 2015-03 or 2015-03-01."),
    "empty_date_range": _("The range “%(value)s” ends before it starts."),
    "bad_symbol": _("“%(value)s” is not an IPC or CPC symbol or the start of one."),
    "bad_office": _("“%(value)s” is not a two-letter office code such as CN or US."),
    "bad_language": _("“%(value)s” is not a language code such as zh or en."),
}


def syntax_error_message(exc: Any, query: str) -> str:
    """A parser fault as one sentence in the reader's language, with where it is."""
    template = SYNTAX_MESSAGES.get(getattr(exc, "code", ""))
    params = {"field": "", "value": "", "operator": "", **getattr(exc, "params", {})}
    try:
        reason = str(template % params) if template is not None else str(exc.message)
    except (KeyError, TypeError, ValueError, AttributeError):
        reason = str(getattr(exc, "message", exc))
    position = getattr(exc, "position", None)
    if not isinstance(position, int) or not 0 <= position <= len(query):
        return str(_("The query cannot be read: %(reason)s") % {"reason": reason})
    near = query[position : position + 20].strip()
    if not near:
        return str(_("The query cannot be read at its end: %(reason)s") % {"reason": reason})
    return str(
        _("The query cannot be read at character %(position)d (“%(near)s”): %(reason)s")
        % {"position": position + 1, "near": near, "reason": reason}
    )


def corpus_search(query: CorpusQuery, *, limit: int, offset: int, explain: bool = True) -> Any:
    """Search the corpus; a query the parser cannot read is InvalidInput (422), in the
    reader's language."""
    from ipcenter.search.query import QuerySyntaxError

    mode = query.mode if query.mode in MODES else "hybrid"
    request = SearchRequest(
        query=query.q.strip(),
        like_text=query.like.strip(),
        mode=mode,  # type: ignore[arg-type]
        filters=query.filters(),
        limit=max(1, min(limit, MAX_RESULTS)),
        offset=max(0, min(offset, MAX_RESULTS)),
        explain=explain,
    )
    try:
        results: SearchResults = engine.get_backend().search(request)
    except QuerySyntaxError as exc:
        message = syntax_error_message(exc, request.query)
        raise InvalidInput(message, errors={"q": message}) from exc
    return results


# --- documents ------------------------------------------------------------------------------


def corpus_size() -> dict[str, int]:
    return {
        "documents": PatentDocument.objects.count(),
        "pending": PatentDocument.objects.filter(indexed_at__isnull=True).count(),
    }


# The offices and languages of the corpus, for the search form's choices. A DISTINCT over a
# large table is not free, so they are kept for a few minutes in this process's cache; an import
# forgets them when it ends (in its own process; other processes catch up within the timeout).
_FACETS_KEY = "navigation:corpus-facets"
_FACETS_SECONDS = 300


def _facets() -> dict[str, list[str]]:
    facets: dict[str, list[str]] | None = cache.get(_FACETS_KEY)
    if facets is None:
        documents = PatentDocument.objects.order_by()
        facets = {
            "offices": sorted(documents.values_list("office", flat=True).distinct()),
            "languages": sorted(
                lang for lang in documents.values_list("language", flat=True).distinct() if lang
            ),
        }
        cache.set(_FACETS_KEY, facets, _FACETS_SECONDS)
    return facets


def forget_corpus_facets() -> None:
    cache.delete(_FACETS_KEY)


def corpus_offices() -> list[str]:
    return _facets()["offices"]


def corpus_languages() -> list[str]:
    return _facets()["languages"]


def ipc_titles(symbols: list[str], lang: str | None = None) -> list[tuple[str, str]]:
    """(symbol, title) pairs, the title in the reader's language where the scheme has one."""
    scheme = load_scheme()
    lang = lang or title_language()
    titled = []
    for symbol in symbols:
        try:
            title = scheme.title(symbol, lang) or ""  # type: ignore[arg-type]
        except IpcError:
            title = ""
        titled.append((symbol, title))
    return titled


# --- the IPC hierarchy ----------------------------------------------------------------------


@dataclass
class IpcNode:
    code: str  # "A", "A01", "A01B", "A01B 1/00", "A01B 1/02"
    title_en: str
    title_zh: str | None  # None where the scheme has no Chinese title
    parent: str | None
    count: int = 0  # corpus documents whose main IPC is here or below
    children: list[IpcNode] = field(default_factory=list)
    heading: str | None = None  # a guide heading before a main group

    @property
    def title(self) -> str:
        return (
            self.title_zh if title_language() == "zh" and self.title_zh else self.title_en
        ) or ""

    @property
    def key(self) -> str:
        """The code as written in URLs: no space, no slash ("A01B0001020000")."""
        return url_key(self.code)

    @property
    def search_prefix(self) -> str:
        """The IPC prefix that finds the documents here in the search."""
        if self.code.endswith("/00"):
            return self.code[:-2]  # a main group: "A01B 1/"
        return self.code


def url_key(code: str) -> str:
    if len(code) <= 4:
        return code
    return parse_ipc(code).scheme_key


def ipc_code(text: str) -> str | None:
    """The scheme's code for a section, class, subclass or group written any way; None if the
    text names nothing in the scheme."""
    compact = re.sub(r"\s+", "", text.strip().upper())
    if re.fullmatch(r"[A-H](\d\d)?", compact):
        code = compact
    else:
        try:
            code = str(parse_ipc(text))
        except IpcError:
            return None
    try:
        return code if load_scheme().exists(code) else None
    except IpcError:
        return None


def _prefix_of(code: str) -> tuple[str, bool]:
    """The main-IPC prefix of the documents under a code, and whether it must match exactly."""
    if len(code) <= 4:
        return code, False
    if code.endswith("/00"):
        return code[:-2], False  # "A01B 1/" for the main group A01B 1/00 and its subgroups
    return code, True


def _documents_under(code: str) -> QuerySet[PatentDocument]:
    prefix, exact = _prefix_of(code)
    if exact:
        return PatentDocument.objects.filter(main_ipc=prefix)
    return PatentDocument.objects.filter(main_ipc__startswith=prefix)


def _child_counts(code: str, children: list[str]) -> dict[str, int]:
    """Corpus documents under each child, in one query."""
    if not children:
        return {}
    documents = _documents_under(code)
    if len(code) < 4:  # section -> classes (3 characters), class -> subclasses (4)
        width = len(children[0])
        rows = (
            documents.annotate(head=Substr("main_ipc", 1, width))
            .values("head")
            .annotate(n=Count("id"))
        )
        return {row["head"]: row["n"] for row in rows}
    counts: Counter[str] = Counter()
    by_symbol = documents.values("main_ipc").annotate(n=Count("id"))
    for row in by_symbol:
        symbol = row["main_ipc"]
        if len(code) == 4:  # subclass -> main groups
            try:
                counts[str(parse_ipc(symbol).main_group_code or "")] += row["n"]
            except IpcError:
                continue
        else:  # main group -> subgroups (and the main group itself)
            counts[symbol] += row["n"]
    return dict(counts)


def ipc_node(code: str, *, with_children: bool = True) -> IpcNode:
    """A node of the IPC scheme with its titles, its parent, its children and document counts.
    `code` must be a code the scheme has (see ipc_code)."""
    scheme = load_scheme()
    node = IpcNode(
        code=code,
        title_en=scheme.title(code, "en") or "",
        title_zh=scheme.title(code, "zh") if scheme.has_zh_title(code) else None,
        parent=scheme.parent(code),
        count=_documents_under(code).count(),
        heading=scheme.guide_heading(code) if len(code) > 4 else None,
    )
    if with_children:
        children = [c for c in scheme.children(code) if c != code]
        counts = _child_counts(code, children)
        node.children = [
            IpcNode(
                code=child,
                title_en=scheme.title(child, "en") or "",
                title_zh=scheme.title(child, "zh") if scheme.has_zh_title(child) else None,
                parent=code,
                count=counts.get(child, 0),
                heading=scheme.guide_heading(child) if len(child) > 4 else None,
            )
            for child in children
        ]
    return node


def ipc_sections() -> list[IpcNode]:
    """The eight sections with their titles and document counts."""
    scheme = load_scheme()
    rows = (
        PatentDocument.objects.exclude(main_ipc="")
        .annotate(head=Substr("main_ipc", 1, 1))
        .values("head")
        .annotate(n=Count("id"))
    )
    counts = {row["head"]: row["n"] for row in rows}
    return [
        IpcNode(
            code=section,
            title_en=scheme.title(section, "en") or "",
            title_zh=scheme.title(section, "zh") if scheme.has_zh_title(section) else None,
            parent=None,
            count=counts.get(section, 0),
        )
        for section in scheme.sections()
    ]


def ipc_path(code: str) -> list[IpcNode]:
    """The nodes from the section down to `code`, for the breadcrumb."""
    scheme = load_scheme()
    path: list[IpcNode] = []
    current: str | None = code
    while current is not None:
        path.append(
            IpcNode(
                code=current,
                title_en=scheme.title(current, "en") or "",
                title_zh=scheme.title(current, "zh") if scheme.has_zh_title(current) else None,
                parent=None,
            )
        )
        current = scheme.parent(current)
    return path[::-1]


# --- imports --------------------------------------------------------------------------------


def import_jobs() -> QuerySet[ImportJob]:
    return ImportJob.objects.select_related("created_by").order_by("-created_at", "-id")


def import_rejections(job: ImportJob) -> QuerySet[ImportRejection]:
    return ImportRejection.objects.filter(job=job).order_by("id")


def recent_imports(limit: int = 5) -> list[ImportJob]:
    return list(import_jobs()[:limit])


def running_imports() -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(state__in=[ImportState.QUEUED, ImportState.RUNNING])
