"""Pre-examination API: intake, eligibility dry run, review moves, versions and their diff,
assignment and examiners' conflicts. Mounted at /api/v1/preexam.

Cases someone may not see answer 404 like missing ones; a move the case's state does not allow
answers 409; bad input 422.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ValidationError as PydanticValidationError

from ipcenter.accounts.access import can, get_for_user_or_404, require
from ipcenter.accounts.models import Organization, User
from ipcenter.accounts.roles import Perm
from ipcenter.api_schemas import Paging, page
from ipcenter.centers.models import Center
from ipcenter.idempotency.decorators import idempotent
from ipcenter.lib.errors import InvalidInput
from ipcenter.preexam import selectors
from ipcenter.preexam.analysis import is_center_side
from ipcenter.preexam.assignment import case_reassign, conflict_declare, conflict_withdraw
from ipcenter.preexam.diff import version_diff
from ipcenter.preexam.models import Case, CaseVersion, ExaminerConflict, Opinion
from ipcenter.preexam.selectors import finding_message
from ipcenter.preexam.services import (
    CaseRequest,
    OpinionItemIn,
    PriorityClaim,
    case_accept,
    case_amend,
    case_check_eligibility,
    case_not_accept,
    case_opinion_issue,
    case_qualify,
    case_submit,
    case_unqualify,
    case_viewed,
    case_withdraw,
)
from ipcenter.preexam.views import case_document_download
from ipcenter.preexam.workflow import moves_for

router = Router(tags=["preexam"])


# --- schemas -------------------------------------------------------------------------------


class PriorityIn(Schema):
    country: str
    number: str
    date: dt.date


class CaseRequestIn(Schema):
    center: str = Field(description="The center's code, e.g. shanghai")
    title: str
    patent_type: str = Field(description="invention | utility_model | design")
    applicants: list[str] = Field(description="In order; the first is the filed entity")
    inventors: list[str] = []
    main_code: str = Field(description="IPC symbol, or Locarno class for designs")
    further_codes: list[str] = []
    priority_claims: list[PriorityIn] = []
    is_pct: bool = False
    is_divisional: bool = False
    same_day_dual_filing: bool = False
    applicant_organization_id: int | None = Field(
        None, description="For an agent: the enterprise it acts for"
    )


class SubmitForm(Schema):
    request: str = Field(description="The case request as JSON (see CaseRequestIn)")


class RuleOut(Schema):
    rule: str
    label: str
    passed: bool
    detail: str


class ReasonIn(Schema):
    reason: str


class OptionalReasonIn(Schema):
    reason: str = ""


class OpinionItemSchema(Schema):
    aspect: str = Field(
        description="novelty | inventive_step | clarity_support | unity | obvious_defects"
    )
    satisfied: bool
    claims: str = ""
    text: str = ""


class OpinionIn(Schema):
    summary: str
    items: list[OpinionItemSchema]


class AmendForm(Schema):
    note: str = ""


class AssignIn(Schema):
    examiner_id: int
    reason: str
    confirmed: bool = Field(False, description="The manager confirms the examiner's competence")


class ConflictIn(Schema):
    organization_id: int
    reason: str


class ConflictOut(Schema):
    id: int
    examiner_id: int
    examiner: str
    organization_id: int
    organization: str
    reason: str
    declared_at: dt.datetime
    withdrawn_at: dt.datetime | None


class CaseSummaryOut(Schema):
    id: int
    reference: str
    center: str
    patent_type: str
    title: str
    state: str
    organization_id: int
    agency_id: int | None
    examiner_id: int | None
    main_code: str
    submitted_at: dt.datetime
    due_on: dt.date | None


class FindingOut(Schema):
    code: str
    severity: str
    location: str
    params: dict[str, Any]
    message: str


class DocumentRefOut(Schema):
    part: str
    document_id: str
    name: str
    content_type: str
    size: int
    sha256: str


class VersionOut(Schema):
    number: int
    created_at: dt.datetime
    note: str
    parsed: dict[str, Any]
    documents: list[DocumentRefOut]
    findings: list[FindingOut]


class OpinionItemOut(Schema):
    aspect: str
    satisfied: bool
    claims: str
    text: str


class CitedOut(Schema):
    document_key: str
    category: str = Field(description="X | Y | A")
    claims: list[int]
    publication_number: str
    title: str
    publication_date: dt.date | None


class OpinionOut(Schema):
    id: int
    version: int
    examiner_id: int
    summary: str
    issued_at: dt.datetime
    items: list[OpinionItemOut]
    citations: list[CitedOut] = Field([], description="The documents cited in the opinion")


class EventOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str | None
    reason: str
    at: dt.datetime


class CaseOut(CaseSummaryOut):
    applicants: list[str]
    inventors: list[str]
    further_codes: list[str]
    priority_claims: list[dict[str, Any]]
    priority_date: dt.date | None
    is_pct: bool
    is_divisional: bool
    same_day_dual_filing: bool
    accepted_at: dt.datetime | None
    decided_at: dt.datetime | None
    qualified_on: dt.date | None
    versions: list[VersionOut]
    opinions: list[OpinionOut]
    events: list[EventOut]
    moves: list[str]


class SegmentOut(Schema):
    op: str
    text: str


class ClaimDiffOut(Schema):
    number: int
    status: str
    segments: list[SegmentOut]


class DiffOut(Schema):
    from_version: int
    to_version: int
    claims: list[ClaimDiffOut]
    abstract: list[SegmentOut]
    abstract_changed: bool
    title_changed: bool
    counts: dict[str, int]


class CaseFilterIn(Paging):
    state: str = ""
    patent_type: str = ""
    examiner_id: int | None = None
    center: str = ""
    q: str = ""
    unassigned: bool = False


class DiffQuery(Schema):
    from_: int = Field(1, alias="from")
    to: int = 2


# --- helpers -------------------------------------------------------------------------------


def _parse_request(raw: str) -> tuple[Center, CaseRequest]:
    """The multipart `request` field: the case request as JSON."""
    try:
        data = CaseRequestIn.model_validate(json.loads(raw))
    except (json.JSONDecodeError, PydanticValidationError) as exc:
        message = _("The request field must be the case request as JSON: %(error)s") % {
            "error": str(exc)[:300]
        }
        raise InvalidInput(message, errors={"request": message}) from exc
    return _case_request(data)


def _case_request(data: CaseRequestIn) -> tuple[Center, CaseRequest]:
    center = Center.objects.filter(code=data.center).first()
    if center is None:
        message = _("Unknown center.")
        raise InvalidInput(message, errors={"center": message})
    return center, CaseRequest(
        title=data.title,
        patent_type=data.patent_type,
        applicants=data.applicants,
        inventors=data.inventors,
        main_code=data.main_code,
        further_codes=data.further_codes,
        priority_claims=[PriorityClaim(p.country, p.number, p.date) for p in data.priority_claims],
        is_pct=data.is_pct,
        is_divisional=data.is_divisional,
        same_day_dual_filing=data.same_day_dual_filing,
        applicant_organization_id=data.applicant_organization_id,
    )


def _files(**parts: UploadedFile | None) -> list[tuple[str, UploadedFile]]:
    return [(part, upload) for part, upload in parts.items() if upload is not None]


def _case(request: HttpRequest, case_id: int) -> Case:
    return selectors.case_for_user_or_404(request.user, case_id)


def summary_out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "reference": case.reference,
        "center": case.center.code,
        "patent_type": case.patent_type,
        "title": case.title,
        "state": case.state,
        "organization_id": case.organization_id,
        "agency_id": case.agency_id,
        "examiner_id": case.examiner_id,
        "main_code": case.main_code,
        "submitted_at": case.submitted_at,
        "due_on": selectors.case_due_on(case),
    }


def version_out(version: CaseVersion, *, center_side: bool = False) -> dict[str, Any]:
    """A version as its reader may see it: the center's own findings only for the center side."""
    return {
        "number": version.number,
        "created_at": version.created_at,
        "note": version.note,
        "parsed": version.parsed,
        "documents": [
            {
                "part": d.part,
                "document_id": str(d.document_id),
                "name": d.document.original_name,
                "content_type": d.document.content_type,
                "size": d.document.size,
                "sha256": d.document.sha256,
            }
            for d in version.documents.all()
        ],
        "findings": [
            {
                "code": f.code,
                "severity": f.severity,
                "location": f.location,
                "params": f.params,
                "message": finding_message(f.code, f.params),
            }
            for f in selectors.version_findings(version, center_side=center_side)
        ],
    }


