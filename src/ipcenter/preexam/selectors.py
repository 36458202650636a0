"""Reads of pre-examination cases."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet
from django.http import Http404

from ipcenter.accounts.access import can, centers_with, get_for_user_or_404, organizations_with
from ipcenter.accounts.models import User
from ipcenter.accounts.roles import Perm, Role
from ipcenter.centers.models import Center
from ipcenter.filings.selectors import engagements_covering
from ipcenter.preexam.clocks import running_clock
from ipcenter.preexam.models import (
    Case,
    CaseAnalysis,
    CaseState,
    CaseVersion,
    Citation,
    ExaminerConflict,
    Finding,
    VersionDocument,
)

# A case counts as qualified once it passed, whatever happened at the national office after.
QUALIFIED_STATES = (CaseState.QUALIFIED, CaseState.FILED, CaseState.OFF_TRACK, CaseState.GRANTED)


@dataclass(frozen=True)
class Outcomes:
    accepted: int  # accepted for review in the year
    qualified: int  # decided qualified in the year
    unqualified: int  # decided unqualified in the year

    @property
    def decided(self) -> int:
        return self.qualified + self.unqualified

    @property
    def pass_rate(self) -> float | None:
        """Qualified / accepted (DOMAIN.md), None without accepted cases."""
        return self.qualified / self.accepted if self.accepted else None

    @property
    def failure_rate(self) -> float | None:
        """Unqualified / decided, None without decided cases."""
        return self.unqualified / self.decided if self.decided else None


def entity_outcomes(*, center: Center, year: int) -> dict[int, Outcomes]:
    """Per organization id: the year's accepted, qualified and unqualified counts at a center."""
    rows = (
        Case.objects.filter(center=center)
        .values("organization_id")
        .annotate(
            accepted=Count("id", filter=Q(accepted_at__year=year)),
            qualified=Count("id", filter=Q(decided_at__year=year, state__in=QUALIFIED_STATES)),
            unqualified=Count("id", filter=Q(decided_at__year=year, state=CaseState.UNQUALIFIED)),
        )
    )
    return {
        row["organization_id"]: Outcomes(row["accepted"], row["qualified"], row["unqualified"])
        for row in rows
        if row["accepted"] or row["qualified"] or row["unqualified"]
    }


# --- who sees which case -------------------------------------------------------------------

# Whoever holds one of these on a case may read its content (see Case.access_scope()).
VIEW_PERMS = (Perm.CASE_VIEW_OWN, Perm.CASE_EXAMINE, Perm.CASE_MANAGE)


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """The cases the user may see: their organization's or agency's, those assigned to them,
    and those of the centers they manage. The one statement of the rule; single cases are
    fetched through it too."""
    orgs = organizations_with(user, Perm.CASE_VIEW_OWN)
    # An agency sees the cases it filed only while the enterprise's engagement is in force.
    engaged = Exists(
        engagements_covering(
            enterprise=OuterRef("organization_id"),
            agency=OuterRef("agency_id"),
            center=OuterRef("center_id"),
        )
    )
    condition = Q(organization_id__in=orgs) | (Q(agency_id__in=orgs) & Q(engaged))
    examine_centers = centers_with(user, Perm.CASE_EXAMINE)
    if examine_centers is None:
        condition |= Q(examiner_id=user.pk)
    elif examine_centers:
        condition |= Q(examiner_id=user.pk, center_id__in=examine_centers)
    manage_centers = centers_with(user, Perm.CASE_MANAGE)
    if manage_centers is None:
        condition |= Q(pk__isnull=False)
    elif manage_centers:
        condition |= Q(center_id__in=manage_centers)
    return Case.objects.filter(condition).select_related(
        "center", "organization", "agency", "examiner", "submitted_by"
    )


def case_for_user_or_404(user: Any, case_id: Any, perms: Any = VIEW_PERMS) -> Case:
    """One case the user may see (with one of `perms` on it); the same 404 for missing and
    not-yours."""
    return get_for_user_or_404(user, perms, cases_visible_to(user), pk=case_id)


@dataclass(frozen=True)
class CaseFilters:
    state: str = ""
    patent_type: str = ""
    examiner_id: int | None = None
    center_id: int | None = None
    q: str = ""
    unassigned: bool = False


