"""`{% priorart_context case user as pa %}`: the classification, prior-art and citation panels of
the case page, for the examiner and the center's managers only; `{{ passage|highlighted }}`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.safestring import SafeString

from ipcenter.accounts.access import can
from ipcenter.accounts.roles import Perm
from ipcenter.navigation.display import highlight
from ipcenter.patents.application import ParsedApplication
from ipcenter.patents.ipc import IpcError, load_scheme
from ipcenter.preexam import selectors
from ipcenter.preexam.analysis import CITATION_STATES, REFRESH_STATES, is_center_side
from ipcenter.preexam.models import Case, Citation, CitationCategory, PriorArtHit

register = template.Library()


@register.filter
def highlighted(passage: dict[str, Any]) -> SafeString:
    return highlight(str(passage.get("text", "")), passage.get("spans") or [])


def document_url(key: str) -> str:
    """The corpus document's page, where the navigation area serves one."""
    try:
        return reverse("navigation:document", kwargs={"key": key})
    except NoReverseMatch:
        return ""


def _ipc_title(symbol: str) -> str:
    lang: Literal["en", "zh"] = (
        "zh" if (translation.get_language() or "").startswith("zh") else "en"
    )
    try:
        scheme = load_scheme()
        title = scheme.title(symbol, lang) or scheme.title(symbol, "en") or ""
    except IpcError:
        return ""
    # The English scheme writes subclass titles in capitals; they read better in sentence case.
    shouting = title.isascii() and sum(c.isupper() for c in title) > sum(c.islower() for c in title)
    return title[:1] + title[1:].lower() if shouting else title


@dataclass
class HitRow:
    hit: PriorArtHit
    url: str
    citation: Citation | None


@dataclass
class ClaimRow:
    number: int
    text: str
    hits: list[HitRow] = field(default_factory=list)


def _suggestion_rows(suggestions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for s in suggestions:
        confidence = float(s.get("confidence") or 0)
        rows.append(
            {
                **s,
                "percent": round(confidence * 100),
                "title": _ipc_title(str(s.get("symbol", ""))),
                "reasons": [
                    {
                        **r,
                        "url": document_url(str(r.get("key", ""))) if r.get("in_corpus") else "",
                        "main_ipc": (r.get("ipc") or [""])[0],
                    }
                    for r in s.get("reasons", [])
                ],
            }
        )
    return rows


@register.simple_tag
def priorart_context(case: Case, user: Any) -> dict[str, Any]:
    """What the examiner and the managers see of the case's analysis; nothing for others."""
    if user is None or not user.is_authenticated or not is_center_side(user, case):
        return {"shown": False}
    analysis = selectors.case_analysis(case)
    citations = list(selectors.case_citations(case))
    cited = {c.document_key: c for c in citations}
    claims: list[ClaimRow] = []
    if analysis is not None:
        app = ParsedApplication.from_dict(analysis.version.parsed)
        rows: dict[int, ClaimRow] = {}
        for hit in analysis.hits.all():
            if hit.claim_number not in rows:
                claim = app.claim(hit.claim_number)
                rows[hit.claim_number] = ClaimRow(hit.claim_number, claim.text if claim else "")
            rows[hit.claim_number].hits.append(
                HitRow(hit, document_url(hit.document_key), cited.get(hit.document_key))
            )
        claims = [rows[n] for n in sorted(rows)]
    suggestions = _suggestion_rows(analysis.suggestions) if analysis else []
    may_cite = can(user, Perm.CASE_EXAMINE, case) and case.state in CITATION_STATES
    return {
        "shown": True,
        "analysis": analysis,
        "suggestions": suggestions,
        "subclass_title": _ipc_title(analysis.suggested_subclass) if analysis else "",
        "claims": claims,
        "citations": citations,
        "categories": CitationCategory.choices,
        "may_cite": may_cite,
        "may_refresh": case.state in REFRESH_STATES,
    }
