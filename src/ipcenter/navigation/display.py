"""How search results are shown: highlighted passages, result rows, CSV rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from ipcenter.navigation.selectors import ipc_titles
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


@dataclass
class ResultRow:
    rank: int
    key: str
    url: str
    title: str
    number: str
    office: str
    date: dt.date | None
    language: str
    applicants: list[str]
    ipc: list[tuple[str, str]]  # (symbol, title in the reader's language)
    more_ipc: int
    score: float
    bm25_rank: int | None
    dense_rank: int | None
    passages: list[ShownPassage] = field(default_factory=list)
    sentences: list[ShownPassage] = field(default_factory=list)


def _shown(passages: list[Passage]) -> list[ShownPassage]:
    return [
        ShownPassage(str(FIELD_LABELS.get(p.field, p.field)), highlight(p.text, p.spans))
        for p in passages
    ]


def result_rows(hits: list[Hit], *, offset: int = 0) -> list[ResultRow]:
    rows = []
    for rank, hit in enumerate(hits, start=offset + 1):
        record = hit.record
        number = f"{record.publication_number or record.application_number} {record.kind}".strip()
        rows.append(
            ResultRow(
                rank=rank,
                key=hit.key,
                url=reverse("navigation:document", args=[hit.key]),
                title=record.title or record.abstract[:120],
                number=number or hit.key,
                office=record.office,
                date=record.earliest_date,
                language=record.language,
                applicants=record.applicants[:3],
                ipc=ipc_titles(record.ipc[:ROW_IPC]),
                more_ipc=max(0, len(record.ipc) - ROW_IPC),
                score=hit.score,
                bm25_rank=hit.bm25_rank,
                dense_rank=hit.dense_rank,
                passages=_shown(hit.passages),
                sentences=_shown(hit.sentences),
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
