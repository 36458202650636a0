"""API of a case's IPC suggestion, prior art and citations (/api/v1/preexam), for the assigned
examiner and the center's managers. Everyone else gets the 404 of a missing case; a citation the
case's state no longer allows answers 409."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from ipcenter.accounts.roles import Perm
from ipcenter.idempotency.decorators import idempotent
from ipcenter.preexam import selectors
from ipcenter.preexam.analysis import (
    case_analysis_refresh,
    case_citation_mark,
    case_citation_remove,
)
from ipcenter.preexam.models import Case, CaseAnalysis, Citation
from ipcenter.preexam.services import case_viewed

router = Router(tags=["preexam"])

EXAMINER_OR_MANAGER = (Perm.CASE_EXAMINE, Perm.CASE_MANAGE)


# --- schemas -------------------------------------------------------------------------------------


class NeighbourOut(Schema):
    key: str
    title: str
    ipc: list[str] = Field(description="Its IPC symbols, main first")
    similarity: float
    in_corpus: bool = Field(description="A document of the corpus, else a training example")


class SuggestionOut(Schema):
    symbol: str
    level: str = Field(description="subclass | group")
    confidence: float
    reasons: list[NeighbourOut] = Field(description="The nearest labelled documents")


class PriorArtPassageOut(Schema):
    field: str
    text: str
    spans: list[list[int]] = Field(description="[start, end] of each matched word in text")
    score: float


class PriorArtDocumentOut(Schema):
    key: str
    office: str = ""
    publication_number: str = ""
    kind: str = ""
    title: str = ""
    publication_date: dt.date | None = None
    ipc: list[str] = []
    applicants: list[str] = []
    language: str = ""


class PriorArtHitOut(Schema):
    rank: int
    document_key: str
    score: float
    bm25_rank: int | None
    dense_rank: int | None
    document: PriorArtDocumentOut = Field(description="As the corpus held it when found")
    passages: list[PriorArtPassageOut] = Field(description="BM25: highlighted passages")
    sentences: list[PriorArtPassageOut] = Field(description="Dense: the closest sentences")
    cited_as: str | None = Field(None, description="X, Y or A when cited")


class ClaimPriorArtOut(Schema):
    claim_number: int
    hits: list[PriorArtHitOut]


class AnalysisFindingOut(Schema):
    code: str
    severity: str
    params: dict[str, Any]
    message: str


class AnalysisOut(Schema):
    version: int
    status: str = Field(description="pending | done | failed | not_applicable")
    classifier_version: str = ""
    backend: str = ""
    corpus_size: int = 0
    cutoff: dt.date | None = Field(None, description="Documents published before it are prior art")
    cutoff_basis: str = Field("", description="priority | filing | submission")
    applicant_code: str = ""
    suggested_subclass: str = ""
    suggested_group: str = ""
    mismatch: bool = False
    out_of_scope: bool = False
    suggestions: list[SuggestionOut] = []
    findings: list[AnalysisFindingOut] = []
    prior_art: list[ClaimPriorArtOut] = []
    computed_at: dt.datetime | None = None
    error: str = ""


class CitationIn(Schema):
    document_key: str = Field(description="The corpus key, e.g. US10917092")
    category: str = Field(description="X | Y | A")
    claims: list[int] = Field([], description="The claims it concerns")
    note: str = ""


class CitationOut(Schema):
    id: int
    document_key: str
    document: PriorArtDocumentOut
    category: str
    claims: list[int]
    note: str
    examiner_id: int
    opinion_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


# --- output --------------------------------------------------------------------------------------


def analysis_out(case: Case, analysis: CaseAnalysis | None) -> dict[str, Any]:
    if analysis is None:
        latest = case.versions.order_by("-number").first()
        return {"version": latest.number if latest else 0, "status": "pending"}
    cited = dict(case.citations.values_list("document_key", "category"))
    by_claim: dict[int, list[dict[str, Any]]] = {}
    for hit in analysis.hits.all():
        by_claim.setdefault(hit.claim_number, []).append(
            {
                "rank": hit.rank,
                "document_key": hit.document_key,
                "score": hit.score,
                "bm25_rank": hit.bm25_rank,
                "dense_rank": hit.dense_rank,
                "document": hit.document,
                "passages": hit.passages,
                "sentences": hit.sentences,
                "cited_as": cited.get(hit.document_key),
            }
        )
    findings = analysis.version.findings.filter(center_only=True)
    return {
        "version": analysis.version.number,
        "status": analysis.status,
        "classifier_version": analysis.classifier_version,
        "backend": analysis.backend,
        "corpus_size": analysis.corpus_size,
        "cutoff": analysis.cutoff,
        "cutoff_basis": analysis.cutoff_basis,
        "applicant_code": analysis.applicant_code,
        "suggested_subclass": analysis.suggested_subclass,
        "suggested_group": analysis.suggested_group,
        "mismatch": analysis.mismatch,
        "out_of_scope": analysis.out_of_scope,
        "suggestions": analysis.suggestions,
        "findings": [
            {
                "code": f.code,
                "severity": f.severity,
                "params": f.params,
                "message": selectors.finding_message(f.code, f.params),
            }
            for f in findings
        ],
        "prior_art": [
            {"claim_number": number, "hits": hits} for number, hits in sorted(by_claim.items())
        ],
        "computed_at": analysis.computed_at,
        "error": analysis.error,
    }


def citation_out(citation: Citation) -> dict[str, Any]:
    return {
        "id": citation.pk,
        "document_key": citation.document_key,
        "document": {"key": citation.document_key, **citation.document},
        "category": citation.category,
        "claims": citation.claims,
        "note": citation.note,
        "examiner_id": citation.examiner_id,
        "opinion_id": citation.opinion_id,
        "created_at": citation.created_at,
        "updated_at": citation.updated_at,
    }


def _center_case(request: HttpRequest, case_id: int) -> Case:
    return selectors.case_for_user_or_404(request.user, case_id, EXAMINER_OR_MANAGER)


def _examiner_case(request: HttpRequest, case_id: int) -> Case:
    return selectors.case_for_user_or_404(request.user, case_id, Perm.CASE_EXAMINE)


# --- endpoints -----------------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/analysis",
    response=AnalysisOut,
    summary="The case's IPC suggestion and prior art per independent claim (audited)",
)
def analysis(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = _center_case(request, case_id)
    case_viewed(case=case, user=request.user, what="analysis")
    return analysis_out(case, selectors.case_analysis(case))


@router.post(
    "/cases/{case_id}/analysis/refresh",
    response=AnalysisOut,
    summary="Run the IPC suggestion and the prior-art search of the latest version again",
)
def analysis_refresh(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = _center_case(request, case_id)
    case_analysis_refresh(case=case, actor=request.user)
    return analysis_out(case, selectors.case_analysis(case))


@router.get(
    "/cases/{case_id}/citations",
    response=list[CitationOut],
    summary="The documents cited against the case (X, Y, A)",
)
def citation_index(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    case = _center_case(request, case_id)
    return [citation_out(c) for c in selectors.case_citations(case)]


@router.post(
    "/cases/{case_id}/citations",
    response={201: CitationOut},
    summary="Cite a document as X, Y or A for some claims (replaces an earlier marking of it)",
)
@idempotent(within=("preexam.case", "case_id"))
def citation_create(request: HttpRequest, case_id: int, payload: CitationIn) -> Status:
    case = _examiner_case(request, case_id)
    citation = case_citation_mark(
        case=case,
        actor=request.user,
        document_key=payload.document_key,
        category=payload.category,
        claims=payload.claims,
        note=payload.note,
    )
    return Status(201, citation_out(citation))


@router.delete(
    "/cases/{case_id}/citations/{citation_id}",
    response={204: None},
    summary="Remove a citation (before the opinion is issued)",
)
def citation_delete(request: HttpRequest, case_id: int, citation_id: int) -> Status:
    case = _examiner_case(request, case_id)
    citation = get_object_or_404(Citation.objects.select_related("case"), case=case, pk=citation_id)
    case_citation_remove(citation=citation, actor=request.user)
    return Status(204, None)