def case_list(*, user: Any, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Visible cases with the due date of their soonest running clock, newest first."""
    f = filters or CaseFilters()
    qs = cases_visible_to(user).annotate(
        due_on=Min("clocks__due_on", filter=Q(clocks__stopped_at__isnull=True))
    )
    if f.state:
        qs = qs.filter(state=f.state)
    if f.patent_type:
        qs = qs.filter(patent_type=f.patent_type)
    if f.examiner_id:
        qs = qs.filter(examiner_id=f.examiner_id)
    if f.center_id:
        qs = qs.filter(center_id=f.center_id)
    if f.unassigned:
        qs = qs.filter(examiner__isnull=True)
    if f.q:
        qs = qs.filter(
            Q(reference__icontains=f.q)
            | Q(title__icontains=f.q)
            | Q(organization__name__icontains=f.q)
            | Q(organization__name_en__icontains=f.q)
            | Q(main_code__icontains=f.q)
        )
    return qs.order_by("-submitted_at", "-id")


def examiner_queue(*, user: Any) -> QuerySet[Case]:
    """The examiner's own open cases, soonest due first."""
    from ipcenter.preexam.workflow import OPEN_REVIEW_STATES

    return (
        Case.objects.filter(examiner_id=user.pk, state__in=OPEN_REVIEW_STATES)
        .select_related("center", "organization")
        .annotate(due_on=Min("clocks__due_on", filter=Q(clocks__stopped_at__isnull=True)))
        .order_by(F("due_on").asc(nulls_last=True), "submitted_at", "id")
    )


def unassigned_cases(*, center_id: int) -> QuerySet[Case]:
    from ipcenter.preexam.workflow import OPEN_REVIEW_STATES

    return (
        Case.objects.filter(
            center_id=center_id, examiner__isnull=True, state__in=OPEN_REVIEW_STATES
        )
        .annotate(due_on=Min("clocks__due_on", filter=Q(clocks__stopped_at__isnull=True)))
        .order_by(F("due_on").asc(nulls_last=True), "submitted_at", "id")
    )


def case_due_on(case: Case) -> dt.date | None:
    """The due date of the case's soonest running clock: the `due_on` that `case_list()`,
    `examiner_queue()` and `unassigned_cases()` annotate, read from it when there."""
    if hasattr(case, "due_on"):
        return case.due_on
    clock = running_clock(case=case)
    return clock.due_on if clock else None


def case_versions(case: Case) -> QuerySet[CaseVersion]:
    return case.versions.prefetch_related("documents__document", "findings").select_related(
        "created_by"
    )


def version_findings(version: CaseVersion, *, center_side: bool) -> list[Finding]:
    """The version's findings this reader sees: the center's own notes (the IPC suggestion's)
    only for the examiner and the managers. Uses the prefetched findings when there."""
    return [f for f in version.findings.all() if center_side or not f.center_only]


def case_analysis(case: Case) -> CaseAnalysis | None:
    """The analysis of the case's latest version, with its prior-art hits, if it ran."""
    latest = case.versions.order_by("-number").values_list("pk", flat=True).first()
    if latest is None:
        return None
    return (
        CaseAnalysis.objects.filter(version_id=latest)
        .select_related("version", "requested_by")
        .prefetch_related("hits")
        .first()
    )


def case_citations(case: Case) -> QuerySet[Citation]:
    return case.citations.select_related("examiner", "opinion").order_by("created_at", "id")


def case_document_link(case: Case, document_id: str) -> VersionDocument:
    """One document of one of the case's versions; 404 for any other id, malformed ones too."""
    try:
        document_uuid = uuid.UUID(str(document_id))
    except ValueError as exc:
        raise Http404 from exc
    link = (
        VersionDocument.objects.filter(version__case=case, document_id=document_uuid)
        .select_related("document")
        .first()
    )
    if link is None:
        raise Http404
    return link


def conflicts_visible_to(user: Any) -> QuerySet[ExaminerConflict]:
    """An examiner's own declarations; a manager's view of the examiners of their centers."""
    condition = Q(examiner_id=user.pk) if can(user, Perm.EXAMINER_CONFLICT_DECLARE) else Q(pk=None)
    centers = centers_with(user, Perm.CASE_MANAGE)
    if centers is None:
        condition |= Q(pk__isnull=False)
    elif centers:
        condition |= Q(
            examiner__memberships__role=Role.PRE_EXAMINER,
            examiner__memberships__center_id__in=centers,
        )
    return (
        ExaminerConflict.objects.filter(condition)
        .select_related("examiner", "organization")
        .distinct()
        .order_by("-declared_at", "-id")
    )


def finding_message(code: str, params: dict[str, Any]) -> str:
    """A formality finding in the reader's language (the checker's English template, translated)."""
    from django.utils.translation import gettext

    from ipcenter.patents.formality import render_message

    return render_message(code, params, gettext)


def case_applicant_side(case: Case) -> list[User]:
    """Who hears of the case's moves and deadlines on the applicant's side: the person who
    submitted it, the applicant's enterprise administrators and applicants, and the agents of its
    agency (active people only, in a stable order), each only while they may still read the case
    (an agent whose engagement ended hears nothing more of it)."""
    member = Q(
        memberships__is_active=True,
        memberships__organization_id=case.organization_id,
        memberships__role__in=(Role.ENTERPRISE_ADMIN, Role.APPLICANT),
    )
    if case.engaged_agency_ids():
        member |= Q(
            memberships__is_active=True,
            memberships__organization_id=case.agency_id,
            memberships__role=Role.AGENT,
        )
    people = User.objects.filter(member | Q(pk=case.submitted_by_id), is_active=True)
    return [person for person in people.distinct().order_by("pk") if may_read_case(person, case)]


def may_read_case(user: Any, case: Case) -> bool:
    """Whether the user may still read the case (the rule of cases_visible_to): asked before
    anything about the case is sent to them."""
    if not user.is_active:
        return False
    scope = case.access_scope()  # asks the database once, not once for each permission
    return (
        any(can(user, perm, scope) for perm in VIEW_PERMS)
        and cases_visible_to(user).filter(pk=case.pk).exists()
    )
