"""The filing API under /api/v1/filings: the same services as the pages.

An illegal workflow move answers 409, invalid input 422; a filing, registration or request that
is not the caller's answers 404, exactly as one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from ipcenter.accounts.access import AccessScope, can, get_for_user_or_404
from ipcenter.accounts.models import Organization
from ipcenter.accounts.roles import Perm
from ipcenter.api_schemas import Paging, Year, page
from ipcenter.centers.models import Center, today
from ipcenter.filings import services
from ipcenter.filings.eligibility import RuleResult, stored_results
from ipcenter.filings.models import (
    AgencyRegistration,
    Engagement,
    EntityFiling,
    EntityFinding,
    FilingDocument,
    FilingEvent,
    QuotaRequest,
    Sanction,
)
from ipcenter.filings.selectors import (
    agencies_visible_to,
    engagements_visible_to,
    filings_visible_to,
    findings_of,
    quota_requests_visible_to,
    quota_summary,
    sanctions_visible_to,
    with_in_force,
)
from ipcenter.filings.workflow import moves_for
from ipcenter.idempotency.decorators import idempotent
from ipcenter.lib.errors import InvalidInput

router = Router(tags=["filings"])

_VIEW = (Perm.FILING_VIEW_OWN, Perm.FILING_REVIEW)
_FILINGS = EntityFiling.objects.select_related("center", "organization")
# What FilingOut shows of each filing: fetched once for a whole list page.
_DOCUMENTS = Prefetch("attachments", queryset=FilingDocument.objects.select_related("document"))
_HISTORY = Prefetch("events", queryset=FilingEvent.objects.select_related("actor"))


def _require_any(request: HttpRequest, *perms: Perm) -> None:
    if not any(can(request.user, p) for p in perms):
        raise PermissionDenied


def _filing(request: HttpRequest, filing_id: int, perm: Perm | tuple[Perm, ...]) -> EntityFiling:
    return get_for_user_or_404(request.user, perm, _FILINGS, pk=filing_id)


# --- schemas --------------------------------------------------------------------------------


class FilingRuleOut(Schema):
    rule: str
    label: str
    passed: bool
    detail: str
    params: dict[str, Any]


def _rules(results: list[RuleResult]) -> list[dict[str, Any]]:
    return [
        {
            "rule": r.rule,
            "label": r.label,
            "passed": r.passed,
            "detail": r.detail,
            "params": dict(r.params),
        }
        for r in results
    ]


class FilingEventOut(Schema):
    from_state: str
    to_state: str
    actor: str | None
    reason: str
    at: dt.datetime

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.get_username() if obj.actor_id else None


class AttachmentOut(Schema):
    document_id: uuid.UUID
    purpose: str
    title: str
    attached_at: dt.datetime

    @staticmethod
    def resolve_title(obj: FilingDocument) -> str:
        return str(obj.document)


class FilingOut(Schema):
    id: int
    center: str
    organization_id: int
    state: str
    entity_kind: str
    legal_name: str
    credit_code: str
    registered_area: str
    founded_on: dt.date
    insured_staff: int
    industry_codes: list[str]
    has_rd_team: bool
    has_ip_system: bool
    granted_inventions: int
    granted_utility_designs: int
    contact_name: str
    contact_phone: str
    contact_email: str
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    active_from: dt.date | None
    suspended_until: dt.date | None
    recheck_due_on: dt.date | None
    override_reason: str
    eligibility: list[FilingRuleOut]
    documents: list[AttachmentOut]
    history: list[FilingEventOut]
    moves: list[str]

    @staticmethod
    def resolve_center(obj: EntityFiling) -> str:
        return obj.center.code

    @staticmethod
    def resolve_eligibility(obj: EntityFiling) -> list[dict[str, Any]]:
        return _rules(stored_results(obj))

    # prefetch_related_objects() skips a filing whose list query prefetched these already.
    @staticmethod
    def resolve_documents(obj: EntityFiling) -> list[FilingDocument]:
        prefetch_related_objects([obj], _DOCUMENTS)
        return list(obj.attachments.all())

    @staticmethod
    def resolve_history(obj: EntityFiling) -> list[Any]:
        prefetch_related_objects([obj], _HISTORY)
        return list(obj.events.all())

    @staticmethod
    def resolve_moves(obj: EntityFiling, context: Any) -> list[str]:
        return moves_for(context["request"].user, obj)


class FilingIn(Schema):
    center: str
    organization_id: int
    entity_kind: str = "enterprise"
    legal_name: str
    credit_code: str
    registered_area: str
    founded_on: dt.date
    insured_staff: int
    industry_codes: list[str] = []
    has_rd_team: bool = False
    has_ip_system: bool = False
    granted_inventions: int = 0
    granted_utility_designs: int = 0
    contact_name: str
    contact_phone: str
    contact_email: str = ""


class FilingPatch(Schema):
    entity_kind: str | None = None
    legal_name: str | None = None
    credit_code: str | None = None
    registered_area: str | None = None
    founded_on: dt.date | None = None
    insured_staff: int | None = None
    industry_codes: list[str] | None = None
    has_rd_team: bool | None = None
    has_ip_system: bool | None = None
    granted_inventions: int | None = None
    granted_utility_designs: int | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None


class FilingFilter(Paging):
    state: str = ""
    q: str = ""
    center: str = ""


class FilingReasonIn(Schema):
    reason: str = ""


class ApproveIn(Schema):
    active_from: dt.date | None = None
    override_reason: str = ""


class SuspendIn(Schema):
    until: dt.date
    reason: str


class EligibilityOut(Schema):
    checked_at: dt.datetime | None
    rules: list[FilingRuleOut]


class AttachIn(Schema):
    purpose: str
    title: str = ""


class FindingIn(Schema):
    kind: str
    found_on: dt.date
    source: str
    note: str = ""


class EntityFindingOut(Schema):
    id: int
    organization_id: int
    center: str
    kind: str
    found_on: dt.date
    source: str
    note: str

    @staticmethod
    def resolve_center(obj: EntityFinding) -> str:
        return obj.center.code


class QuotaOut(Schema):
    year: int
    base: int
    extra: int
    total: int
    used: int
    left: int
    stored: bool
    basis: dict[str, Any]


class YearQuery(Schema):
    year: Year | None = None


class AgencyIn(Schema):
    center: str
    organization_id: int
    licence_number: str
    contact_name: str
    contact_phone: str


class AgencyOut(Schema):
    id: int
    center: str
    organization_id: int
    organization: str
    state: str
    licence_number: str
    on_guarantee_list: bool
    guarantee_checked_on: dt.date | None
    contact_name: str
    contact_phone: str
    reason: str
    decided_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_center(obj: AgencyRegistration) -> str:
        return obj.center.code

    @staticmethod
    def resolve_organization(obj: AgencyRegistration) -> str:
        return obj.organization.name


class EngagementIn(Schema):
    enterprise_id: int
    agency_id: int
    center: str | None = None  # a center's code; none: every center
    may_file: bool = True
    may_respond: bool = True
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


class EngagementOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    agency_id: int
    agency: str
    center: str | None
    may_file: bool
    may_respond: bool
    valid_from: dt.date
    valid_until: dt.date | None
    in_force: bool
    granted_at: dt.datetime
    revoked_at: dt.datetime | None

    @staticmethod
    def resolve_enterprise(obj: Engagement) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_agency(obj: Engagement) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_center(obj: Engagement) -> str | None:
        return obj.center.code if obj.center else None

    @staticmethod
    def resolve_in_force(obj: Engagement) -> bool:
        return bool(getattr(obj, "in_force", False))


class DecideIn(Schema):
    decision: str  # registered | rejected
    reason: str = ""


class GuaranteeIn(Schema):
    on_list: bool
    checked_on: dt.date | None = None


class QuotaRequestIn(Schema):
    filing_id: int
    requested: int
    reason: str
    year: Year | None = None


class QuotaRequestOut(Schema):
    id: int
    center: str
    organization_id: int
    year: int
    requested: int
    reason: str
    state: str
    granted: int
    decision_reason: str
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_center(obj: QuotaRequest) -> str:
        return obj.center.code


class QuotaDecideIn(Schema):
    granted: int
    reason: str = ""


class SanctionOut(Schema):
    id: int
    filing_id: int
    center: str
    organization_id: int
    kind: str
    year: int
    accepted: int
    failed: int
    abnormal_findings: int
    reason: str
    starts_on: dt.date
    ends_on: dt.date | None

    @staticmethod
    def resolve_center(obj: Sanction) -> str:
        return obj.filing.center.code

    @staticmethod
    def resolve_organization_id(obj: Sanction) -> int:
        return obj.filing.organization_id


class AssessIn(Schema):
    center: str
    year: Year


# --- filings --------------------------------------------------------------------------------


@router.get("", response=list[FilingOut], summary="Filings I may read")
def filing_list(request: HttpRequest, filters: Query[FilingFilter]) -> list[EntityFiling]:
    _require_any(request, *_VIEW)
    qs = filings_visible_to(request.user)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.center:
        qs = qs.filter(center__code=filters.center)
    if filters.q:
        qs = qs.filter(Q(legal_name__icontains=filters.q) | Q(credit_code__icontains=filters.q))
    qs = qs.prefetch_related(_DOCUMENTS, _HISTORY).order_by("-created_at")
    return page(qs, filters)


@router.post("", response={201: FilingOut}, summary="Draft a filing with a center")
@idempotent(subject="filings.entityfiling")
def filing_create(request: HttpRequest, payload: FilingIn) -> Status:
    organization = get_object_or_404(Organization, pk=payload.organization_id)
    if not can(request.user, Perm.FILING_APPLY, AccessScope(organization_id=organization.pk)):
        raise Http404  # the same answer as for an organization that does not exist
    center = get_object_or_404(Center, code=payload.center)
    data = payload.dict(exclude={"center", "organization_id"})
    filing = services.filing_create(
        actor=request.user, organization=organization, center=center, data=data
    )
    return Status(201, filing)


# --- agencies -------------------------------------------------------------------------------


def _registration(request: HttpRequest, registration_id: int) -> AgencyRegistration:
    return get_for_user_or_404(
        request.user,
        Perm.AGENCY_REVIEW,
        AgencyRegistration.objects.select_related("center", "organization"),
        pk=registration_id,
    )


@router.get("/agencies", response=list[AgencyOut], summary="Agency registrations I may read")
def agency_list(request: HttpRequest, paging: Query[Paging]) -> list[AgencyRegistration]:
    _require_any(request, Perm.AGENCY_REGISTER, Perm.AGENCY_REVIEW)
    return page(agencies_visible_to(request.user), paging)


@router.post("/agencies", response={201: AgencyOut}, summary="Register my agency with a center")
@idempotent(subject="filings.agencyregistration")
def agency_register(request: HttpRequest, payload: AgencyIn) -> Status:
    organization = get_object_or_404(Organization, pk=payload.organization_id)
    if not can(request.user, Perm.AGENCY_REGISTER, AccessScope(organization_id=organization.pk)):
        raise Http404
    center = get_object_or_404(Center, code=payload.center)
    registration = services.agency_register(
        actor=request.user,
        organization=organization,
        center=center,
        licence_number=payload.licence_number,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
    )
    return Status(201, registration)


@router.post("/agencies/{registration_id}/decide", response=AgencyOut, summary="Register or reject")
def agency_decide(
    request: HttpRequest, registration_id: int, payload: DecideIn
) -> AgencyRegistration:
    registration = _registration(request, registration_id)
    return services.agency_decide(
        actor=request.user,
        registration=registration,
        decision=payload.decision,
        reason=payload.reason,
    )


@router.post(
    "/agencies/{registration_id}/guarantee",
    response=AgencyOut,
    summary="Set the guarantee-list flag",
)
def agency_guarantee(
    request: HttpRequest, registration_id: int, payload: GuaranteeIn
) -> AgencyRegistration:
    registration = _registration(request, registration_id)
    return services.agency_set_guarantee(
        actor=request.user,
        registration=registration,
        on_list=payload.on_list,
        checked_on=payload.checked_on,
    )


@router.post(
    "/agencies/{registration_id}/revoke", response=AgencyOut, summary="Revoke a registration"
)
def agency_revoke(
    request: HttpRequest, registration_id: int, payload: FilingReasonIn
) -> AgencyRegistration:
    registration = _registration(request, registration_id)
    return services.agency_revoke(
        actor=request.user, registration=registration, reason=payload.reason
    )


# --- engagements ----------------------------------------------------------------------------


@router.get(
    "/engagements",
    response=list[EngagementOut],
    summary="Engagements my enterprise granted or my agency holds",
)
def engagement_list(request: HttpRequest, paging: Query[Paging]) -> list[Engagement]:
    _require_any(request, Perm.FILING_APPLY, Perm.AGENCY_REGISTER)
    qs = with_in_force(engagements_visible_to(request.user))
    return page(qs, paging)


@router.post(
    "/engagements", response={201: EngagementOut}, summary="Engage an agency for my enterprise"
)
@idempotent(subject="filings.engagement")
def engagement_create(request: HttpRequest, payload: EngagementIn) -> Status:
    enterprise = get_object_or_404(Organization, pk=payload.enterprise_id)
    if not can(request.user, Perm.FILING_APPLY, AccessScope(organization_id=enterprise.pk)):
        raise Http404  # the same answer as for an organization that does not exist
    agency = Organization.objects.filter(pk=payload.agency_id).first()
    if agency is None:
        message = gettext("Choose an active patent agency.")
        raise InvalidInput(message, errors={"agency_id": message})
    center = get_object_or_404(Center, code=payload.center) if payload.center else None
    engagement = services.engagement_grant(
        actor=request.user,
        enterprise=enterprise,
        agency=agency,
        center=center,
        may_file=payload.may_file,
        may_respond=payload.may_respond,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
    )
    return Status(201, with_in_force(Engagement.objects.filter(pk=engagement.pk)).get())


@router.post(
    "/engagements/{engagement_id}/revoke",
    response=EngagementOut,
    summary="Revoke an engagement of my enterprise",
)
def engagement_revoke(request: HttpRequest, engagement_id: int) -> Engagement:
    engagement = get_for_user_or_404(
        request.user,
        Perm.FILING_APPLY,
        Engagement.objects.select_related("enterprise", "agency", "center"),
        pk=engagement_id,
    )
    services.engagement_revoke(actor=request.user, engagement=engagement)
    result: Engagement = with_in_force(Engagement.objects.filter(pk=engagement.pk)).get()
    return result


# --- quota requests -------------------------------------------------------------------------


@router.get(
    "/quota-requests", response=list[QuotaRequestOut], summary="Extra-quota requests I may read"
)
def quota_request_list(request: HttpRequest, paging: Query[Paging]) -> list[QuotaRequest]:
    _require_any(request, Perm.QUOTA_REQUEST, Perm.QUOTA_DECIDE)
    qs = quota_requests_visible_to(request.user).order_by("-created_at")
    return page(qs, paging)


@router.post("/quota-requests", response={201: QuotaRequestOut}, summary="Ask for extra quota")
@idempotent(subject="filings.quotarequest")
def quota_request_create(request: HttpRequest, payload: QuotaRequestIn) -> Status:
    filing = _filing(request, payload.filing_id, Perm.QUOTA_REQUEST)
    quota_request = services.quota_request_create(
        actor=request.user,
        organization=filing.organization,
        center=filing.center,
        year=payload.year or today().year,
        requested=payload.requested,
        reason=payload.reason,
    )
    return Status(201, quota_request)


@router.post(
    "/quota-requests/{request_id}/decide",
    response=QuotaRequestOut,
    summary="Grant or refuse extra quota",
)
def quota_request_decide(
    request: HttpRequest, request_id: int, payload: QuotaDecideIn
) -> QuotaRequest:
    quota_request = get_for_user_or_404(
        request.user,
        Perm.QUOTA_DECIDE,
        QuotaRequest.objects.select_related("center", "organization"),
        pk=request_id,
    )
    return services.quota_request_decide(
        actor=request.user, request=quota_request, granted=payload.granted, reason=payload.reason
    )


# --- sanctions ------------------------------------------------------------------------------


@router.get("/sanctions", response=list[SanctionOut], summary="Sanctions I may read")
def sanction_list(request: HttpRequest, paging: Query[Paging]) -> list[Sanction]:
    _require_any(request, *_VIEW)
    qs = sanctions_visible_to(request.user).order_by("-year", "-created_at")
    return page(qs, paging)


@router.post(
    "/sanctions/assess", response=list[SanctionOut], summary="Assess a center's year (idempotent)"
)
def sanction_assess(request: HttpRequest, payload: AssessIn) -> list[Sanction]:
    center = get_for_user_or_404(
        request.user, Perm.FILING_REVIEW, Center.objects.all(), code=payload.center
    )
    return services.sanctions_assess(center=center, year=payload.year, actor=request.user)


# --- one filing (after the fixed paths above, which "/{filing_id}" would swallow) ---


@router.get("/{filing_id}", response=FilingOut, summary="A filing, its checks and its history")
def filing_get(request: HttpRequest, filing_id: int) -> EntityFiling:
    return _filing(request, filing_id, _VIEW)


@router.patch("/{filing_id}", response=FilingOut, summary="Change a draft filing's data")
def filing_update(request: HttpRequest, filing_id: int, payload: FilingPatch) -> EntityFiling:
    filing = _filing(request, filing_id, Perm.FILING_APPLY)
    return services.filing_update(
        actor=request.user, filing=filing, data=payload.dict(exclude_none=True)
    )


@router.post("/{filing_id}/submit", response=FilingOut, summary="Submit to the center")
def filing_submit(request: HttpRequest, filing_id: int) -> EntityFiling:
    filing = _filing(request, filing_id, Perm.FILING_APPLY)
    return services.filing_submit(actor=request.user, filing=filing)


@router.post("/{filing_id}/withdraw", response=FilingOut, summary="Withdraw the filing")
def filing_withdraw(request: HttpRequest, filing_id: int, payload: FilingReasonIn) -> EntityFiling:
    filing = _filing(request, filing_id, Perm.FILING_APPLY)
    return services.filing_withdraw(actor=request.user, filing=filing, reason=payload.reason)


@router.post("/{filing_id}/approve", response=FilingOut, summary="Approve a submitted filing")
def filing_approve(request: HttpRequest, filing_id: int, payload: ApproveIn) -> EntityFiling:
    filing = _filing(request, filing_id, Perm.FILING_REVIEW)
    return services.filing_approve(
        actor=request.user,
        filing=filing,
        active_from=payload.active_from,
        override_reason=payload.override_reason,
    )


@router.post("/{filing_id}/request-supplement", response=FilingOut, summary="Ask for a supplement")
def filing_request_supplement(
    request: HttpRequest, filing_id: int, payload: FilingReasonIn
) -> EntityFiling:
    filing = _filing(request, filing_id, Perm.FILING_REVIEW)
    return services.filing_request_supplement(
        actor=request.user, filing=filing, reason=payload.reason
    )


@router.post("/{filing_id}/reject", response=FilingOut, summary="Reject a submitted filing")
def filing_reject(request: HttpRequest, filing_id: int, payload: FilingReasonIn) -> EntityFiling:
    filing = _filing(request, filing_id, Perm.FILING_REVIEW)
    return services.filing_reject(actor=request.user, filing=filing, reason=payload.reason)


@router.post("/{filing_id}/suspend", response=FilingOut, summary="Suspend an active filing")
def filing_suspend(request: HttpRequest, filing_id: int, payload: SuspendIn) -> EntityFiling:
    filing = _filing(request, filing_id, Perm.FILING_REVIEW)
    return services.filing_suspend(
        actor=request.user, filing=filing, until=payload.until, reason=payload.reason
    )


@router.post("/{filing_id}/lift", response=FilingOut, summary="Lift a suspension")
def filing_lift(request: HttpRequest, filing_id: int, payload: FilingReasonIn) -> EntityFiling:
    filing = _filing(request, filing_id, Perm.FILING_REVIEW)
    return services.filing_lift(actor=request.user, filing=filing, reason=payload.reason)


@router.post("/{filing_id}/cancel", response=FilingOut, summary="Cancel a filing")
def filing_cancel(request: HttpRequest, filing_id: int, payload: FilingReasonIn) -> EntityFiling:
    filing = _filing(request, filing_id, Perm.FILING_REVIEW)
    return services.filing_cancel(actor=request.user, filing=filing, reason=payload.reason)


@router.get(
    "/{filing_id}/eligibility", response=EligibilityOut, summary="The stored eligibility checks"
)
def filing_eligibility(request: HttpRequest, filing_id: int) -> dict[str, Any]:
    filing = _filing(request, filing_id, _VIEW)
    return {"checked_at": filing.eligibility_checked_at, "rules": _rules(stored_results(filing))}


@router.post("/{filing_id}/documents", response={201: AttachmentOut}, summary="Attach a document")
@idempotent(within=("filings.entityfiling", "filing_id"))
def filing_attach(
    request: HttpRequest, filing_id: int, payload: Form[AttachIn], file: File[UploadedFile]
) -> Status:
    filing = _filing(request, filing_id, Perm.FILING_APPLY)
    attachment = services.filing_attach_document(
        actor=request.user,
        filing=filing,
        purpose=payload.purpose,
        upload=file,
        title=payload.title,
    )
    return Status(201, attachment)


@router.get("/{filing_id}/quota", response=QuotaOut, summary="The entity's quota for a year")
def filing_quota(request: HttpRequest, filing_id: int, query: Query[YearQuery]) -> Any:
    filing = _filing(request, filing_id, _VIEW)
    return quota_summary(
        organization=filing.organization, center=filing.center, year=query.year or today().year
    )


@router.get(
    "/{filing_id}/findings",
    response=list[EntityFindingOut],
    summary="Adverse findings on the entity",
)
def finding_list(request: HttpRequest, filing_id: int) -> list[EntityFinding]:
    filing = _filing(request, filing_id, _VIEW)
    return list(findings_of(organization=filing.organization))


@router.post(
    "/{filing_id}/findings", response={201: EntityFindingOut}, summary="Record an adverse finding"
)
@idempotent(subject="filings.entityfinding", within=("filings.entityfiling", "filing_id"))
def finding_create(request: HttpRequest, filing_id: int, payload: FindingIn) -> Status:
    filing = _filing(request, filing_id, Perm.FILING_REVIEW)
    finding = services.finding_record(
        actor=request.user,
        organization=filing.organization,
        center=filing.center,
        kind=payload.kind,
        found_on=payload.found_on,
        source=payload.source,
        note=payload.note,
    )
    return Status(201, finding)