def case_out(case: Case, user: Any) -> dict[str, Any]:
    versions = list(selectors.case_versions(case))
    numbers = {v.pk: v.number for v in versions}
    center_side = is_center_side(user, case)
    return summary_out(case) | {
        "applicants": case.applicants,
        "inventors": case.inventors,
        "further_codes": case.further_codes,
        "priority_claims": case.priority_claims,
        "priority_date": case.priority_date,
        "is_pct": case.is_pct,
        "is_divisional": case.is_divisional,
        "same_day_dual_filing": case.same_day_dual_filing,
        "accepted_at": case.accepted_at,
        "decided_at": case.decided_at,
        "qualified_on": case.qualified_on,
        "versions": [version_out(v, center_side=center_side) for v in versions],
        "opinions": [
            opinion_out(o, numbers.get(o.version_id, 0))
            for o in case.opinions.prefetch_related("items", "citations")
        ],
        "events": [
            {
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "actor": e.actor.get_username() if e.actor else None,
                "reason": e.reason,
                "at": e.at,
            }
            for e in case.events.select_related("actor")
        ],
        "moves": moves_for(user, case),
    }


def opinion_out(opinion: Opinion, version_number: int) -> dict[str, Any]:
    return {
        "id": opinion.pk,
        "version": version_number,
        "examiner_id": opinion.examiner_id,
        "summary": opinion.summary,
        "issued_at": opinion.issued_at,
        "items": [
            {"aspect": i.aspect, "satisfied": i.satisfied, "claims": i.claims, "text": i.text}
            for i in opinion.items.all()
        ],
        "citations": [
            {
                "document_key": c.document_key,
                "category": c.category,
                "claims": c.claims,
                "publication_number": c.document.get("publication_number") or c.document_key,
                "title": c.document.get("title", ""),
                "publication_date": c.document.get("publication_date"),
            }
            for c in opinion.citations.all()
        ],
    }


