"""Prior art for an application, and its automatic IPC suggestion checked against the applicant's.

Plain Python, no Django. :func:`prior_art` runs one hybrid "documents like this text" search
per independent claim of a :class:`~ipcenter.patents.application.ParsedApplication` (the claim,
with the title for context), restricted to documents published before a cut-off date (the
priority date, else the filing date, else today). Documents without a publication date in the
corpus cannot be shown to be prior and never match. The application itself is never written to
any index: only the query text travels to the backend's ``search``.

:func:`classification_check` compares the classifier's suggestions with the applicant's main IPC
symbol and with a center's technical-field list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ipcenter.patents.application import Claim, ParsedApplication
from ipcenter.patents.ipc import IpcError, IpcFieldList, IpcSymbol, parse_ipc
from ipcenter.search.base import DateRange, Filters, Hit, SearchBackend, SearchRequest

__all__ = [
    "ClaimPriorArt",
    "ClassificationCheck",
    "claim_query",
    "classification_check",
    "independent_claims",
    "prior_art",
    "prior_art_filters",
]


@dataclass
class ClaimPriorArt:
    """The documents most like one independent claim, best first."""

    claim_number: int
    claim_text: str
    hits: list[Hit]


def independent_claims(application: ParsedApplication) -> list[Claim]:
    """The claims that refer to no other claim, in order (those with text)."""
    return [c for c in application.claims if c.independent and c.text.strip()]


def claim_query(application: ParsedApplication, claim: Claim) -> str:
    """The "like this" text of a claim: the title gives the claim's field, the claim the rest."""
    return "\n".join(part for part in (application.title.strip(), claim.text.strip()) if part)


def prior_art_filters(cutoff: dt.date | None, exclude_keys: Iterable[str] = ()) -> Filters:
    """Documents published strictly before `cutoff` (today when None), without `exclude_keys`."""
    end = cutoff or dt.date.today()
    return Filters(
        dates=(DateRange("publication_date", end=end),),
        exclude_keys=tuple(exclude_keys),
    )


def prior_art(
    application: ParsedApplication,
    *,
    backend: SearchBackend,
    cutoff: dt.date | None,
    limit: int = 10,
    exclude_keys: Iterable[str] = (),
) -> list[ClaimPriorArt]:
    """Per independent claim, the `limit` documents published before `cutoff` most like it,
    with their matching passages (BM25) and closest sentences (dense) and the fused score."""
    filters = prior_art_filters(cutoff, exclude_keys)
    found: list[ClaimPriorArt] = []
    for claim in independent_claims(application):
        request = SearchRequest(
            like_text=claim_query(application, claim),
            mode="hybrid",
            filters=filters,
            limit=limit,
            explain=True,
        )
        found.append(ClaimPriorArt(claim.number, claim.text, backend.search(request).hits))
    return found


# --- the IPC suggestion against the applicant's code and the center's fields --------------------


@dataclass(frozen=True)
class ClassificationCheck:
    """What the suggestion says about the applicant's main code.

    ``subclass``/``group`` are the best suggested subclass and, where the classifier went that
    far, its best group inside that subclass; ``mismatch`` when the subclass differs from the
    applicant's; ``out_of_scope`` when the suggestion lies outside the field list (None when
    no field list was given).
    """

    subclass: str
    confidence: float
    group: str = ""
    group_confidence: float = 0.0
    applicant_code: str = ""
    applicant_subclass: str = ""
    mismatch: bool = False
    out_of_scope: bool | None = None


def _field(suggestion: Any, name: str) -> Any:
    return suggestion[name] if isinstance(suggestion, dict) else getattr(suggestion, name)


def _subclass_of(symbol: str) -> str:
    try:
        return parse_ipc(symbol).subclass_code
    except IpcError:
        return symbol.strip()[:4].upper()


def classification_check(
    suggestions: Sequence[Any],
    *,
    applicant_code: str,
    field_list: Iterable[IpcSymbol | str] | None = None,
) -> ClassificationCheck | None:
    """Compare the classifier's suggestions (objects or dicts with ``symbol``, ``level``,
    ``confidence``) with the applicant's main IPC code; None without any suggestion.

    The suggestion is out of scope when its group (if any) is not covered by the field list,
    or, for a subclass alone, when no entry of the list lies in that subclass.
    """
    if not suggestions:
        return None
    ranked = sorted(suggestions, key=lambda s: -float(_field(s, "confidence")))
    subclasses = [s for s in ranked if _field(s, "level") == "subclass"]
    best = subclasses[0] if subclasses else ranked[0]
    subclass = _subclass_of(str(_field(best, "symbol")))
    confidence = float(_field(best, "confidence"))
    groups = [
        s
        for s in ranked
        if _field(s, "level") == "group" and _subclass_of(str(_field(s, "symbol"))) == subclass
    ]
    group = str(_field(groups[0], "symbol")) if groups else ""
    group_confidence = float(_field(groups[0], "confidence")) if groups else 0.0
    if not subclasses:  # only groups were suggested: the best one speaks for its subclass
        group, group_confidence = str(_field(best, "symbol")), confidence
    applicant_subclass = _subclass_of(applicant_code) if applicant_code.strip() else ""
    out_of_scope = None
    if field_list is not None:
        out_of_scope = not _in_fields(IpcFieldList(field_list), subclass, group)
    return ClassificationCheck(
        subclass=subclass,
        confidence=confidence,
        group=group,
        group_confidence=group_confidence,
        applicant_code=applicant_code,
        applicant_subclass=applicant_subclass,
        mismatch=bool(applicant_subclass) and applicant_subclass != subclass,
        out_of_scope=out_of_scope,
    )


def _in_fields(fields: IpcFieldList, subclass: str, group: str) -> bool:
    if group:
        try:
            return fields.covers(group)
        except IpcError:
            pass
    return any(entry.subclass_code == subclass for entry in fields.entries)
