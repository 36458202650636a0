"""How search results are shown: highlighted passages, result rows, CSV rows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ipcenter.navigation.selectors import IpcNode, ipc_titles
from ipcenter.patents.ipc import IpcError, parse_ipc
from ipcenter.search.base import Hit, Passage

# How many IPC symbols a result row names (the document page shows them all).
ROW_IPC = 4

# The indexed fields a passage can come from, as the reader names them.
FIELD_LABELS = {
    "title": _("Title"),
    "abstract": _("Abstract"),
    "claims": _("Claims"),
    "description": _("Description"),
    "applicants": _("Applicants"),
    "inventors": _("Inventors"),
    "translations": _("Translation"),
}

# The languages of documents, as the reader names them.
LANGUAGE_NAMES = {
    "zh": _("Chinese"),
    "en": pgettext_lazy("document language", "English"),
    "ja": _("Japanese"),
    "ko": _("Korean"),
    "de": _("German"),
    "fr": _("French"),
    "ru": _("Russian"),
    "es": _("Spanish"),
}

# The scheme's titles refer to other entries by their scheme keys ("A01C0005000000").
_SCHEME_KEY = re.compile(r"\b[A-H]\d\d[A-Z]\d{10}\b")
_TIGHT_SEMICOLON = re.compile(r";(?=\S)")


def language_name(code: str) -> str:
    return str(LANGUAGE_NAMES.get(code, code))


def readable_ipc_title(title: str) -> str:
    """An IPC title with the scheme keys it refers to written as symbols ("A01C 5/00")."""

    def symbol(match: re.Match[str]) -> str:
        try:
            return str(parse_ipc(match.group(0)))
        except IpcError:
            return match.group(0)

    if not _SCHEME_KEY.search(title):
        return title
    return _TIGHT_SEMICOLON.sub("; ", _SCHEME_KEY.sub(symbol, title))


def titled_ipc(symbols: list[str]) -> list[tuple[str, str]]:
    """(symbol, readable title in the reader's language) pairs."""
    return [(symbol, readable_ipc_title(title)) for symbol, title in ipc_titles(symbols)]


@dataclass
class ShownIpcNode:
    """An entry of the IPC as the browser shows it."""

    code: str
    key: str
    title: str  # in the reader's language where the scheme has it
    title_en: str
    heading: str
    count: int


def shown_ipc(node: IpcNode) -> ShownIpcNode:
    return ShownIpcNode(
        code=node.code,
        key=node.key,
        title=readable_ipc_title(node.title),
        title_en=readable_ipc_title(node.title_en),
        heading=readable_ipc_title(node.heading or ""),
        count=node.count,
    )


def highlight(text: str, spans: Iterable[Sequence[int]]) -> SafeString:
    """``text`` with the character spans wrapped in <mark>; everything else escaped."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, int(s)), min(len(text), int(e))) for s, e in spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts: list[str] = []
    cursor = 0
    for start, end in merged:
        parts.append(escape(text[cursor:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    parts.append(escape(text[cursor:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above


@dataclass
class ShownPassage:
    field: str
    html: SafeString
    closest: bool = False  # also one of the sentences closest in meaning to the query


@dataclass
class ResultRow:
    rank: int
    key: str
    url: str
    title: str
    title_html: SafeString  # the title, its matched words marked
    number: str
    office: str
    date: dt.date | None
    language: str
    language_name: str
    applicants: list[str]
    ipc: list[tuple[str, str]]  # (symbol, title in the reader's language)
    more_ipc: int
    score: float
    bm25_rank: int | None
    dense_rank: int | None
    passages: list[ShownPassage] = field(default_factory=list)
    sentences: list[ShownPassage] = field(default_factory=list)


def _shown(passages: list[Passage], closest: set[str] | None = None) -> list[ShownPassage]:
    return [
        ShownPassage(
            str(FIELD_LABELS.get(p.field, p.field)),
            highlight(p.text, p.spans),
            closest=closest is not None and p.text.strip() in closest,
        )
        for p in passages
    ]


def _is_title(passage: Passage, title: str) -> bool:
    return passage.field == "title" and passage.text.strip() == title.strip()


def _title_and_explanations(
    hit: Hit, title: str
) -> tuple[SafeString, list[Passage], list[Passage]]:
    """The row's title (marked where a passage of the whole title matched) and the passages and
    closest sentences left to show under it: the whole title is not repeated below itself,
    unless it is the only sentence that explains a match by meaning, and a sentence that is
    also a passage is shown once (as the passage, marked as close in meaning)."""
    passages, sentences = list(hit.passages), list(hit.sentences)
    html = highlight(title, [])
    whole = next((p for p in passages if _is_title(p, title)), None)
    if whole is not None:
        html = highlight(whole.text, whole.spans)
        passages.remove(whole)
    others = [s for s in sentences if not _is_title(s, title)]
    if others:
        sentences = others
    shown = {p.text.strip() for p in passages}
    return html, passages, [s for s in sentences if s.text.strip() not in shown]


def result_rows(hits: list[Hit], *, offset: int = 0) -> list[ResultRow]:
    rows = []
    for rank, hit in enumerate(hits, start=offset + 1):
        record = hit.record
        number = f"{record.publication_number or record.application_number} {record.kind}".strip()
        title = record.title or record.abstract[:120]
        title_html, passages, sentences = _title_and_explanations(hit, title)
        rows.append(
            ResultRow(
                rank=rank,
                key=hit.key,
                url=reverse("navigation:document", args=[hit.key]),
                title=title,
                title_html=title_html,
                number=number or hit.key,
                office=record.office,
                date=record.earliest_date,
                language=record.language,
                language_name=language_name(record.language),
                applicants=record.applicants[:3],
                ipc=titled_ipc(record.ipc[:ROW_IPC]),
                more_ipc=max(0, len(record.ipc) - ROW_IPC),
                score=hit.score,
                bm25_rank=hit.bm25_rank,
                dense_rank=hit.dense_rank,
                passages=_shown(passages, {s.text.strip() for s in hit.sentences}),
                sentences=_shown(sentences),
            )
        )
    return rows


CSV_HEADER = (
    "rank",
    "key",
    "publication_number",
    "kind",
    "office",
    "publication_date",
    "title",
    "applicants",
    "main_ipc",
    "ipc",
    "language",
    "score",
    "bm25_rank",
    "dense_rank",
)


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_rows(hits: list[Hit]) -> Iterable[list[Any]]:
    yield list(CSV_HEADER)
    for rank, hit in enumerate(hits, start=1):
        r = hit.record
        yield [
            _cell(value)
            for value in [
                rank,
                hit.key,
                r.publication_number or r.application_number,
                r.kind,
                r.office,
                r.publication_date.isoformat() if r.publication_date else "",
                r.title,
                "; ".join(r.applicants),
                r.main_ipc or "",
                "; ".join(r.ipc),
                r.language,
                f"{hit.score:.6f}",
                hit.bm25_rank or "",
                hit.dense_rank or "",
            ]
        ]