def _detail(request: HttpRequest, case: Case) -> dict[str, Any]:
    case_viewed(case=case, user=request.user, what="api")
    return case_out(case, request.user)


def conflict_out(conflict: ExaminerConflict) -> dict[str, Any]:
    return {
        "id": conflict.pk,
        "examiner_id": conflict.examiner_id,
        "examiner": conflict.examiner.get_username(),
        "organization_id": conflict.organization_id,
        "organization": conflict.organization.name,
        "reason": conflict.reason,
        "declared_at": conflict.declared_at,
        "withdrawn_at": conflict.withdrawn_at,
    }


# --- cases ---------------------------------------------------------------------------------


@router.get("/cases", response=list[CaseSummaryOut], summary="Cases I may see")
def case_index(request: HttpRequest, filters: Query[CaseFilterIn]) -> list[dict[str, Any]]:
    if not any(can(request.user, p) for p in selectors.VIEW_PERMS):
        raise PermissionDenied
    center = Center.objects.filter(code=filters.center).first() if filters.center else None
    qs = selectors.case_list(
        user=request.user,
        filters=selectors.CaseFilters(
            state=filters.state,
            patent_type=filters.patent_type,
            examiner_id=filters.examiner_id,
            center_id=center.pk if center else (-1 if filters.center else None),
            q=filters.q.strip(),
            unassigned=filters.unassigned,
        ),
    )
    return [summary_out(c) for c in page(qs, filters)]


@router.post(
    "/cases",
    response={201: CaseOut},
    summary="Submit a case (multipart: `request` as JSON, one file per part)",
)
@idempotent(subject="preexam.case")
def case_create(
    request: HttpRequest,
    form: Form[SubmitForm],
    full: File[UploadedFile | None] = None,
    claims: File[UploadedFile | None] = None,
    description: File[UploadedFile | None] = None,
    abstract: File[UploadedFile | None] = None,
    drawings: File[UploadedFile | None] = None,
) -> Status:
    require(request.user, Perm.CASE_SUBMIT)
    center, case_request = _parse_request(form.request)
    case = case_submit(
        actor=request.user,
        center=center,
        request=case_request,
        files=_files(
            full=full,
            claims=claims,
            description=description,
            abstract=abstract,
            drawings=drawings,
        ),
    )
    return Status(201, case_out(case, request.user))


@router.post(
    "/eligibility",
    response=list[RuleOut],
    summary="Check a case's eligibility without submitting it (JSON request data)",
)
def eligibility_check(request: HttpRequest, payload: CaseRequestIn) -> list[dict[str, Any]]:
    require(request.user, Perm.CASE_SUBMIT)
    center, case_request = _case_request(payload)
    results = case_check_eligibility(actor=request.user, center=center, request=case_request)
    return [r.as_dict() for r in results]


@router.get("/cases/{case_id}", response=CaseOut, summary="A case with its content (audited)")
def case_get(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _detail(request, _case(request, case_id))


@router.post("/cases/{case_id}/accept", response=CaseOut, summary="Accept the case for review")
def accept(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = case_accept(case=_case(request, case_id), actor=request.user)
    return case_out(case, request.user)


@router.post("/cases/{case_id}/not-accept", response=CaseOut, summary="Do not accept the case")
def not_accept(request: HttpRequest, case_id: int, payload: ReasonIn) -> dict[str, Any]:
    case = case_not_accept(case=_case(request, case_id), actor=request.user, reason=payload.reason)
    return case_out(case, request.user)


@router.post(
    "/cases/{case_id}/opinion",
    response={201: OpinionOut},
    summary="Issue the examiner's opinion (the applicant may amend once)",
)
@idempotent(within=("preexam.case", "case_id"))
def opinion(request: HttpRequest, case_id: int, payload: OpinionIn) -> Status:
    case = _case(request, case_id)
    issued = case_opinion_issue(
        case=case,
        actor=request.user,
        summary=payload.summary,
        items=[OpinionItemIn(i.aspect, i.satisfied, i.claims, i.text) for i in payload.items],
    )
    return Status(201, opinion_out(issued, issued.version.number))


@router.post(
    "/cases/{case_id}/amend",
    response={201: VersionOut},
    summary="Amend once after an opinion (multipart: one file per amended part)",
)
@idempotent(within=("preexam.case", "case_id"))
def amend(
    request: HttpRequest,
    case_id: int,
    form: Form[AmendForm],
    full: File[UploadedFile | None] = None,
    claims: File[UploadedFile | None] = None,
    description: File[UploadedFile | None] = None,
    abstract: File[UploadedFile | None] = None,
    drawings: File[UploadedFile | None] = None,
) -> Status:
    case = _case(request, case_id)
    version = case_amend(
        case=case,
        actor=request.user,
        note=form.note,
        files=_files(
            full=full,
            claims=claims,
            description=description,
            abstract=abstract,
            drawings=drawings,
        ),
    )
    return Status(201, version_out(version))


@router.post("/cases/{case_id}/qualify", response=CaseOut, summary="Qualify the case")
def qualify(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = case_qualify(case=_case(request, case_id), actor=request.user)
    return case_out(case, request.user)


@router.post("/cases/{case_id}/unqualify", response=CaseOut, summary="Decide: not qualified")
def unqualify(request: HttpRequest, case_id: int, payload: ReasonIn) -> dict[str, Any]:
    case = case_unqualify(case=_case(request, case_id), actor=request.user, reason=payload.reason)
    return case_out(case, request.user)


@router.post("/cases/{case_id}/withdraw", response=CaseOut, summary="Withdraw the case")
def withdraw(request: HttpRequest, case_id: int, payload: ReasonIn) -> dict[str, Any]:
    case = case_withdraw(case=_case(request, case_id), actor=request.user, reason=payload.reason)
    return case_out(case, request.user)


@router.post(
    "/cases/{case_id}/assign",
    response=CaseOut,
    summary="Reassign the case to another pre-examiner (managers, with a reason)",
)
def assign(request: HttpRequest, case_id: int, payload: AssignIn) -> dict[str, Any]:
    case = selectors.case_for_user_or_404(request.user, case_id, Perm.CASE_MANAGE)
    examiner = User.objects.filter(pk=payload.examiner_id).first()
    if examiner is None:
        message = _("No such pre-examiner.")
        raise InvalidInput(message, errors={"examiner_id": message})
    case_reassign(
        case=case,
        examiner=examiner,
        actor=request.user,
        reason=payload.reason,
        confirmed=payload.confirmed,
    )
    return case_out(case, request.user)


@router.get(
    "/cases/{case_id}/versions",
    response=list[VersionOut],
    summary="The case's document versions, parsed, with their findings (audited)",
)
def versions(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    case = _case(request, case_id)
    case_viewed(case=case, user=request.user, what="versions")
    center_side = is_center_side(request.user, case)
    return [version_out(v, center_side=center_side) for v in selectors.case_versions(case)]


@router.get(
    "/cases/{case_id}/diff",
    response=DiffOut,
    summary="What changed between two versions: claims by number and the abstract (audited)",
)
def diff(request: HttpRequest, case_id: int, query: Query[DiffQuery]) -> dict[str, Any]:
    case = _case(request, case_id)
    by_number = {v.number: v for v in case.versions.all()}
    if query.from_ not in by_number or query.to not in by_number:
        message = _("The case has no such version.")
        raise InvalidInput(message, errors={"from": message})
    case_viewed(case=case, user=request.user, what="diff")
    result = version_diff(by_number[query.from_].parsed, by_number[query.to].parsed)
    return {"from_version": query.from_, "to_version": query.to} | result.to_dict()


@router.get(
    "/cases/{case_id}/documents/{document_id}",
    summary="Download one of the case's documents (audited)",
)
def case_document(request: HttpRequest, case_id: int, document_id: str) -> FileResponse:
    return case_document_download(request, _case(request, case_id), document_id)


# --- conflicts -----------------------------------------------------------------------------


@router.get(
    "/conflicts",
    response=list[ConflictOut],
    summary="My declared conflicts (managers: those of their centers' examiners)",
)
def conflict_index(request: HttpRequest) -> list[dict[str, Any]]:
    if not (
        can(request.user, Perm.EXAMINER_CONFLICT_DECLARE) or can(request.user, Perm.CASE_MANAGE)
    ):
        raise PermissionDenied
    return [conflict_out(c) for c in selectors.conflicts_visible_to(request.user)[:500]]


@router.post(
    "/conflicts", response={201: ConflictOut}, summary="Declare a conflict with an organization"
)
@idempotent(subject="preexam.examinerconflict")
def conflict_create(request: HttpRequest, payload: ConflictIn) -> Status:
    require(request.user, Perm.EXAMINER_CONFLICT_DECLARE)
    organization = get_object_or_404(Organization, pk=payload.organization_id, is_active=True)
    conflict = conflict_declare(
        examiner=request.user,  # type: ignore[arg-type]
        organization=organization,
        reason=payload.reason,
    )
    return Status(201, conflict_out(conflict))


@router.post(
    "/conflicts/{conflict_id}/withdraw",
    response=ConflictOut,
    summary="Withdraw one of my declared conflicts",
)
def conflict_end(request: HttpRequest, conflict_id: int) -> dict[str, Any]:
    conflict = get_for_user_or_404(
        request.user,
        Perm.EXAMINER_CONFLICT_DECLARE,
        ExaminerConflict.objects.select_related("examiner", "organization"),
        pk=conflict_id,
    )
    conflict_withdraw(conflict=conflict, actor=request.user)  # type: ignore[arg-type]
    return conflict_out(conflict)
